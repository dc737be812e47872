Feature: Nobody outside the co-op may relay through mx.coop.test
  An open relay gets the co-op's MX onto every blocklist within hours.

  Scenario: A stranger cannot relay to another domain
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Then it is accepted
    When I send RCPT TO <bob@other.example>
    Then it is rejected with 550 "relay not permitted"

  Scenario: The co-op office relays its outgoing mail
    Given a connection from 198.51.100.7
    Then MAIL FROM <anna@coop.test> is accepted
    And RCPT TO <friend@other.example> is accepted
