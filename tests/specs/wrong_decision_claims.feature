Feature: False claims about which statement decided
  One for each decision step: every scenario must fail, naming the statement that did
  decide and quoting it from the configuration.

  Scenario: claims the wrong line decided
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <bob@other.example>
    Then it was decided by the ACL "acl_check_rcpt" statement at line 171

  Scenario: claims the wrong verb decided
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <erik@choir.test>
    Then it was decided by the "deny" statement at line 169

  Scenario: claims the wrong message
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <nobody@coop.test>
    Then it was decided by the "deny" statement with message "relay not permitted"

  Scenario: claims a warn applied that did not
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    Then the statement at line 181 of ACL "acl_check_rcpt" applied

  Scenario: claims the accept whose condition erred decided
    Given the Exim configuration "tests/configs/acl_shapes.conf"
    And a connection from 192.0.2.1
    When I send MAIL FROM <x@ok.test>
    And I send RCPT TO <broken@shapes.test>
    Then it was decided by the "accept" statement at line 25

  Scenario: claims a rejection was a deferral
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <bob@other.example>
    Then it was deferred by the statement at line 213

  Scenario: claims a header the DATA ACL adds is not added
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    And I send a message with subject "minutes"
    Then the header "X-Coop-Checked" is not added

  Scenario: claims the relay rule did not apply to relaying
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <bob@other.example>
    Then the statement at line 213 of ACL "acl_check_rcpt" did not apply

  Scenario: claims the wrong log message
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <bob@other.example>
    Then it was decided by the "deny" statement with log message "spam run"

  Scenario: claims an ACL variable was set for a member who did not choose it
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    Then the ACL variable "acl_m_reject_spam" contains "yes"

  Scenario: claims an ACL variable holds another value
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <info@bakery.test>
    Then the ACL variable "acl_m_reject_spam" contains "no"

  Scenario: claims the log message is what Exim logs around it
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <bob@other.example>
    Then it was decided by the "deny" statement with log message "rejected RCPT"
