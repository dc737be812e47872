Feature: Specs that cannot run: each scenario must end in a clear error

  Scenario: names a configuration that does not exist
    Given the Exim configuration "examples/no-such.conf"
    And a connection from 192.0.2.1
    Then MAIL FROM <alice@example.net> is accepted

  Scenario: talks before connecting
    When I send DATA

  Scenario: connects from something that is no IP address
    Given a connection from mail.example.net
    Then the connection is accepted

  Scenario: a table without its columns
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Then these recipients get these replies:
      | who            | code |
      | anna@coop.test | 250  |
