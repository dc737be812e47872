Feature: One scenario, one spool
  A scenario's connections share its spool (a retry meets the rate limit, callout cache
  and seen records the first connection left); every scenario starts with a new one.
  Every claim here must hold.

  Background:
    Given the Exim configuration "tests/configs/ratelimit.conf"

  Scenario: a retry meets the rate the first connection left
    Given a connection from 192.0.2.1
    When I send MAIL FROM <a@example.net>
    Then RCPT TO <b@rate.test> is accepted
    Given a connection from 192.0.2.1
    When I send MAIL FROM <a@example.net>
    Then RCPT TO <b@rate.test> is deferred with 451 "slow down"

  Scenario: the next scenario starts clean
    Given a connection from 192.0.2.1
    When I send MAIL FROM <a@example.net>
    Then RCPT TO <b@rate.test> is accepted
