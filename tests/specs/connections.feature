Feature: Who connects, and where: what each connection step tells Exim
  Every claim here must hold (tests/configs/who.conf says it all back in headers).

  Background:
    Given the Exim configuration "tests/configs/who.conf"

  Scenario: a client port, over IPv6
    Given a connection from 2001:db8::1 with client port 999
    When I send MAIL FROM <a@example.net>
    And I send RCPT TO <b@who.test>
    Then the header "X-Client" is added with "]:999"
    And the header "X-Name" is added with "none"

  Scenario: a server port, at the server address of the userdata
    Given a connection from 192.0.2.1 on port 587
    When I send MAIL FROM <a@example.net>
    And I send RCPT TO <b@who.test>
    Then the header "X-Server" is added with "[127.0.0.1]:587"

  Scenario: the client's name, ident and authentication
    Given a connection from 192.0.2.1
    And the client's host name is mail.example.net
    And the client's ident is "alice"
    And the client has authenticated as "anna" with the authenticator "plain_server"
    When I send MAIL FROM <a@example.net>
    And I send RCPT TO <b@who.test>
    Then the header "X-Name" is added with "mail.example.net"
    And the header "X-Ident" is added with "alice"
    And the header "X-Auth" is added with "anna by plain_server"

  Scenario: the server closes after QUIT
    Given a connection from 192.0.2.1
    When I send QUIT
    Then the server has closed the connection
