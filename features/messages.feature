Feature: Messages
  Accepted messages are marked as checked by the co-op; messages with broken
  address headers are refused. Nothing is ever delivered by these tests.

  Background:
    Given a connection from 192.0.2.1
    When I send EHLO mail.example.net
    And I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>

  Scenario: A message is accepted and marked
    When I send DATA
    Then it is accepted
    And the reply is 354
    When I send the message:
      """
      From: Alice <alice@example.net>
      To: Anna <anna@coop.test>
      Subject: Minutes of the general meeting

      Hello Anna,
      . a line starting with a dot survives.
      """
    Then it is accepted with 250 "OK id="
    And the header "X-Coop-Checked" is added
    And the header "X-Coop-Checked" is added with "for [192.0.2.1]"
    And the log contains "<= alice@example.net"

  Scenario: DATA is sent for you when needed
    When I send a message with subject "Invoice 2026-11"
    Then it is accepted
    And the reply is 250 "OK"

  Scenario: A random message
    When I send a random message
    Then it is accepted

  Scenario: Broken address headers are refused
    When I send the message:
      """
      From: Alice <alice@example.net
      To: anna@coop.test
      Subject: broken

      The From header is not closed.
      """
    Then it is rejected with 550 "Header syntax error"

  Scenario: Saying goodbye
    When I send QUIT
    Then it is accepted
    And the reply is 221

  Scenario: Commands for everything else
    When I send the command "NOOP"
    Then the reply is 250
    When I send the command "VRFY anna@coop.test"
    Then the reply is 252
