Feature: False claims about the quota service, which must fail

  Scenario: claims a full mailbox is accepted
    Given a fake quota service "quota" where <anna@test.example> is full
    And a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <anna@test.example> is accepted

  Scenario: claims the service was asked about a relayed address
    Given a fake quota service "quota" where <anna@test.example> is full
    And a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <someone@other.example> is rejected
    And the fake quota service "quota" was asked about <someone@other.example>
