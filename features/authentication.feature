Feature: Members log in to send their mail through the co-op
  A member who logs in with her address and password may send mail anywhere; a
  stranger may not. The co-op's Dovecot checks the passwords; a server without it
  checks the passwords file beside the configuration.

  Scenario: The server offers PLAIN and LOGIN, nothing else
    Given a connection from 203.0.113.5
    When I send EHLO laptop.example
    Then the server offers "AUTH PLAIN LOGIN"
    And the server offers "PIPELINING"
    But the server does not offer "AUTH CRAM-MD5"

  Scenario: A member logs in with PLAIN and sends mail anywhere
    Given a connection from 203.0.113.5
    When I send EHLO laptop.example
    And I authenticate as "anna@coop.test" with password "orchard"
    Then it is accepted with 235
    When I send MAIL FROM <anna@coop.test>
    Then RCPT TO <friend@elsewhere.example> is accepted
    And it was decided by the "accept" statement at line 209

  Scenario: A member logs in with LOGIN
    Given a connection from 203.0.113.5
    When I send EHLO laptop.example
    And I authenticate with LOGIN as "bea@bakery.test" with password "sourdough"
    Then it is accepted with 235 "Authentication succeeded"

  Scenario: A wrong password gets 535, and no relaying
    Given a connection from 203.0.113.5
    When I send EHLO laptop.example
    And I authenticate as "anna@coop.test" with password "apple"
    Then it is rejected with 535
    When I send MAIL FROM <anna@coop.test>
    Then RCPT TO <friend@elsewhere.example> is rejected with 550 "relay not permitted"

  Scenario: Dovecot checks the passwords where it runs
    Given a fake Dovecot auth server "dovecot" with these users:
      | user           | password |
      | anna@coop.test | orchard  |
    And a connection from 203.0.113.5
    When I send EHLO laptop.example
    And I authenticate with LOGIN as "anna@coop.test" with password "apple"
    Then it is rejected with 535
    When I authenticate as "anna@coop.test" with password "orchard"
    Then it is accepted with 235

  Scenario: With Dovecot down, members are asked to try again later
    Given the fake Dovecot auth server "dovecot" is down
    And a connection from 203.0.113.5
    When I send EHLO laptop.example
    And I authenticate as "anna@coop.test" with password "orchard"
    Then it is deferred with 435
