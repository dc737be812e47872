Feature: Addresses the world sees, and how long the co-op keeps trying
  Mail from the office's machines leaves as the co-op's own, so that their names stay
  inside; the shop's server, often down for maintenance, is retried for five days.

  Scenario: An office machine's address is rewritten where the world sees it
    Then rewriting <anna@pc7.office.coop.test> gives <anna@coop.test> in "from"
    And rewriting <anna@pc7.office.coop.test> gives <anna@coop.test> in "env-from"
    And rewriting <anna@pc7.office.coop.test> gives <anna@pc7.office.coop.test> in "to"

  Scenario: Members' addresses are left alone
    Then rewriting <anna@coop.test> changes nothing

  Scenario: Each destination's retry rule
    Then the retry rule for <bob@shop.test> is "F,15m,5m; F,5d,30m"
    And the retry rule for <friend@elsewhere.example> is "* * F,2h,15m; G,16h,1h,1.5; F,4d,6h"
