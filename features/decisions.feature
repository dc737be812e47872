Feature: Which rule of the configuration decided
  Exim's trace names the ACL statement behind every answer, so a spec can say which
  rule must have decided: when two rules would both refuse, the right one is tested.
  (Line numbers are those of examples/coop/exim4.conf: move a statement, update them.)

  Scenario: Relaying is refused by the last rule of the RCPT ACL
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <bob@other.example>
    Then it is rejected with 550
    And it was decided by the "deny" statement with message "relay not permitted"
    And it was decided by the ACL "acl_check_rcpt" statement at line 213
    And it was decided by the "deny" statement with log message "relay attempt for bob@other.example"

  Scenario: An unknown mailbox is refused by recipient verification, not as relaying
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <nobody@coop.test>
    Then it is rejected with 550
    And it was decided by the "deny" statement at line 171
    And the statement at line 213 of ACL "acl_check_rcpt" did not apply

  Scenario: Postmaster is reachable before any other check
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <postmaster@choir.test>
    Then it is accepted
    And it was decided by the "accept" statement at line 167

  Scenario: A domain in migration is deferred by its own rule
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <erik@choir.test>
    Then it is deferred with 451
    And it was decided by the "defer" statement with message "is moving to a new server"

  Scenario: The DATA ACL's warn marks the message, and its accept takes it
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    And I send a message with subject "minutes"
    Then it is accepted
    And the statement at line 225 of ACL "acl_check_data" applied
    And it was decided by the ACL "acl_check_data" statement at line 226

  Scenario: A message for a member who did not choose the checks is not tagged by them
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    Then the statement at line 181 of ACL "acl_check_rcpt" did not apply
    When I send a message with subject "minutes"
    Then the header "X-Coop-Checked" is added
    But the header "X-SPF" is not added
    And the header "X-Client-Name" is not added

  Scenario: The bakery's recipients are marked for the spam and virus checks
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <info@bakery.test>
    Then it is accepted
    And the ACL variable "acl_m_reject_spam" contains "yes"
    And the ACL variable "acl_m_reject_viruses" contains "yes"
