Feature: Choosing the configuration in a scenario
  A suite can test several configurations; paths are relative to where behave runs.

  Scenario: Naming the configuration explicitly
    Given the Exim configuration "examples/coop/exim4.conf"
    And a connection from 192.0.2.1
    Then MAIL FROM <alice@example.net> is accepted

  Scenario: Macros override the configuration's defaults
    Given a connection from 192.0.2.1
    And the macro RECIPIENTS_MAX is "1"
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <anna@coop.test> is accepted
    And RCPT TO <bea@bakery.test> is deferred with 452

  Scenario: A second connection starts a fresh session with new settings
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <carl@bakery.test> is accepted
    Given the macro RECIPIENTS_MAX is "2"
    And a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <anna@coop.test> is accepted
    And RCPT TO <bea@bakery.test> is accepted
    And RCPT TO <carl@bakery.test> is deferred with 452
