Feature: Mailboxes over quota are refused while the sender is connected

  Background:
    Given a fake quota service "quota" where <anna@test.example> is full
    And a connection from 192.0.2.1

  Scenario: A full mailbox is refused, the others accepted
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <anna@test.example> is rejected with 550 "over quota"
    And RCPT TO <bob@test.example> is accepted
    And the fake quota service "quota" was asked about <bob@test.example>

  Scenario: Relaying is refused before the quota service is asked
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <someone@other.example> is rejected with 550 "relay not permitted"
