Feature: Recipients of the member domains
  Mail for the members' mailboxes and aliases is accepted; unknown addresses are
  refused at RCPT time, so that nobody's mail is lost in a bounce later.

  Background:
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>

  Scenario: Mailboxes and aliases of every member domain
    Then these recipients get these replies:
      | address              | reply    |
      | anna@coop.test       | 250      |
      | bea@bakery.test      | 250      |
      | info@bakery.test     | 250      |
      | orders@bookshop.test | accepted |
      | nobody@coop.test     | 550      |
      | carl@bookshop.test   | rejected |

  Scenario: An unknown address is refused with a clear reason
    When I send RCPT TO <nobody@coop.test>
    Then it is rejected
    And it is rejected with 550
    And it is rejected with 550 "5.1.1 <nobody@coop.test>: no such user here"
    And the log contains "rejected RCPT <nobody@coop.test>"

  Scenario: One-line checks
    Then RCPT TO <anna@coop.test> is accepted
    And RCPT TO <bea@bakery.test> is accepted with 250
    And RCPT TO <dora@bookshop.test> is accepted with 250 "Accepted"
    And RCPT TO <nobody@bakery.test> is rejected
    And RCPT TO <nobody@bookshop.test> is rejected with 550
    And RCPT TO <nobody@coop.test> is rejected with 550 "no such user here"

  Scenario: Postmaster is always reachable
    Then RCPT TO <postmaster@coop.test> is accepted
    And RCPT TO <postmaster@choir.test> is accepted

  Scenario: A domain that is moving is deferred, not refused
    When I send RCPT TO <erik@choir.test>
    Then it is deferred
    And it is deferred with 451
    And it is deferred with 451 "moving to a new server"
    And RCPT TO <erik@choir.test> is deferred
    And RCPT TO <erik@choir.test> is deferred with 451
    And RCPT TO <erik@choir.test> is deferred with 451 "please try again later"

  Scenario: Odd characters in local parts are refused
    Then RCPT TO <anna%bea@coop.test> is rejected with 550 "Restricted characters"
