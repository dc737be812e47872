Feature: Statement shapes of real configurations, decided as Exim decides them
  Exim's configure.default and Debian's configuration continue first lines over several
  physical lines, and a condition can fail with an error. These claims must all hold.

  Background:
    Given the Exim configuration "tests/configs/acl_shapes.conf"
    And a connection from 192.0.2.1

  Scenario: a statement whose first line is continued decides where it begins
    When I send MAIL FROM <other@bad.test>
    And I send RCPT TO <a@shapes.test>
    Then it is rejected with 550 "go away"
    And it was decided by the "deny" statement at line 21

  Scenario: the too-many-bad-recipients shape
    When I send MAIL FROM <x@ok.test>
    And I send RCPT TO <many@shapes.test>
    Then it was decided by the ACL "acl_check_rcpt" statement at line 27

  Scenario: a condition that errs makes Exim defer, whatever the verb
    When I send MAIL FROM <x@ok.test>
    And I send RCPT TO <broken@shapes.test>
    Then it is deferred with 451
    And it was deferred by the statement at line 25

  Scenario: past the continued lines, a local recipient is accepted and relaying refused
    When I send MAIL FROM <x@ok.test>
    Then RCPT TO <someone@shapes.test> is accepted
    And it was decided by the "accept" statement at line 31
    And RCPT TO <someone@elsewhere.test> is rejected with 550 "relay not permitted"
    And it was decided by the "deny" statement at line 32

  Scenario: a defer that applies defers too
    Given the Exim configuration "examples/coop/exim4.conf"
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <erik@choir.test>
    Then it was deferred by the statement at line 169
