Feature: Where mail for each address goes
  Exim is asked how it would route each address (exim -bt) and whether it verifies
  (exim -bv). Nothing is delivered and no connection is made: these checks cover the
  routers, the aliases and the mailboxes list, whatever the ACLs say.

  Scenario Outline: Every member's mailbox is delivered locally
    Then mail for <address> is routed by router "mailboxes" to transport "mailbox"
    And mail for <address> is routed
    And mail for <address> makes 1 delivery
    And <address> verifies

    Examples:
      | address            |
      | anna@coop.test     |
      | bea@bakery.test    |
      | carl@bakery.test   |
      | dora@bookshop.test |
      | erik@choir.test    |

  Scenario Outline: Every member's postmaster reaches the co-op office
    Then mail for <postmaster@<domain>> is redirected to <anna@coop.test>
    And mail for <postmaster@<domain>> is routed by router "mailboxes"

    Examples:
      | domain        |
      | coop.test     |
      | bakery.test   |
      | bookshop.test |
      | choir.test    |

  Scenario: Aliases lead through a chain and to several mailboxes
    Then mail for <board@coop.test> is redirected to <postmaster@coop.test>
    And mail for <board@coop.test> is redirected to <anna@coop.test>
    And mail for <info@bakery.test> is redirected to <bea@bakery.test>
    And mail for <info@bakery.test> is redirected to <carl@bakery.test>
    And mail for <info@bakery.test> makes 2 deliveries

  Scenario: Mail for the no-reply address is thrown away, not bounced
    Then mail for <noreply@coop.test> is discarded

  Scenario: Unknown and former addresses bounce with a reason
    Then mail for <nobody@coop.test> is undeliverable
    And mail for <nobody@coop.test> is undeliverable with "Unrouteable address"
    And mail for <former@coop.test> is undeliverable with "has left the co-op"
    And <nobody@coop.test> fails to verify
    And <former@coop.test> fails to verify with "write to office@coop.test"

  Scenario: A mailbox being moved keeps its mail waiting
    Then mail for <treasurer@coop.test> is temporarily undeliverable
    And mail for <treasurer@coop.test> is temporarily undeliverable with "try again later"

  Scenario: shop.test's mail goes to the member's own server
    Given the macro HUB_PORT is "2525"
    Then mail for <bob@shop.test> is routed by router "hubbed" to transport "hub_smtp"
    And mail for <bob@shop.test> is routed to transport "hub_smtp"
    And mail for <bob@shop.test> is routed to host 127.0.0.1
    And mail for <bob@shop.test> is routed to host 127.0.0.1 port 2525

  Scenario: The hub stands in for the member's server, on a port of its own
    Given a fake SMTP server "hub" that accepts all recipients
    Then mail for <sales@shop.test> is routed by router "hubbed"
    And mail for <sales@shop.test> is routed to host 127.0.0.1

  Scenario: Members verify as senders; an address nobody has does not
    Given mail comes from <alice@example.net>
    Then the sender <anna@coop.test> verifies
    And the sender <nobody@coop.test> fails to verify
    And mail for <anna@coop.test> is routed by router "mailboxes"
