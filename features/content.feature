Feature: Spam and viruses are refused for the members who chose it
  bakery.test has spam and viruses refused while the sender is still connected, so
  the sender learns of it; bookshop.test has viruses refused. The other members
  filter on their own machines: their mail is accepted as it comes. Fake scanners
  stand in for spamd and clamd.

  Background:
    Given a fake spam scanner "spamd" that scores 15.0 for messages containing "cheap pills"
    And a fake virus scanner "clamd" that finds "Eicar-Test-Signature" in messages containing "EICAR-TEST"
    And a connection from 192.0.2.1

  Scenario: Spam for the bakery is refused
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <bea@bakery.test>
    And I send a message with subject "cheap pills, today only"
    Then it is rejected with 550 "scored 15.0 spam points"

  Scenario: A message that is not spam reaches the bakery
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <bea@bakery.test>
    And I send a message with subject "Flour delivery on Monday"
    Then it is accepted with 250

  Scenario: Scores add up: two small signs together make spam
    Given a fake spam scanner "spamd" that scores 3.0 for messages containing "winner"
    And a fake spam scanner "spamd" that scores 2.5 for messages containing "lottery"
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <bea@bakery.test>
    And I send a message with subject "lottery winner"
    Then it is rejected with 550 "scored 5.5 spam points"

  Scenario: Spam for a member who filters it at home is accepted
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    And I send a message with subject "cheap pills, today only"
    Then it is accepted with 250
    And the fake spam scanner "spamd" was not asked

  Scenario Outline: A virus is refused for <member>
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <<recipient>>
    And I send the message:
      """
      Subject: the invoice you asked for

      EICAR-TEST attached
      """
    Then it is rejected with 550 "contains a virus (Eicar-Test-Signature)"

    Examples:
      | member        | recipient          |
      | bakery.test   | bea@bakery.test    |
      | bookshop.test | dora@bookshop.test |

  Scenario: A virus for a member who filters at home is accepted
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    And I send a message with subject "EICAR-TEST"
    Then it is accepted with 250
    And the fake virus scanner "clamd" was not asked

  Scenario: The spam scanner is down: the bakery's mail waits, nothing is lost
    Given the fake spam scanner "spamd" is down
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <bea@bakery.test>
    And I send a message with subject "Flour delivery on Monday"
    Then it is deferred with 451

  Scenario: The virus scanner is down: the bookshop's mail waits, nothing is lost
    Given the fake virus scanner "clamd" is down
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <dora@bookshop.test>
    And I send a message with subject "New catalogue"
    Then it is deferred with 451
