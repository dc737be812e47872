# A feature is one promise of the mail policy, written so that every member can read
# it. Each scenario below is checked against the real Exim with the configuration
# named in behave.ini: Exim answers as if that client had connected, and nothing is
# ever delivered. Lines starting with # are comments, like this one.
#
# Run the suite with `behave`; for a report to read in a browser:
#     behave -f html -o report.html
# Every phrase you can use: `eximunit-bdd steps` (the step catalog).

Feature: Nobody outside our network may relay mail through our server
  An open relay lets strangers send spam in our name; it gets the server onto every
  blocklist within hours. (These lines under the title are free text, for people.)

  Scenario: A stranger cannot relay to another domain
    # 192.0.2.1 is an address reserved for documentation: a stranger.
    Given a connection from 192.0.2.1
    # The stranger's own domain exists, as a real sender's does: a server that checks
    # senders finds its mail server. (The scenario's DNS knows only what it declares,
    # and no question leaves this machine.)
    And the DNS record example.net MX "10 mail.example.net"
    And the DNS record mail.example.net A "192.0.2.25"
    When I send MAIL FROM <someone@example.net>
    Then it is accepted
    # Accepting the sender is fine; the recipient in a domain we don't handle is not,
    # and for that reason: not any refusal, but the one against relaying.
    When I send RCPT TO <someone@other.example>
    Then it is rejected with 550 "relay not permitted"

  # More promises to make about your own domains, once you know the answers:
  #
  # Scenario: Our postmaster receives mail from anyone
  #   Given a connection from 192.0.2.1
  #   When I send MAIL FROM <someone@example.net>
  #   Then RCPT TO <postmaster@your-domain.example> is accepted
  #
  # Scenario: Mail for the office goes to the right mailbox
  #   Then mail for <office@your-domain.example> is routed by router "local_user"

  Scenario: The configuration is one Exim accepts
    Then the configuration is valid
