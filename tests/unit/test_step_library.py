"""The step library: every public phrase is there, documented, and unambiguous."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from behave.model import Step
from behave.step_registry import registry

import eximunit_bdd.steps  # noqa: F401 - the aggregator must import and register

#: Every phrase of the vocabulary's sections "Which Exim, which configuration",
#: "An SMTP session", "What the server decided besides the reply", "Routing,
#: verification, expansion, options" and "Fake peers", made concrete.
VOCABULARY = """
Given the Exim server is running
Given the Exim server is running with a TLS certificate for "mx.coop.test"
Given a TLS connection from 192.0.2.1 to 127.0.0.1 port 465
When I start TLS
When I start TLS with a client certificate for "pc7.office.coop.test"
Then the connection is encrypted
Then the connection is encrypted with "TLSv1.3"
Then the server's certificate is for "mx.coop.test"
When I send these commands at once:
Then the replies are:
When I send "EHLO hasty.example" before the greeting
When I drop the connection
When I stay silent for 2 seconds
Given the SMTP command timeout is 1 seconds
Given 3 open connections from 192.0.2.7
Then a new connection from 192.0.2.7 is refused with 421
Then the message is queued
Then no message is queued
Then the queued message has the header "X-Coop-Checked"
Then the queued message has the header "X-Coop-Checked" with "mx.coop.test"
Then the queued message does not have the header "X-Coop-Shouting"
Then the queued message is for <anna@coop.test>
Then the queued message would be delivered to <anna@coop.test> by router "mailboxes" and transport "mailbox"
Then the queued message would be sent to host 127.0.0.1
Then the main log contains "<= alice@example.net"
Then the reject log contains "relay attempt"
Given the message:
When the filter "examples/coop/filters/gina.sieve" handles the message
When the filter "examples/coop/filters/gina.sieve" handles the message for <gina@garden.test>
When the system filter handles the message
Then the filter delivers to <anna@coop.test>
Then the filter saves to "/var/mail/coop/archive/old-list"
Then the filter pipes to "/usr/local/bin/coop-abuse-report"
Then the filter adds the header "X-Coop-Shouting" with "yes"
Then normal delivery occurs
Then normal delivery does not occur
Then the filter fails the message with "Programs are not accepted"
Then the filter freezes the message
Then the filter discards the message
Then the filter reports an error with "missing semicolon"
Then rewriting <anna@pc7.office.coop.test> gives <anna@coop.test> in "from"
Then rewriting <anna@coop.test> changes nothing
Then the retry rule for <bob@shop.test> is "F,15m,5m; F,5d,30m"
Then no retry rule applies to <bob@nowhere.test>
Then expanding "$h_subject:" with the message gives "Cheap seeds!!!"
When I authenticate as "anna@coop.test" with password "orchard"
When I authenticate with LOGIN as "bea@bakery.test" with password "sourdough"
Then the server offers "AUTH PLAIN"
Then the server does not offer "AUTH CRAM-MD5"
Given a fake Dovecot auth server "dovecot" with these users:
Given the fake Dovecot auth server "dovecot" is down
Then the header "X-SPF" is not added
Then the statement at line 145 of ACL "acl_check_rcpt" did not apply
Then it was decided by the "deny" statement with log message "relay attempt"
Then the ACL variable "acl_m_reject_spam" contains "yes"
Then mail for <anna@coop.test> is delivered to a file ending in "coop.test/anna"
Then the option "server_set_id" of authenticator "plain_server" is "$auth2"
Then the fake spam scanner "spamd" was not asked
Then the fake virus scanner "clamd" was not asked
Given mail comes from <alice@example.net>
Then the sender <anna@coop.test> verifies
Then the sender <nobody@coop.test> fails to verify
Then mail for <anna@coop.test> is routed
Then mail for <bob@shop.test> is routed to transport "hub_smtp"
Then mail for <info@bakery.test> makes 2 deliveries
Then mail for <anna@coop.test> makes 1 delivery
Then Exim has the option "smtp_accept_max"
Then Exim has no option "smtp_accept_maximum"
Then the Exim version is "4.96"
Given the Exim configuration "examples/coop/exim4.conf"
Given the macro HUB_PORT is "2525"
Given the macro MAINTENANCE is defined
Given a connection from 192.0.2.1
Given a connection from 192.0.2.1 to 198.51.100.25 port 587
When I send HELO client.example
When I send EHLO client.example
When I send MAIL FROM <a@example.net>
When I send MAIL FROM <>
When I send RCPT TO <nobody@coop.test>
When I send DATA
When I send the message:
When I send a message with subject "Hello there"
When I send a random message
When I send the command "VRFY anna@coop.test"
When I send QUIT
Then it is accepted
Then it is rejected
Then it is deferred
Then it is rejected with 550
Then it is deferred with 451
Then the reply is 354
Then it is rejected with 550 "relay not permitted"
Then it is deferred with 451 "try again"
Then it is accepted with 250 "OK"
Then the reply contains "relay"
Then the connection is rejected
Then the connection is rejected with 554
Then MAIL FROM <a@example.net> is accepted
Then MAIL FROM <a@example.net> is rejected
Then MAIL FROM <a@example.net> is rejected with 550
Then MAIL FROM <a@example.net> is deferred with 451
Then RCPT TO <nobody@coop.test> is accepted
Then RCPT TO <nobody@coop.test> is rejected
Then RCPT TO <nobody@coop.test> is rejected with 550
Then RCPT TO <nobody@coop.test> is rejected with 550 "no such user"
Then RCPT TO <nobody@coop.test> is deferred
Then RCPT TO <nobody@coop.test> is deferred with 451
Then these recipients get these replies:
Then the header "X-Coop-Checked" is added
Then the header "X-Coop-Checked" is added with "192.0.2.1"
Then the log contains "rejected RCPT"
Then mail for <anna@coop.test> is routed by router "mailboxes" to transport "mailbox"
Then mail for <bob@shop.test> is routed to host 127.0.0.1
Then mail for <postmaster@coop.test> is redirected to <anna@coop.test>
Then mail for <nobody@coop.test> is undeliverable
Then mail for <nobody@coop.test> is undeliverable with "Unrouteable address"
Then <anna@coop.test> verifies
Then <nobody@coop.test> fails to verify
Then expanding "${if eq{1}{1}{yes}{no}}" gives "yes"
Then the option "message_size_limit" is "20M"
Then the configuration is valid
Given a fake SMTP server "hub" that accepts all recipients
Given a fake SMTP server "hub" that accepts only these recipients:
Given the fake SMTP server "hub" is down
Given a fake spam scanner "spamd" that scores 15.0 for messages containing "viagra"
Given a fake spam scanner "spamd" that scores 2 for messages containing "lottery"
Given a fake virus scanner "clamd" that finds "Eicar-Test-Signature" in messages containing "X5O!P%@AP"
""".strip().splitlines()


def _eximunit_steps():
    return [
        matcher
        for matchers in registry.steps.values()
        for matcher in matchers
        if matcher.func.__module__.startswith("eximunit_bdd.")
    ]


def _match(line: str):
    keyword, text = line.split(" ", 1)
    return registry.find_match(Step("vocabulary", 0, keyword, keyword.lower(), text))


@pytest.mark.parametrize("line", VOCABULARY)
def test_every_vocabulary_phrase_has_a_step(line):
    match = _match(line)
    assert match is not None, f"no step for: {line}"
    assert match.func.__module__.startswith("eximunit_bdd.steps")


def test_every_step_has_a_docstring_whose_example_is_that_step():
    steps = _eximunit_steps()
    assert len(steps) >= len(VOCABULARY)
    for matcher in steps:
        doc = matcher.func.__doc__ or ""
        example = re.search(r"^\s*Example: (.+)$", doc, re.M)
        assert example, f"{matcher.pattern}: no 'Example:' line in its docstring"
        match = _match(example.group(1).strip())
        assert match is not None and match.func is matcher.func, (
            f"the example of {matcher.pattern!r} runs another step: {example.group(1)!r}"
        )
        first = doc.strip().splitlines()[0]
        assert len(first) > 20, f"{matcher.pattern}: say what it checks in words"


def test_addresses_of_routing_steps_parse_with_or_without_brackets():
    # A Scenario Outline turns "mail for <address>" into a bare address.
    for line in ("Then mail for <a b@c> is undeliverable", "Then mail for a@c is undeliverable"):
        assert _match(line).func.__name__ == "step_undeliverable"
    bare = _match('Then mail for postmaster@coop.test is routed by router "mailboxes"')
    assert bare.arguments[0].value == "postmaster@coop.test"
    assert _match("Then mail for <a@c> is redirected to b@d").arguments[1].value == "b@d"
    option = _match('Then the option "port" of transport "hub_smtp" is "25"')
    assert option.func.__name__ == "step_driver_option_is"
    assert [arg.value for arg in option.arguments] == ["port", "transport", "hub_smtp", "25"]


def test_null_sender_and_quoted_text_parse_as_meant():
    match = _match('Then RCPT TO <> is rejected with 550 "say "no" politely"')
    assert match.arguments[0].value == "" and match.arguments[2].value == 'say "no" politely'
    assert _match("Then RCPT TO <a@b> is rejected with 5500") is None


def test_the_prefixed_matcher_matches_exactly_what_behave_s_parse_matcher_does():
    # eximunit's steps are registered with a matcher that compares the words before
    # the first parameter first: the same matches, with the same arguments.
    from behave.matchers import ParseMatcher
    from behave.step_registry import registry

    from eximunit_bdd.cli.catalog import catalog_entries
    from eximunit_bdd.steps.registry import PrefixedParseMatcher

    examples = [entry.example.split(" ", 1)[1] for entry in catalog_entries() if entry.example]
    examples += ["a connection from", "it is accepted with", "the reply is 2500", "RCPT TO <a@b> is rejected"]
    matchers = [matcher for matchers in registry.steps.values() for matcher in matchers]
    assert matchers and all(isinstance(matcher, PrefixedParseMatcher) for matcher in matchers)
    for matcher in matchers:
        plain = ParseMatcher(matcher.func, matcher.pattern, matcher.step_type)
        for text in examples:
            ours, theirs = matcher.match(text), plain.match(text)
            assert (ours is None) == (theirs is None), (matcher.pattern, text)
            if ours is not None:
                assert [(a.name, a.value) for a in ours.arguments] == [
                    (a.name, a.value) for a in theirs.arguments
                ]


def test_importing_eximunit_s_steps_leaves_the_suite_s_matcher_as_it_chose():
    code = (
        "from behave import use_step_matcher\n"
        "from behave.matchers import get_step_matcher_factory\n"
        "use_step_matcher('re')\n"
        "import eximunit_bdd.steps\n"
        "print(get_step_matcher_factory().current_matcher.NAME)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stdout.split() == ["re"], run.stdout + run.stderr
