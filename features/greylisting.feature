Feature: bookshop.test greylists mail from strangers
  The first attempt to deliver a message from a sender the bookshop has not heard
  from is deferred with 451. Real mail servers retry and get through; most spam
  software never does. A fake greylistd stands in for the real one.

  Background:
    Given a fake greylisting server "greylistd"

  Scenario: A first attempt is deferred and the retry accepted
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <dora@bookshop.test> is deferred with 451 "Greylisted"
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <dora@bookshop.test> is accepted

  Scenario: Another sender is greylisted on its own
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <dora@bookshop.test> is deferred with 451
    Given a connection from 192.0.2.1
    When I send MAIL FROM <bert@example.net>
    Then RCPT TO <dora@bookshop.test> is deferred with 451

  Scenario: Members who did not choose greylisting get their mail at once
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <anna@coop.test> is accepted

  Scenario: Bounces are not greylisted
    Given a connection from 192.0.2.1
    When I send MAIL FROM <>
    Then RCPT TO <dora@bookshop.test> is accepted

  Scenario: The co-op office is not greylisted
    Given a connection from 198.51.100.7
    When I send MAIL FROM <anna@coop.test>
    Then RCPT TO <dora@bookshop.test> is accepted

  Scenario: greylistd is down: mail is accepted rather than lost
    Given the fake greylisting server "greylistd" is down
    And a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <dora@bookshop.test> is accepted
