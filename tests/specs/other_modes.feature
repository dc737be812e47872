Feature: Rewriting, retry rules and delivery paths in shapes the example does not have
  Each claim here must hold (the example has a catch-all retry rule and no Maildir).

  Scenario: An address no retry rule matches
    Given the Exim configuration "tests/configs/rewrite_retry.conf"
    Then no retry rule applies to <bob@nowhere.test>
    And the retry rule for <bob@shop.test> is "*@shop.test * F,30m,5m; F,2d,1h"

  Scenario: An envelope-only rule and a header-only rule
    Given the Exim configuration "tests/configs/rewrite_retry.conf"
    Then rewriting <joe@old.test> gives <joe@new.test> in "env-from"
    And rewriting <joe@old.test> gives <joe@old.test> in "from"
    And rewriting <anna@coop.test> gives <anna.smith@coop.test> in "to"
    And rewriting <anna@coop.test> gives <anna@coop.test> in "env-to"

  Scenario: Debian's shapes of local delivery
    Given the Exim configuration "tests/configs/local_delivery.conf"
    Then mail for <root@maildir.test> is delivered to a file ending in "/root/Maildir"
    And mail for <x@archive.test> is delivered to a file ending in "archive/x"
