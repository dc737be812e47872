Feature: A DNS scenario that is interrupted while its Exim session is open (cleanup tests)
  Scenario: Exim and the fake DNS are running when the interrupt comes
    Given a connection from 192.0.2.3
    And the DNS blocklist bl.coop.test lists 192.0.2.2
    When I send MAIL FROM <a@example.net>
    And I send RCPT TO <gina@garden.test>
    And the test waits 60 seconds
    Then it is accepted
