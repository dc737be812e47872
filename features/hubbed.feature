Feature: shop.test's mailboxes live on the member's own server
  mx.coop.test accepts mail for shop.test and passes it on to the member's own mail
  server (the hub). Before it accepts a recipient, it asks that server whether the
  mailbox exists (a callout), so mail for nobody is refused at once instead of
  bouncing later. A fake server stands in for the hub: nothing leaves this machine.

  Background:
    Given a fake SMTP server "hub" that accepts only these recipients:
      | address         |
      | bob@shop.test   |
      | sales@shop.test |
    And a connection from 192.0.2.1

  Scenario: Mail for a mailbox on the member's server is accepted and passed on
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <bob@shop.test> is accepted
    And the fake SMTP server "hub" was asked about <bob@shop.test>
    When I send a message with subject "Order 1042"
    Then it is accepted with 250

  Scenario: An unknown mailbox is refused at RCPT time
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <nobody@shop.test> is rejected with 550 "no such user"
    And the fake SMTP server "hub" was asked about <nobody@shop.test>

  Scenario: Each recipient is asked about on its own
    When I send MAIL FROM <alice@example.net>
    Then these recipients get these replies:
      | address          | reply |
      | sales@shop.test  | 250   |
      | bob@shop.test    | 250   |
      | carol@shop.test  | 550   |

  Scenario: The co-op's own domains are decided without asking the member's server
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <anna@coop.test> is accepted
    And the fake SMTP server "hub" was not asked about <anna@coop.test>

  Scenario: If the member's server has a catch-all mailbox, every local part is accepted
    Given a fake SMTP server "hub" that accepts all recipients
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <whoever@shop.test> is accepted

  Scenario: The member's server is down: the sender is asked to retry, nothing is lost
    Given the fake SMTP server "hub" is down
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <bob@shop.test> is deferred with 451 "Could not complete recipient verify callout"
