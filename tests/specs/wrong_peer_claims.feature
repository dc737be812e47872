Feature: False claims about the example's fake-peer policies: every scenario must fail
  One for each promise of hubbed.feature, content.feature and greylisting.feature.

  Background:
    Given a fake SMTP server "hub" that accepts only these recipients:
      | address       |
      | bob@shop.test |
    And a fake spam scanner "spamd" that scores 15.0 for messages containing "cheap pills"
    And a fake virus scanner "clamd" that finds "Eicar-Test-Signature" in messages containing "EICAR-TEST"
    And a fake greylisting server "greylistd"

  Scenario: claims an unknown hub mailbox is accepted
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <nobody@shop.test> is accepted

  Scenario: claims a hub mailbox is refused
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <bob@shop.test> is rejected with 550

  Scenario: claims the hub was not asked
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <bob@shop.test>
    Then the fake SMTP server "hub" was not asked about <bob@shop.test>

  Scenario: claims the hub was asked about a local domain
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    Then the fake SMTP server "hub" was asked about <anna@coop.test>

  Scenario: claims a down hub refuses for good
    Given the fake SMTP server "hub" is down
    And a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <bob@shop.test> is rejected with 550

  Scenario: claims spam reaches the bakery
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <bea@bakery.test>
    And I send a message with subject "cheap pills"
    Then it is accepted

  Scenario: claims spam is refused for a member who filters at home
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    And I send a message with subject "cheap pills"
    Then it is rejected with 550

  Scenario: claims a virus reaches the bookshop
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <dora@bookshop.test>
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <dora@bookshop.test>
    And I send a message with subject "EICAR-TEST"
    Then it is accepted

  Scenario: claims a virus is refused for a member who filters at home
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    And I send a message with subject "EICAR-TEST"
    Then it is rejected

  Scenario: claims a first attempt to the bookshop is accepted
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <dora@bookshop.test> is accepted

  Scenario: claims the retry is deferred again
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <dora@bookshop.test>
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <dora@bookshop.test> is deferred with 451

  Scenario: claims the bakery's mail is accepted while spamd is down
    Given the fake spam scanner "spamd" is down
    And a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <bea@bakery.test>
    And I send a message with subject "Flour"
    Then it is accepted

  Scenario: claims the bakery's mail is not scanned for spam
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <bea@bakery.test>
    And I send a message with subject "Flour delivery on Monday"
    Then the fake spam scanner "spamd" was not asked

  Scenario: claims the bakery's mail is not scanned for viruses
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <bea@bakery.test>
    And I send a message with subject "Order 17"
    Then the fake virus scanner "clamd" was not asked

  Scenario: claims a user Dovecot does not know logs in
    Given a fake Dovecot auth server "dovecot" with these users:
      | user           | password |
      | anna@coop.test | orchard  |
    And a connection from 203.0.113.5
    When I send EHLO laptop.example
    And I authenticate as "mallory@coop.test" with password "orchard"
    Then it is accepted

  Scenario: claims members log in while Dovecot is down
    Given the fake Dovecot auth server "dovecot" is down
    And a connection from 203.0.113.5
    When I send EHLO laptop.example
    And I authenticate with LOGIN as "anna@coop.test" with password "orchard"
    Then it is accepted with 235
