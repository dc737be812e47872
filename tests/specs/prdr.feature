Feature: PRDR: a verdict for each recipient after the message
  With prdr_enable = true (Debian's setting), a client that asks for PRDR gets 353,
  then one verdict per recipient, then the final reply. Every claim here must hold.

  Background:
    Given the Exim configuration "tests/configs/prdr.conf"
    And a connection from 192.0.2.1

  Scenario: each recipient's verdict, and the final reply
    When I send MAIL FROM <alice@example.net> with PRDR
    And I send RCPT TO <anna@prdr.test>
    And I send RCPT TO <refuses@prdr.test>
    And I send RCPT TO <later@prdr.test>
    And I send a message with subject "Minutes"
    Then the message is accepted for <anna@prdr.test>
    And the message is rejected for <refuses@prdr.test> with 550 "does not want this"
    And the message is deferred for <later@prdr.test> with 450
    And it is accepted with 250 "accepted for some recipients"
    When I send the command "RSET"
    Then it is accepted

  Scenario: without PRDR the message gets one reply
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@prdr.test>
    And I send RCPT TO <refuses@prdr.test>
    And I send a message with subject "Minutes"
    Then it is accepted
