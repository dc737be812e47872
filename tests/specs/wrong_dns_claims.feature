Feature: False claims about DNS-based checks
  One for each DNS step and each example DNS check: every scenario must fail, showing
  what Exim answered with the scenario's DNS.

  Scenario: claims a listed client is accepted
    Given a connection from 192.0.2.2
    And the DNS blocklist bl.coop.test lists 192.0.2.2 with "sent spam to our traps"
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <gina@garden.test> is accepted

  Scenario: claims an unlisted client is refused
    Given a connection from 192.0.2.3
    And the DNS blocklist bl.coop.test lists 192.0.2.2
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <gina@garden.test> is rejected

  Scenario: claims a blocklist failure goes unnoticed
    Given a connection from 192.0.2.3
    And DNS lookups for bl.coop.test fail temporarily
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <gina@garden.test> is accepted

  Scenario: claims an SPF fail is accepted
    Given a connection from 192.0.2.3
    And the DNS record example.net TXT "v=spf1 ip4:198.51.100.0/24 -all"
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <gina@garden.test> is accepted

  Scenario: claims an SPF pass is marked as a softfail
    Given a connection from 192.0.2.3
    And these DNS records:
      | name        | type | value                        |
      | example.net | TXT  | v=spf1 ip4:192.0.2.0/24 -all |
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <gina@garden.test> is accepted
    And the header "X-SPF" is added

  Scenario: claims a name for a client DNS does not name
    Given a connection from 192.0.2.3
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <gina@garden.test>
    Then the header "X-Client-Name" is added

  Scenario: claims a good signature fails
    Given a connection from 192.0.2.3
    And a DKIM key for bakery.test with selector mail2026 is published
    When I send MAIL FROM <news@bakery.test>
    And I send RCPT TO <anna@coop.test>
    And I send a message signed by bakery.test
    Then the header "X-DKIM-Status" is added with "fail"

  Scenario: claims a message altered in transit passes
    Given a connection from 192.0.2.3
    And a DKIM key for bakery.test with selector mail2026 is published
    When I send MAIL FROM <news@bakery.test>
    And I send RCPT TO <anna@coop.test>
    And I send a message signed by bakery.test with selector mail2026 and altered in transit
    Then the header "X-DKIM-Status" is added with "pass"

  Scenario: claims a forged bank.test message is accepted
    Given a connection from 192.0.2.3
    And a DKIM key for bank.test with selector s1 is published
    When I send MAIL FROM <service@bank.test>
    And I send RCPT TO <anna@coop.test>
    And I send a message signed by bank.test and altered in transit
    Then it is accepted

  Scenario: claims the wrong MX host
    Given the DNS record partner.test MX "10 mx1.partner.test"
    And the DNS record mx1.partner.test A "192.0.2.25"
    Then mail for <orders@partner.test> is routed to host mx9.partner.test

  Scenario: claims a CNAME leads elsewhere
    Given the DNS record www.partner.test CNAME "partner.test"
    And the DNS record partner.test A "192.0.2.25"
    Then expanding "${lookup dnsdb{a=www.partner.test}}" gives "192.0.2.99"

  Scenario: claims the wrong name for an address
    Given these DNS records:
      | name                   | type | value            |
      | 25.2.0.192.in-addr.arpa | PTR  | mx1.partner.test |
      | mx1.partner.test       | AAAA | 2001:db8::25     |
    Then expanding "${lookup dnsdb{ptr=192.0.2.25}} ${lookup dnsdb{aaaa=mx1.partner.test}}" gives "mx9.partner.test"

  Scenario: claims the client's reverse DNS name is not confirmed
    Given a connection from 192.0.2.3
    And the client's reverse DNS name is mail.example.net
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <gina@garden.test> is accepted
    And the header "X-Client-Name" is added with "unknown"
