Feature: Who may connect to mx.coop.test
  The connect ACL refuses hosts the co-op has blocked and can close the door politely
  during maintenance. The submission port is for members, over TLS (see live.feature).

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

  Scenario: On the submission port, members start TLS before they log in and send
    Given a connection from 192.0.2.1 to 198.51.100.25 port 587
    Then the connection is accepted
    When I send EHLO laptop.example
    Then the server offers "STARTTLS"
    But the server does not offer "AUTH"
    And MAIL FROM <anna@coop.test> is rejected with 530 "Must issue a STARTTLS command first"

  Scenario: During maintenance everybody is asked to come back later
    Given the macro MAINTENANCE is defined
    And a connection from 192.0.2.1
    Then the connection is deferred
    And the connection is deferred with 451
    And the connection is deferred with 451 "down for maintenance"
