Feature: Every scenario runs in the private network by default
  Sessions and one-shot checks ask the fake DNS (an empty zone unless the scenario
  declares records), never the machine's resolver. Every claim here must hold; with
  -D network=host every one must fail.

  Background:
    Given the Exim configuration "tests/configs/resolver.conf"

  Scenario: a session's Exim asks the private network's resolver
    Given a connection from 192.0.2.1
    Then MAIL FROM <a@resolver.test> is rejected with 550 "the resolver is the private one"

  Scenario: a one-shot check's Exim too
    Then expanding "RESOLVER" gives "private"
