Feature: The sender of routing and verification checks
  A router can take mail from some senders only (`senders = ...`): `Given mail comes from`
  sets the sender Exim's -bt and -bv see (-f). Every claim here must hold.

  Background:
    Given the Exim configuration "tests/configs/routing.conf"

  Scenario: a router for one sender's mail
    Given mail comes from <boss@vip.test>
    Then mail for <x@sender.test> is routed by router "from_vip"
    And mail for <x@sender.test> is routed to host 127.0.0.9

  Scenario: anyone else's mail is not routed there
    Given mail comes from <someone@example.net>
    Then mail for <x@sender.test> is undeliverable

  Scenario: nor is a bounce
    Given mail comes from <>
    Then mail for <x@sender.test> is undeliverable
