Feature: What only a running server shows: TLS, the submission ports, limits, the queue
  These scenarios run a real Exim daemon in their own private network: it listens on the
  co-op's ports (25, 587 with STARTTLS, 465 with TLS at once), queues what it accepts
  and delivers nothing. Its certificate comes from a throwaway CA made for the run.

  Scenario: A member starts TLS on the submission port, then logs in and sends
    Given the Exim server is running
    And a connection from 192.0.2.1 to 127.0.0.1 port 587
    When I send EHLO laptop.example
    Then the server offers "STARTTLS"
    But the server does not offer "AUTH"
    When I start TLS
    Then it is accepted with 220
    And the connection is encrypted with "TLSv1.3"
    And the server's certificate is for "mx.coop.test"
    When I send EHLO laptop.example
    Then the server offers "AUTH PLAIN LOGIN"
    When I authenticate as "anna@coop.test" with password "orchard"
    Then it is accepted with 235
    When I send MAIL FROM <anna@coop.test>
    Then RCPT TO <friend@elsewhere.example> is accepted

  Scenario: On the submission port, nothing is sent before logging in
    Given the Exim server is running
    And a TLS connection from 192.0.2.1 to 127.0.0.1 port 465
    Then the connection is encrypted
    When I send EHLO laptop.example
    Then MAIL FROM <anna@coop.test> is rejected with 530 "Authentication required"

  Scenario: The office's machines relay with a certificate of the co-op's CA
    Given the Exim server is running
    And a connection from 192.0.2.44
    When I send EHLO pc7.office.coop.test
    And I start TLS with a client certificate for "pc7.office.coop.test"
    And I send EHLO pc7.office.coop.test
    And I send MAIL FROM <anna@coop.test>
    Then RCPT TO <friend@elsewhere.example> is accepted
    And it was decided by the "accept" statement at line 210
    Given a connection from 192.0.2.44
    When I send EHLO pc7.office.coop.test
    And I start TLS
    And I send EHLO pc7.office.coop.test
    And I send MAIL FROM <anna@coop.test>
    Then RCPT TO <friend@elsewhere.example> is rejected with 550 "relay not permitted"

  Scenario: A host may hold three connections at a time
    Given the Exim server is running
    And 3 open connections from 192.0.2.7
    Then a new connection from 192.0.2.7 is refused with 421
    Given a connection from 192.0.2.8
    Then the connection is accepted

  Scenario: An accepted message waits in the queue, as stored, and would go to the mailbox
    Given the Exim server is running
    And a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    And I send a message with subject "minutes"
    Then it is accepted
    And the message is queued
    And the queued message is for <anna@coop.test>
    And the queued message has the header "X-Coop-Checked" with "mx.coop.test"
    And the queued message does not have the header "X-Coop-Shouting"
    And the main log contains "<= alice@example.net"
    And the queued message would be delivered to <anna@coop.test> by router "mailboxes" and transport "mailbox"

  Scenario: A refused recipient is in the reject log, and nothing is queued
    Given the Exim server is running
    And a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <bob@other.example>
    Then it is rejected with 550
    And the reject log contains "relay attempt for bob@other.example"
    And no message is queued

  Scenario: Mail for the shop is passed on to the member's own server
    Given a fake SMTP server "hub" that accepts all recipients
    And the Exim server is running
    And a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <bob@shop.test>
    And I send a random message
    Then the message is queued
    And the queued message would be sent to host 127.0.0.1

  Scenario: A pipelining client sends its envelope in one go
    Given the Exim server is running
    And a connection from 192.0.2.1
    When I send EHLO client.example
    And I send these commands at once:
      """
      MAIL FROM:<alice@example.net>
      RCPT TO:<anna@coop.test>
      RCPT TO:<bob@other.example>
      """
    Then the replies are:
      | command                       | reply                   |
      | MAIL FROM:<alice@example.net> | 250                     |
      | RCPT TO:<anna@coop.test>      | 250                     |
      | RCPT TO:<bob@other.example>   | 550 relay not permitted |

  Scenario: A client that talks before the greeting is refused
    Given the Exim server is running
    And a connection from 192.0.2.1
    When I send "EHLO hasty.example" before the greeting
    Then the connection is rejected with 554 "synchronization error"
    And the log contains "SMTP protocol synchronization error (input sent without waiting for greeting)"

  Scenario: A client that drops the connection mid-message leaves nothing behind
    Given the Exim server is running
    And a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    And I send DATA
    And I drop the connection
    Then no message is queued

  Scenario: A silent client is let go
    Given the SMTP command timeout is 1 seconds
    And the Exim server is running
    And a connection from 192.0.2.1
    When I stay silent for 2 seconds
    Then it is deferred with 421 "command timeout"
    And the server has closed the connection
