Feature: False claims about what a live server does
  One for each live phrase: every scenario must fail, saying what the server did.

  Scenario: claims AUTH is offered on the submission port before TLS
    Given the Exim server is running
    And a connection from 192.0.2.1 to 127.0.0.1 port 587
    When I send EHLO laptop.example
    Then the server offers "AUTH PLAIN"

  Scenario: claims a connection is encrypted before STARTTLS
    Given the Exim server is running
    And a connection from 192.0.2.1
    When I send EHLO laptop.example
    Then the connection is encrypted

  Scenario: claims the wrong TLS version
    Given the Exim server is running
    And a TLS connection from 192.0.2.1 to 127.0.0.1 port 465
    Then the connection is encrypted with "TLSv1.1"

  Scenario: claims the certificate is for another name
    Given the Exim server is running with a TLS certificate for "mx.coop.test"
    And a connection from 192.0.2.1
    When I send EHLO laptop.example
    And I start TLS
    Then the server's certificate is for "mail.example.net"

  Scenario: claims a stranger's certificate lets it relay
    Given the Exim server is running
    And a connection from 192.0.2.1
    When I send EHLO stranger.example
    And I start TLS
    And I send EHLO stranger.example
    And I send MAIL FROM <alice@example.net>
    Then RCPT TO <friend@elsewhere.example> is accepted

  Scenario: claims pipelined relaying is accepted
    Given the Exim server is running
    And a connection from 192.0.2.1
    When I send EHLO client.example
    And I send these commands at once:
      """
      MAIL FROM:<alice@example.net>
      RCPT TO:<bob@other.example>
      """
    Then the replies are:
      | command                       | reply |
      | MAIL FROM:<alice@example.net> | 250   |
      | RCPT TO:<bob@other.example>   | 250   |

  Scenario: claims an early talker is greeted
    Given the Exim server is running
    And a connection from 192.0.2.1
    When I send "EHLO hasty.example" before the greeting
    Then the connection is accepted

  Scenario: claims a silent client is kept waiting
    Given the SMTP command timeout is 1 seconds
    And the Exim server is running
    And a connection from 192.0.2.1
    When I stay silent for 2 seconds
    Then it is accepted

  Scenario: claims a third connection is refused from a host with two open
    Given the Exim server is running
    And 2 open connections from 192.0.2.7
    Then a new connection from 192.0.2.7 is refused with 421

  Scenario: claims a refused message is queued
    Given the Exim server is running
    And a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <bob@other.example>
    Then the message is queued

  Scenario: claims nothing is queued after a message was accepted
    Given the Exim server is running
    And a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    And I send a message with subject "minutes"
    Then no message is queued

  Scenario: claims the queued message has a header it has not
    Given the Exim server is running
    And a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    And I send a message with subject "minutes"
    Then the queued message has the header "X-Coop-Shouting"

  Scenario: claims the queued message's header says otherwise
    Given the Exim server is running
    And a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    And I send a message with subject "minutes"
    Then the queued message has the header "Subject" with "agenda"

  Scenario: claims the queued message lacks a header it has
    Given the Exim server is running
    And a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    And I send a message with subject "minutes"
    Then the queued message does not have the header "X-Coop-Checked"

  Scenario: claims the queued message is for someone else
    Given the Exim server is running
    And a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    And I send a message with subject "minutes"
    Then the queued message is for <bea@bakery.test>

  Scenario: claims a member's mail goes out by the hub
    Given the Exim server is running
    And a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    And I send a message with subject "minutes"
    Then the queued message would be delivered to <anna@coop.test> by router "hubbed" and transport "hub_smtp"

  Scenario: claims a member's mail goes to a host
    Given the Exim server is running
    And a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    And I send a message with subject "minutes"
    Then the queued message would be sent to host 127.0.0.1

  Scenario: claims the main log has what it has not
    Given the Exim server is running
    And a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    And I send a message with subject "minutes"
    Then the main log contains "<= mallory@example.net"

  Scenario: claims an accepted recipient is in the reject log
    Given the Exim server is running
    And a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    Then the reject log contains "relay attempt"
