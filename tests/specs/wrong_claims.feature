Feature: Claims that are false for the bundled example: every scenario must fail
  The tests check that each fails, with the expected and the actual reply.

  Scenario: claims a rejection for an accepted recipient
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <anna@coop.test> is rejected with 550

  Scenario: claims the wrong code
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <nobody@coop.test>
    Then it is rejected with 551

  Scenario: claims the wrong text
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <nobody@coop.test>
    Then it is rejected with 550 "mailbox full"

  Scenario: claims acceptance for a deferred recipient
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <erik@choir.test> is accepted

  Scenario: claims a blocked host is greeted
    Given a connection from 203.0.113.66
    Then the connection is accepted

  Scenario: talks after the connection was refused
    Given a connection from 203.0.113.66
    When I send MAIL FROM <alice@example.net>
    Then it is accepted

  Scenario: claims a header that is not added
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    And I send a random message
    Then the header "X-Spam-Flag" is added

  Scenario: claims a header value
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    And I send a random message
    Then the header "X-Coop-Checked" is added with "198.51.100.99"

  Scenario: claims a log line
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Then the log contains "delivered"

  Scenario: claims a wrong row in a table
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Then these recipients get these replies:
      | address          | reply |
      | anna@coop.test   | 250   |
      | nobody@coop.test | 250   |

  Scenario: claims the reply contains other words
    Given a connection from 192.0.2.1
    When I send HELO mx.coop.test
    Then the reply contains "welcome"

  Scenario: claims the wrong exact code
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Then the reply is 354

  Scenario: claims a blocked sender is accepted
    Given a connection from 192.0.2.1
    Then MAIL FROM <bulk@offers.example> is accepted

  Scenario: claims the server hung up while it is open
    Given a connection from 192.0.2.1
    When I send EHLO client.example
    Then the server has closed the connection

  Scenario: claims a recipient's PRDR verdict wrongly
    Given the Exim configuration "tests/configs/prdr.conf"
    And a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net> with PRDR
    And I send RCPT TO <anna@prdr.test>
    And I send RCPT TO <refuses@prdr.test>
    And I send a message with subject "Minutes"
    Then the message is accepted for <refuses@prdr.test>

  Scenario: claims a wrong password logs in
    Given a connection from 203.0.113.5
    When I send EHLO laptop.example
    And I authenticate as "anna@coop.test" with password "apple"
    Then it is accepted with 235

  Scenario: claims a right LOGIN password is refused
    Given a connection from 203.0.113.5
    When I send EHLO laptop.example
    And I authenticate with LOGIN as "bea@bakery.test" with password "sourdough"
    Then it is rejected with 535

  Scenario: claims the server offers a mechanism it does not
    Given a connection from 203.0.113.5
    When I send EHLO laptop.example
    Then the server offers "AUTH CRAM-MD5"

  Scenario: claims the server does not offer AUTH PLAIN
    Given a connection from 203.0.113.5
    When I send EHLO laptop.example
    Then the server does not offer "AUTH PLAIN"
