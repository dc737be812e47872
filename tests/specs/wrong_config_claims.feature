Feature: False claims about routing, verification, expansions, options and the build
  One for each routing and inspection step: every scenario must fail, showing what
  Exim actually said.

  Scenario: claims a mailbox is routed by the wrong router and transport
    Then mail for <anna@coop.test> is routed by router "hubbed" to transport "hub_smtp"

  Scenario: claims a redirect router delivers
    Then mail for <postmaster@coop.test> is routed by router "aliases"

  Scenario: claims a local mailbox goes to a host
    Then mail for <anna@coop.test> is routed to host mail.shop.test

  Scenario: claims the hub listens on another port
    Given the macro HUB_PORT is "2525"
    Then mail for <bob@shop.test> is routed to host 127.0.0.1 port 25

  Scenario: claims a redirect that is not there
    Then mail for <board@coop.test> is redirected to <bea@bakery.test>

  Scenario: claims a real mailbox is discarded
    Then mail for <anna@coop.test> is discarded

  Scenario: claims a discarded address bounces
    Then mail for <noreply@coop.test> is undeliverable

  Scenario: claims the wrong bounce reason
    Then mail for <former@coop.test> is undeliverable with "mailbox full"

  Scenario: claims a mailbox is on hold
    Then mail for <dora@bookshop.test> is temporarily undeliverable

  Scenario: claims the wrong reason for the hold
    Then mail for <treasurer@coop.test> is temporarily undeliverable with "over quota"

  Scenario: claims an unknown address verifies
    Then <nobody@coop.test> verifies

  Scenario: claims a mailbox fails to verify
    Then <anna@coop.test> fails to verify

  Scenario: claims the wrong verification failure
    Then <nobody@coop.test> fails to verify with "has left"

  Scenario: claims the wrong expansion
    Then expanding "${lookup{orders@bookshop.test}lsearch{$config_dir/aliases}}" gives "carl@bakery.test"

  Scenario: claims a good expansion fails
    Then expanding "$primary_hostname" fails

  Scenario: claims the wrong expansion failure
    Then expanding "${nosuchop{x}}" fails with "division by zero"

  Scenario: claims the wrong size limit
    Then the option "message_size_limit" is "5M"

  Scenario: claims an empty option is set
    Then the option "helo_lookup_domains" is set

  Scenario: claims the wrong router option
    Then the option "driver" of router "hubbed" is "accept"

  Scenario: claims a router switch is on
    Then the option "unseen" of router "hubbed" is true

  Scenario: claims a broken configuration is valid
    Given the Exim configuration "tests/configs/broken.conf"
    Then the configuration is valid

  Scenario: claims a lookup this build lacks
    Then Exim supports "Oracle"

  Scenario: claims a feature of the wrong kind
    Then Exim supports the lookup "DKIM"

  Scenario: claims a feature is missing
    Then Exim does not support "DKIM"

  Scenario: claims a future version
    Then the Exim version is at least 9.1

  Scenario: claims an unknown address is routed
    Then mail for <nobody@coop.test> is routed

  Scenario: claims a mailbox goes out through the hub's transport
    Then mail for <anna@coop.test> is routed to transport "hub_smtp"

  Scenario: claims an alias for two makes one delivery
    Then mail for <info@bakery.test> makes 1 delivery

  Scenario: claims a mailbox makes two deliveries
    Then mail for <anna@coop.test> makes 2 deliveries

  Scenario: claims an option that this Exim does not have
    Then Exim has the option "smtp_accept_maximum"

  Scenario: claims a real option is missing
    Then Exim has no option "message_size_limit"

  Scenario: claims the wrong exact version
    Then the Exim version is "4.0"

  Scenario: claims anyone's mail takes the route for one sender
    Given the Exim configuration "tests/configs/routing.conf"
    Then mail for <x@sender.test> is routed by router "from_vip"

  Scenario: claims an address nobody has verifies as a sender
    Then the sender <nobody@coop.test> verifies

  Scenario: claims a member fails to verify as a sender
    Then the sender <anna@coop.test> fails to verify

  Scenario: claims a mailbox is a Maildir elsewhere
    Then mail for <anna@coop.test> is delivered to a file ending in "Maildir"

  Scenario: claims the wrong option of an authenticator
    Then the option "server_set_id" of authenticator "plain_server" is "$auth1"

  Scenario: claims the system filter delivers the list's mail to the list
    Given the message:
      """
      To: old-list@coop.test
      Subject: Harvest festival

      Saturday.
      """
    When the system filter handles the message
    Then the filter delivers to <old-list@coop.test>

  Scenario: claims the system filter keeps the list's mail where it was going
    Given the message:
      """
      To: old-list@coop.test
      Subject: Harvest festival

      Saturday.
      """
    When the system filter handles the message
    Then normal delivery occurs

  Scenario: claims the archive is elsewhere
    Given the message:
      """
      To: old-list@coop.test

      Saturday.
      """
    When the system filter handles the message
    Then the filter saves to "/var/mail/archive"

  Scenario: claims abuse reports go to another program
    Given the message:
      """
      To: abuse@coop.test

      Spam.
      """
    When the system filter handles the message
    Then the filter pipes to "/usr/bin/logger"

  Scenario: claims a quiet subject is tagged
    Given the message:
      """
      Subject: minutes

      Tuesday.
      """
    When the system filter handles the message
    Then the filter adds the header "X-Coop-Shouting" with "yes"

  Scenario: claims the minutes do not go where they were sent
    Given the message:
      """
      Subject: minutes

      Tuesday.
      """
    When the system filter handles the message
    Then normal delivery does not occur

  Scenario: claims a program is refused with other words
    Given the message:
      """
      Content-Type: application/x-msdownload

      MZ
      """
    When the system filter handles the message
    Then the filter fails the message with "virus"

  Scenario: claims an ordinary message is frozen
    Given the message:
      """
      Subject: minutes

      Tuesday.
      """
    When the system filter handles the message
    Then the filter freezes the message

  Scenario: claims Gina's filter discards her newsletter
    Given the message:
      """
      List-Id: <seed-swap.seeds.example>

      Seeds.
      """
    When the filter "examples/coop/filters/gina.sieve" handles the message for <gina@garden.test>
    Then the filter discards the message

  Scenario: claims Gina's filter has an error
    Given the message:
      """
      Subject: hello

      Hi.
      """
    When the filter "examples/coop/filters/gina.sieve" handles the message for <gina@garden.test>
    Then the filter reports an error with "semicolon"

  Scenario: claims an office address is rewritten to another domain
    Then rewriting <anna@pc7.office.coop.test> gives <anna@office.coop.test> in "from"

  Scenario: claims an office address is left alone
    Then rewriting <anna@pc7.office.coop.test> changes nothing

  Scenario: claims the shop gets the default retry rule
    Then the retry rule for <bob@shop.test> is "F,2h,15m; G,16h,1h,1.5; F,4d,6h"

  Scenario: claims no retry rule applies to the shop
    Then no retry rule applies to <bob@shop.test>

  Scenario: claims the wrong subject with the message
    Given the message:
      """
      Subject: minutes

      Tuesday.
      """
    Then expanding "$h_subject:" with the message gives "agenda"
