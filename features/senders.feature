Feature: Envelope senders
  Bounces (the null sender) must always get through; senders on the co-op's block
  list are refused; a host sending too much is slowed down.

  Scenario: Bounces are accepted
    Given a connection from 192.0.2.1
    When I send MAIL FROM <>
    Then it is accepted
    And RCPT TO <anna@coop.test> is accepted

  Scenario: Bounces are accepted, in one line
    Given a connection from 192.0.2.1
    Then MAIL FROM <> is accepted with 250

  Scenario: Blocked senders are refused at MAIL FROM
    Given a connection from 192.0.2.1
    Then MAIL FROM <anyone@spam.example> is rejected
    And MAIL FROM <bulk@offers.example> is rejected with 550
    And MAIL FROM <bulk@offers.example> is rejected with 550 "is blocked by co-op policy"
    When I send MAIL FROM <cheap@spam.example>
    Then it is rejected with 550 "blocked by co-op policy"

  Scenario: A host sending more than three messages an hour is slowed down
    Given a connection from 192.0.2.1
    Then MAIL FROM <alice@example.net> is accepted
    When I send the command "RSET"
    Then MAIL FROM <alice@example.net> is accepted
    When I send the command "RSET"
    Then MAIL FROM <alice@example.net> is accepted
    When I send the command "RSET"
    Then MAIL FROM <alice@example.net> is deferred with 451
    And MAIL FROM <alice@example.net> is deferred
    And MAIL FROM <alice@example.net> is deferred with 451 "please slow down"
    And the log contains "temporarily rejected MAIL <alice@example.net>"

  Scenario: Every scenario starts with a clean rate (its own spool)
    Given a connection from 192.0.2.1
    Then MAIL FROM <alice@example.net> is accepted

  Scenario: Messages over the size limit are refused up front
    Given a connection from 192.0.2.1
    When I send EHLO mail.example.net
    Then it is accepted
    And the reply contains "SIZE 20971520"
    When I send the command "MAIL FROM:<alice@example.net> SIZE=30000000"
    Then it is rejected with 552
