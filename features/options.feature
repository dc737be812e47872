Feature: The configuration's settings and the Exim it runs on
  Exim is asked what it read (exim -bP), what strings expand to (exim -be) and what
  this build can do (exim -bV). A typo in the configuration shows up here first.

  Scenario: The configuration is valid
    Then the configuration is valid

  Scenario: Limits and switches
    Then the option "message_size_limit" is "20M"
    And the option "recipients_max" is "50"
    And the option "primary_hostname" is "mx.coop.test"
    And the option "spamd_address" is set
    And the option "helo_lookup_domains" is unset
    And the option "smtp_enforce_sync" is true
    And the option "split_spool_directory" is false
    And the option "smtp_enforce_sync" is "true"

  Scenario: A macro changes a limit
    Given the macro RECIPIENTS_MAX is "5"
    Then the option "recipients_max" is "5"

  Scenario: Routers and transports
    Then the option "driver" of router "hubbed" is "manualroute"
    And the option "route_list" of router "hubbed" is "* mail.shop.test"
    And the option "verify_recipient" of router "hubbed" is true
    And the option "unseen" of router "hubbed" is false
    And the option "port" of transport "hub_smtp" is "25"
    And the option "headers_add" of transport "hub_smtp" is unset
    And the option "directory" of transport "mailbox" is set

  Scenario: Members log in against the passwords file, or Dovecot where it runs
    Then the option "public_name" of authenticator "plain_server" is "PLAIN"
    And the option "server_set_id" of authenticator "login_server" is "$auth1"
    Given the macro DOVECOT_PORT is "12345"
    Then the option "driver" of authenticator "dovecot_plain" is "dovecot"
    And the option "server_socket" of authenticator "dovecot_login" is "127.0.0.1 12345"

  Scenario: Options this Exim has, and one it does not (a typo, or an option of another version)
    Then Exim has the option "smtp_accept_max"
    And Exim has no option "smtp_accept_maximum"

  Scenario Outline: Lookups in the co-op's lists
    Then expanding "${lookup{<address>}lsearch{$config_dir/aliases}}" gives "<target>"

    Examples:
      | address              | target               |
      | orders@bookshop.test | dora@bookshop.test   |
      | board@coop.test      | postmaster@coop.test |

  Scenario: Expansions with the configuration's own lists
    Then expanding "${if match_domain{bakery.test}{+local_domains}{local}{remote}}" gives "local"
    And expanding "${if match_domain{example.net}{+local_domains}{local}{remote}}" gives "remote"
    And expanding "$primary_hostname" gives "mx.coop.test"
    And expanding "${nosuchop{x}}" fails
    And expanding "${nosuchop{x}}" fails with "not a known operator"

  Scenario: The Exim build has what the configuration needs
    Then Exim supports "DKIM"
    And Exim supports "Content_Scanning"
    And Exim supports the lookup "lsearch"
    And Exim supports the router "manualroute"
    And Exim supports the transport "maildir"
    And Exim supports the malware scanner "clamd"
    And Exim does not support "Oracle"
    And the Exim version is at least 4.94
