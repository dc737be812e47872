Feature: A scenario that is interrupted while its Exim session is open (cleanup tests)
  Scenario: Exim is running when the interrupt comes
    Given a connection from 192.0.2.1
    When I send MAIL FROM <a@example.net>
    And the test waits 60 seconds
    Then it is accepted
