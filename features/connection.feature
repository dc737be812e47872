Feature: Who may connect to mx.coop.test
  The connect ACL refuses hosts the co-op has blocked, keeps the submission port for
  the office, and can close the door politely during maintenance.

  Scenario: An ordinary mail server is greeted
    Given a connection from 192.0.2.1
    Then the connection is accepted
    And the connection is accepted with 220
    And the connection is accepted with 220 "mx.coop.test ESMTP"

  Scenario: A blocked host is refused before it can say anything
    Given a connection from 203.0.113.66
    Then the connection is rejected
    And the connection is rejected with 550
    And the connection is rejected with 550 "write to postmaster@coop.test"
    And the log contains "rejected connection in "connect" ACL"

  Scenario: A blocked network is refused too
    Given a connection from 203.0.113.200
    Then the connection is rejected with 550 "is blocked here"

  Scenario: The submission port is for the office only
    Given a connection from 192.0.2.1 to 198.51.100.25 port 587
    Then the connection is rejected with 550 "submission port is for the co-op office only"

  Scenario: The office may use the submission port
    Given a connection from 198.51.100.7 to 198.51.100.25 port 587
    Then the connection is accepted

  Scenario: During maintenance everybody is asked to come back later
    Given the macro MAINTENANCE is defined
    And a connection from 192.0.2.1
    Then the connection is deferred
    And the connection is deferred with 451
    And the connection is deferred with 451 "down for maintenance"
