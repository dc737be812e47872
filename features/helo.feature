Feature: HELO checks
  A client that claims to be mx.coop.test or one of the member domains, or greets
  with a bare IP address, is lying or broken; the office is trusted.

  Scenario: An honest greeting is accepted
    Given a connection from 192.0.2.1
    When I send EHLO mail.example.net
    Then it is accepted with 250
    And the reply contains "Hello mail.example.net [192.0.2.1]"

  Scenario: A stranger claiming to be us is refused
    Given a connection from 192.0.2.1
    When I send HELO mx.coop.test
    Then it is rejected with 550 "You are not mx.coop.test"
    When I send EHLO bakery.test
    Then it is rejected with 550

  Scenario: A bare IP address is no name
    Given a connection from 192.0.2.1
    When I send HELO 192.0.2.1
    Then it is rejected with 550 "use a host name or [address]"
    When I send HELO [192.0.2.1]
    Then it is accepted

  Scenario: The office may call itself what it likes
    Given a connection from 198.51.100.7
    When I send HELO mx.coop.test
    Then it is accepted

  Scenario: MAIL FROM without a greeting greets first
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Then it is accepted with 250 "OK"

  Scenario: The one-line check greets first too
    Given a connection from 192.0.2.1
    Then MAIL FROM <alice@example.net> is accepted with 250 "OK"
