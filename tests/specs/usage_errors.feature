Feature: Specs that cannot run: each scenario must end in a clear error

  Scenario: names a configuration that does not exist
    Given the Exim configuration "examples/no-such.conf"
    And a connection from 192.0.2.1
    Then MAIL FROM <alice@example.net> is accepted

  Scenario: talks before connecting
    When I send DATA

  Scenario: connects from something that is no IP address
    Given a connection from mail.example.net
    Then the connection is accepted

  Scenario: a table without its columns
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Then these recipients get these replies:
      | who            | code |
      | anna@coop.test | 250  |

  Scenario: asks a fake server that was never declared
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Then the fake SMTP server "hub" was asked about <bob@shop.test>

  Scenario: gives a fake peer a name that cannot be a macro
    Given a fake SMTP server "the hub" that accepts all recipients

  Scenario: declares a fake peer after the session started
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Given a fake SMTP server "hub" that accepts all recipients
    Then RCPT TO <bob@shop.test> is accepted

  Scenario: passes more macros than Exim takes
    Given a fake SMTP server "one" that accepts all recipients
    And a fake SMTP server "two" that accepts all recipients
    And a fake SMTP server "three" that accepts all recipients
    And a fake SMTP server "four" that accepts all recipients
    And a fake spam scanner "five" that scores 1 for messages containing "x"
    And a fake virus scanner "six" that finds "V" in messages containing "x"
    And a fake greylisting server "seven"
    And a fake greylisting server "eight"
    And a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>

  Scenario: asks for an option Exim does not have
    Then the option "mesage_size_limit" is "20M"

  Scenario: asks for a router the configuration does not have
    Then the option "driver" of router "hubs" is "manualroute"

  Scenario: calls a boolean option by a value
    Then the option "smtp_enforce_sync" is "maybe"

  Scenario: routes something that is not an address
    Then mail for <not an address> is undeliverable

  Scenario: asks for a version that is no number
    Then the Exim version is at least four

  Scenario: declares a DNS record of a type the fake DNS does not serve
    Given the DNS record _sip._tcp.partner.test SRV "10 5 5060 sip.partner.test"

  Scenario: declares an MX record without its preference
    Given the DNS record partner.test MX "mx1.partner.test"

  Scenario: names the client before connecting
    Given the client's reverse DNS name is mail.example.net

  Scenario: signs with one of two keys without saying which
    Given a connection from 192.0.2.3
    And a DKIM key for bakery.test with selector old is published
    And a DKIM key for bakery.test with selector new is published
    When I send MAIL FROM <news@bakery.test>
    And I send RCPT TO <anna@coop.test>
    And I send a message signed by bakery.test

  Scenario: starts TLS in an exim -bh session
    Given a connection from 192.0.2.1
    When I send EHLO client.example
    And I send the command "STARTTLS"

  Scenario: sends a command while Exim waits for the message
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    And I send DATA
    And I send RCPT TO <bea@bakery.test>

  Scenario: declares two fake peers whose macros are one
    Given a fake SMTP server "hub" that accepts all recipients
    And a fake SMTP server "HUB" that accepts all recipients

  Scenario: sets the macro a fake peer sets
    Given the macro HUB_PORT is "25"
    And a fake SMTP server "hub" that accepts all recipients

  Scenario: names a fake peer so that a macro of the configuration is the start of its macro
    Given a fake SMTP server "hub-host" that accepts all recipients

  Scenario: connects from a scoped IPv6 address
    Given a connection from fe80::1%eth0

  Scenario: names the client's host before connecting
    Given the client's host name is mail.example.net

  Scenario: asks for a PRDR verdict of a message sent without PRDR
    Given the Exim configuration "tests/configs/prdr.conf"
    And a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@prdr.test>
    And I send a message with subject "Minutes"
    Then the message is accepted for <anna@prdr.test>

  Scenario: asks about a spam scanner the scenario never declared
    Then the fake spam scanner "spamd" was not asked

  Scenario: asks whether an option with a space in its name exists
    Then Exim has the option "smtp accept max"

  Scenario: authenticates before EHLO
    Given a connection from 203.0.113.5
    When I authenticate as "anna@coop.test" with password "orchard"

  Scenario: authenticates on a server that does not offer AUTH
    Given the Exim configuration "tests/configs/acl_shapes.conf"
    And a connection from 203.0.113.5
    When I send EHLO laptop.example
    And I authenticate as "anna@coop.test" with password "orchard"

  Scenario: gives a fake Dovecot a table without passwords
    Given a fake Dovecot auth server "dovecot" with these users:
      | user           |
      | anna@coop.test |

  Scenario: asks what the server offers before EHLO
    Given a connection from 203.0.113.5
    When I send HELO laptop.example
    Then the server offers "AUTH PLAIN"

  Scenario: runs a filter file that does not exist
    Given the message:
      """
      Subject: hello

      Hi.
      """
    When the filter "examples/coop/filters/nobody.sieve" handles the message

  Scenario: runs a file that is no filter
    Given the message:
      """
      Subject: hello

      Hi.
      """
    When the filter "examples/coop/aliases" handles the message

  Scenario: gives a message without the empty line after its headers
    Given the message:
      """
      Subject: hello
      Hi.
      """

  Scenario: runs a filter without a message
    When the system filter handles the message

  Scenario: asks what a filter did before one ran
    Then normal delivery occurs

  Scenario: asks about a field rewriting does not print
    Then rewriting <anna@coop.test> gives <anna@coop.test> in "subject"

  Scenario: claims about a line where no statement starts
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    Then the statement at line 182 of ACL "acl_check_rcpt" did not apply

  Scenario: asks whether the server offers nothing
    Given a connection from 192.0.2.1
    When I send EHLO client.example
    Then the server offers ""

  Scenario: starts TLS without a live server
    Given a connection from 192.0.2.1
    When I send EHLO client.example
    And I start TLS

  Scenario: opens a TLS connection without a live server
    Given a TLS connection from 192.0.2.1 to 127.0.0.1 port 465

  Scenario: tells a live server the client's name
    Given the Exim server is running
    And a connection from 192.0.2.1
    And the client's host name is mail.example.net
    When I send EHLO client.example

  Scenario: checks replies of commands it never sent at once
    Given the Exim server is running
    And a connection from 192.0.2.1
    When I send EHLO client.example
    Then the replies are:
      | command | reply |
      | NOOP    | 250   |

  Scenario: runs a live server on a configuration Exim refuses
    Given the Exim configuration "tests/configs/broken.conf"
    And the Exim server is running
    And a connection from 192.0.2.1
    When I send EHLO client.example

  Scenario: sets the command timeout after the server started
    Given the Exim server is running
    And a connection from 192.0.2.1
    When I send EHLO client.example
    Given the SMTP command timeout is 2 seconds
