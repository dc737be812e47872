Feature: What the filters do with a message
  The co-op's system filter sees every message before it is routed: it keeps mail for
  the retired list in the archive, tags shouting subjects and refuses programs. Gina's
  own Sieve filter throws lottery mail away and files the seed-swap newsletter.

  Scenario: Mail for the retired list goes to the archive, not to the list
    Given the message:
      """
      From: bea@bakery.test
      To: old-list@coop.test
      Subject: Harvest festival

      See you all on Saturday.
      """
    When the system filter handles the message
    Then the filter saves to "/var/mail/coop/archive/old-list"
    And normal delivery does not occur

  Scenario: A subject that shouts is tagged, and the message goes on
    Given the message:
      """
      From: alice@example.net
      To: anna@coop.test
      Subject: Cheap seeds!!!

      Buy now.
      """
    When the system filter handles the message
    Then the filter adds the header "X-Coop-Shouting" with "yes"
    And normal delivery occurs
    And expanding "$h_subject:" with the message gives "Cheap seeds!!!"

  Scenario: A program sent by mail is refused
    Given mail comes from <alice@example.net>
    And the message:
      """
      From: alice@example.net
      To: anna@coop.test
      Subject: invoice
      Content-Type: application/x-msdownload

      MZ...
      """
    When the system filter handles the message
    Then the filter fails the message with "Programs are not accepted"

  Scenario: Gina's filter throws lottery mail away
    Given the message:
      """
      From: lucky@prizes.example
      To: gina@garden.test
      Subject: You won the lottery

      Claim your prize.
      """
    When the filter "examples/coop/filters/gina.sieve" handles the message for <gina@garden.test>
    Then the filter discards the message
    And normal delivery does not occur

  Scenario: Gina's filter files the seed-swap newsletter and keeps the rest
    Given the message:
      """
      From: news@seeds.example
      To: gina@garden.test
      List-Id: <seed-swap.seeds.example>
      Subject: Seed swap, March

      This month's seeds.
      """
    When the filter "examples/coop/filters/gina.sieve" handles the message for <gina@garden.test>
    Then the filter saves to "Newsletters"
    And normal delivery does not occur

  Scenario: The board's mail is copied to the secretary, abuse reports are logged
    Given the message:
      """
      From: carl@bakery.test
      To: board@coop.test, abuse@coop.test
      Subject: Spam from a member's server

      Please look into it.
      """
    When the system filter handles the message
    Then the filter delivers to <anna@coop.test>
    And the filter pipes to "/usr/local/bin/coop-abuse-report"
    And normal delivery occurs

  Scenario: A request for an urgent payment is held for the postmaster
    Given the message:
      """
      From: treasurer@coop.test
      To: bea@bakery.test
      Subject: urgent payment needed today

      Please transfer the money.
      """
    When the system filter handles the message
    Then the filter freezes the message

  Scenario: A member's draft filter with a mistake is not installed
    Given the message:
      """
      From: mill@flour.example
      To: bea@bakery.test
      Subject: flour order 17

      Ten sacks.
      """
    When the filter "examples/coop/filters/bea-draft.sieve" handles the message for <bea@bakery.test>
    Then the filter reports an error with "missing semicolon"
    And normal delivery occurs
