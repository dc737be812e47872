Feature: Checks that ask DNS: a blocklist, SPF, the client's name, DKIM, MX
  The garden co-op chose DNS-based checks for garden.test: clients listed at the
  blocklist bl.coop.test are refused, and so are senders whose domain's SPF record
  says this client may not send for it. Every DKIM signature is checked and the
  result tagged; bank.test signs all its mail, so a broken signature of theirs is a
  forgery and refused. Each scenario brings its own DNS: names it does not declare
  do not exist, and nothing is asked of the real DNS.

  Scenario: A client on the blocklist is refused with the list's reason
    Given a connection from 192.0.2.2
    And the DNS blocklist bl.coop.test lists 192.0.2.2 with "sent spam to our traps"
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <gina@garden.test> is rejected with 550 "192.0.2.2 is listed at bl.coop.test: sent spam to our traps"

  Scenario: A client that is not listed gets through
    Given a connection from 192.0.2.3
    And the DNS blocklist bl.coop.test lists 192.0.2.2
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <gina@garden.test> is accepted

  Scenario: When the blocklist cannot be asked, the sender retries later
    Given a connection from 192.0.2.3
    And DNS lookups for bl.coop.test fail temporarily
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <gina@garden.test> is deferred with 451

  Scenario: Members who did not choose the blocklist get the mail
    Given a connection from 192.0.2.2
    And the DNS blocklist bl.coop.test lists 192.0.2.2
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <anna@coop.test> is accepted

  Scenario Outline: SPF <result>: the sender's domain says who may send for it
    Given a connection from 192.0.2.3
    And the DNS record example.net TXT "<policy>"
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <gina@garden.test> is <verdict>

    Examples:
      | result   | policy                          | verdict                                                                  |
      | pass     | v=spf1 ip4:192.0.2.0/24 -all    | accepted                                                                 |
      | fail     | v=spf1 ip4:198.51.100.0/24 -all | rejected with 550 "SPF: 192.0.2.3 may not send mail for example.net"     |
      | softfail | v=spf1 ip4:198.51.100.0/24 ~all | accepted                                                                 |
      | none     | (no SPF here)                   | accepted                                                                 |

  Scenario: An SPF softfail is marked in a header
    Given a connection from 192.0.2.3
    And the DNS record example.net TXT "v=spf1 ip4:198.51.100.0/24 ~all"
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <gina@garden.test> is accepted
    And the header "X-SPF" is added with "softfail for example.net from 192.0.2.3"

  Scenario: A client whose name DNS confirms is named in a header
    Given a connection from 192.0.2.3
    And the client's reverse DNS name is mail.example.net
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <gina@garden.test> is accepted
    And the header "X-Client-Name" is added with "mail.example.net (confirmed by DNS)"

  Scenario: A good DKIM signature is tagged as passing
    Given a connection from 192.0.2.3
    And a DKIM key for bakery.test with selector mail2026 is published
    When I send MAIL FROM <news@bakery.test>
    And I send RCPT TO <anna@coop.test>
    And I send a message signed by bakery.test with selector mail2026
    Then it is accepted
    And the header "X-DKIM-Status" is added with "pass for bakery.test"

  Scenario: A signature broken in transit is tagged as failing
    Given a connection from 192.0.2.3
    And a DKIM key for bakery.test with selector mail2026 is published
    When I send MAIL FROM <news@bakery.test>
    And I send RCPT TO <anna@coop.test>
    And I send a message signed by bakery.test and altered in transit
    Then it is accepted
    And the header "X-DKIM-Status" is added with "fail for bakery.test"

  Scenario: A signature whose key is not published cannot be checked
    Given a connection from 192.0.2.3
    When I send MAIL FROM <news@bakery.test>
    And I send RCPT TO <anna@coop.test>
    And I send a message signed by bakery.test with selector gone
    Then it is accepted
    And the header "X-DKIM-Status" is added with "invalid for bakery.test"

  Scenario: A broken signature of bank.test is a forgery
    Given a connection from 192.0.2.3
    And a DKIM key for bank.test with selector s1 is published
    When I send MAIL FROM <service@bank.test>
    And I send RCPT TO <anna@coop.test>
    And I send a message signed by bank.test with selector s1 and altered in transit
    Then it is rejected with 550 "The DKIM signature of bank.test does not verify"

  Scenario: Mail for a domain we do not host goes to its MX
    Given these DNS records:
      | name             | type | value              |
      | partner.test     | MX   | 10 mx1.partner.test |
      | partner.test     | MX   | 20 mx2.partner.test |
      | mx1.partner.test | A    | 192.0.2.25          |
      | mx2.partner.test | A    | 192.0.2.26          |
    Then mail for <orders@partner.test> is routed by router "remote" to transport "remote_smtp"
    And mail for <orders@partner.test> is routed to host mx1.partner.test
    And mail for <orders@partner.test> is routed to host 192.0.2.26
