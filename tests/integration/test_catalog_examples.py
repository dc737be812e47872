"""Every example of the step catalog (docs/steps.md) runs, as a user would copy it, in
a behave feature against the bundled example configuration (examples/coop/exim4.conf).

An example alone often means nothing (a Then needs a reply to check), so the plan below
puts each one in a scenario after the steps that make it meaningful: its preamble, a
connection and a command, a message for a filter, a running server. Each example must
run: it passes or fails as a claim (an `AssertionError`), never undefined, ambiguous or
a spec-writing error (`StepUsageError`, `InvalidInputError`: behave's "error"). Every
example passes against the co-op but those in `FALSE_ON_THE_COOP`, which each end their
scenario so that nothing after them is skipped. The features run side by side, one
behave each, so that the whole takes a few seconds.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

from eximunit_bdd.cli.catalog import CatalogEntry, catalog_entries

from ..conftest import EXAMPLE_CONFIG, ROOT


@dataclass(frozen=True)
class Example:
    """The catalog's example of the step with this phrase (as the catalog writes it)."""

    phrase: str


Line = Union[str, Example]  # a step of the preamble, as written, or a catalog example

PRDR_CONFIG = ROOT / "tests" / "configs" / "prdr.conf"


def _message(*headers: str) -> str:
    """`Given the message:` with these headers (after a From:) and a short body."""
    lines = ["From: alice@example.net", *headers, "", "Hello."]
    return "\n".join(
        ["Given the message:", '  """', *(f"  {line}" if line else "" for line in lines), '  """']
    )


def _to_anna(ip: str) -> list[Line]:
    """A new connection from `ip` with a member of the bakery writing to anna."""
    return [
        f"Given a connection from {ip}",
        "When I send MAIL FROM <bea@bakery.test>",
        "When I send RCPT TO <anna@coop.test>",
    ]


#: Examples that are false claims against the co-op, and why.
FALSE_ON_THE_COOP = {
    # The co-op's retry section ends with a rule for every domain (`*`).
    "Then no retry rule applies to <ADDRESS>",
}

#: Feature: scenario: its lines. One feature is one behave run.
PLAN: dict[str, dict[str, list[Line]]] = {
    "one-shot checks": {
        "the configuration and its macros": [
            Example('Given the Exim configuration "PATH"'),
            Example('Given the macro NAME is "VALUE"'),
            'Then the option "recipients_max" is "2"',
        ],
        "routing and verification, the hub on a port of its own": [
            Example("Given mail comes from <SENDER>"),
            'Given the macro HUB_PORT is "2525"',
            Example('Then mail for <ADDRESS> is routed by router "ROUTER" to transport "TRANSPORT"'),
            Example('Then mail for <ADDRESS> is routed by router "ROUTER"'),
            Example("Then mail for <ADDRESS> is routed"),
            Example('Then mail for <ADDRESS> is routed to transport "TRANSPORT"'),
            Example('Then mail for <ADDRESS> is delivered to a file ending in "TEXT"'),
            Example("Then mail for <ADDRESS> makes COUNT deliveries"),
            Example("Then mail for <ADDRESS> makes 1 delivery"),
            Example("Then mail for <ADDRESS> is routed to host HOST"),
            Example("Then mail for <ADDRESS> is routed to host HOST port PORT"),
            Example("Then mail for <ADDRESS> is redirected to <TARGET>"),
            Example("Then mail for <ADDRESS> is discarded"),
            Example("Then mail for <ADDRESS> is undeliverable"),
            Example('Then mail for <ADDRESS> is undeliverable with "TEXT"'),
            Example("Then mail for <ADDRESS> is temporarily undeliverable"),
            Example('Then mail for <ADDRESS> is temporarily undeliverable with "TEXT"'),
            Example("Then <ADDRESS> verifies"),
            Example("Then <ADDRESS> fails to verify"),
            Example('Then <ADDRESS> fails to verify with "TEXT"'),
            Example("Then the sender <ADDRESS> verifies"),
            Example("Then the sender <ADDRESS> fails to verify"),
        ],
        "expansions, options and the build": [
            Example('Then expanding "STRING" gives "RESULT"'),
            Example('Then expanding "STRING" fails'),
            Example('Then expanding "STRING" fails with "TEXT"'),
            Example('Then the option "NAME" is "VALUE"'),
            Example('Then the option "NAME" is STATE'),
            Example('Then the option "NAME" of KIND "DRIVER" is "VALUE"'),
            Example('Then the option "NAME" of KIND "DRIVER" is STATE'),
            Example("Then the configuration is valid"),
            Example('Then Exim supports "NAME"'),
            Example('Then Exim supports the KIND "NAME"'),
            Example('Then Exim does not support "NAME"'),
            Example('Then the Exim version is "VERSION"'),
            Example('Then Exim has the option "NAME"'),
            Example('Then Exim has no option "NAME"'),
            Example("Then the Exim version is at least VERSION"),
        ],
        "a member's Sieve filter and the system filter on the lottery mail": [
            Example("Given the message:"),
            Example('Then expanding "STRING" with the message gives "RESULT"'),
            Example('When the filter "PATH" handles the message'),
            Example("Then the filter discards the message"),
            Example("Then normal delivery does not occur"),
            Example('When the filter "PATH" handles the message for <ADDRESS>'),
            "Then the filter discards the message",
            Example("When the system filter handles the message"),
            Example('Then the filter adds the header "NAME" with "TEXT"'),
            Example("Then normal delivery occurs"),
        ],
        "the system filter copies the board's mail and logs abuse reports": [
            _message("To: board@coop.test, abuse@coop.test", "Subject: spam from a member"),
            "When the system filter handles the message",
            Example("Then the filter delivers to <ADDRESS>"),
            Example('Then the filter pipes to "COMMAND"'),
        ],
        "the system filter archives the retired list's mail": [
            _message("To: old-list@coop.test", "Subject: harvest festival"),
            "When the system filter handles the message",
            Example('Then the filter saves to "PATH"'),
        ],
        "the system filter holds payment requests": [
            _message("To: bea@bakery.test", "Subject: urgent payment needed today"),
            "When the system filter handles the message",
            Example("Then the filter freezes the message"),
        ],
        "the system filter refuses programs": [
            _message("To: anna@coop.test", "Subject: invoice", "Content-Type: application/x-msdownload"),
            "When the system filter handles the message",
            Example('Then the filter fails the message with "TEXT"'),
        ],
        "a member's draft filter with a mistake": [
            _message("To: bea@bakery.test", "Subject: flour order 17"),
            'When the filter "examples/coop/filters/bea-draft.sieve" handles the message',
            Example('Then the filter reports an error with "TEXT"'),
        ],
        "rewriting and retry rules": [
            Example('Then rewriting <ADDRESS> gives <NEW> in "FIELD"'),
            Example("Then rewriting <ADDRESS> changes nothing"),
            Example('Then the retry rule for <ADDRESS> is "RULE"'),
            Example("Then no retry rule applies to <ADDRESS>"),
        ],
    },
    "SMTP sessions": {
        "a whole session, and a second message": [
            Example("Given a connection from IP"),
            Example("Given the client's host name is NAME"),
            Example('Given the client\'s ident is "IDENT"'),
            Example("When I send HELO NAME"),
            Example("When I send EHLO NAME"),
            Example('Then the server offers "EXTENSION"'),
            Example('Then the server does not offer "EXTENSION"'),
            Example("When I send MAIL FROM <ADDRESS>"),
            Example("When I send RCPT TO <ADDRESS>"),
            Example("When I send DATA"),
            Example("Then the reply is CODE"),
            Example("When I send the message:"),
            "Then it is accepted with 250",
            Example('Then the header "NAME" is added'),
            Example('Then the header "NAME" is added with "TEXT"'),
            Example('Then the header "NAME" is not added'),
            Example('Then the statement at line LINE of ACL "ACL" applied'),
            "When I send MAIL FROM <alice@example.net>",
            "When I send RCPT TO <anna@coop.test>",
            Example('When I send a message with subject "SUBJECT"'),
            "Then it is accepted",
            Example('When I send the command "LINE"'),
            Example('Then the reply is CODE "TEXT"'),
            Example("When I send QUIT"),
            Example("Then the server has closed the connection"),
            "Given a connection from 192.0.2.2",
            "When I send MAIL FROM <alice@example.net>",
            "When I send RCPT TO <anna@coop.test>",
            Example("When I send a random message"),
            "Then it is accepted",
        ],
        "the last reply, and what decided it": [
            "Given a connection from 192.0.2.1",
            "When I send MAIL FROM <alice@example.net>",
            Example("Then it is accepted"),
            Example("Then it is accepted with CODE"),
            Example('Then it is accepted with CODE "TEXT"'),
            Example("Then these recipients get these replies:"),
            Example('Then the log contains "TEXT"'),
            "When I send RCPT TO <anna@coop.test>",
            Example('Then the statement at line LINE of ACL "ACL" did not apply'),
            "When I send RCPT TO <friend@elsewhere.example>",
            Example("Then it is rejected"),
            Example("Then it is rejected with CODE"),
            Example('Then it is rejected with CODE "TEXT"'),
            Example('Then the reply contains "TEXT"'),
            Example('Then it was decided by the ACL "ACL" statement at line LINE'),
            Example('Then it was decided by the "VERB" statement at line LINE'),
            Example('Then it was decided by the "VERB" statement with message "TEXT"'),
            Example('Then it was decided by the "VERB" statement with log message "TEXT"'),
            "When I send RCPT TO <erik@choir.test>",
            Example("Then it is deferred"),
            Example("Then it is deferred with CODE"),
            Example('Then it is deferred with CODE "TEXT"'),
            Example("Then it was deferred by the statement at line LINE"),
            "When I send RCPT TO <bea@bakery.test>",
            Example('Then the ACL variable "NAME" contains "TEXT"'),
        ],
        "the greeting of a client and of a blocked host": [
            "Given a connection from 192.0.2.1",
            Example("Then the connection is accepted"),
            Example("Then the connection is accepted with CODE"),
            Example('Then the connection is accepted with CODE "TEXT"'),
            "Given a connection from 203.0.113.66",
            Example("Then the connection is rejected"),
            Example("Then the connection is rejected with CODE"),
            Example('Then the connection is rejected with CODE "TEXT"'),
        ],
        "the greeting during maintenance": [
            Example("Given the macro NAME is defined"),
            "Given a connection from 192.0.2.1",
            Example("Then the connection is deferred"),
            Example("Then the connection is deferred with CODE"),
            Example('Then the connection is deferred with CODE "TEXT"'),
        ],
        "MAIL FROM: a blocked sender, then more messages than an hour allows": [
            "Given a connection from 192.0.2.1",
            Example("Then MAIL FROM <ADDRESS> is rejected"),
            Example("Then MAIL FROM <ADDRESS> is rejected with CODE"),
            Example('Then MAIL FROM <ADDRESS> is rejected with CODE "TEXT"'),
            Example("Then MAIL FROM <ADDRESS> is accepted"),
            'When I send the command "RSET"',
            Example("Then MAIL FROM <ADDRESS> is accepted with CODE"),
            'When I send the command "RSET"',
            Example('Then MAIL FROM <ADDRESS> is accepted with CODE "TEXT"'),
            'When I send the command "RSET"',
            Example("Then MAIL FROM <ADDRESS> is deferred"),
            Example("Then MAIL FROM <ADDRESS> is deferred with CODE"),
            Example('Then MAIL FROM <ADDRESS> is deferred with CODE "TEXT"'),
        ],
        "RCPT TO: a member, nobody, a domain on the move": [
            "Given a connection from 192.0.2.1",
            "When I send MAIL FROM <alice@example.net>",
            Example("Then RCPT TO <ADDRESS> is accepted"),
            Example("Then RCPT TO <ADDRESS> is accepted with CODE"),
            Example('Then RCPT TO <ADDRESS> is accepted with CODE "TEXT"'),
            Example("Then RCPT TO <ADDRESS> is rejected"),
            Example("Then RCPT TO <ADDRESS> is rejected with CODE"),
            Example('Then RCPT TO <ADDRESS> is rejected with CODE "TEXT"'),
            Example("Then RCPT TO <ADDRESS> is deferred"),
            Example("Then RCPT TO <ADDRESS> is deferred with CODE"),
            Example('Then RCPT TO <ADDRESS> is deferred with CODE "TEXT"'),
        ],
        "other ports and addresses, members who logged in": [
            Example("Given a connection from IP to SERVER_IP port PORT"),
            "Then the connection is accepted",
            Example("Given a connection from IP on port PORT"),
            'Then MAIL FROM <anna@coop.test> is rejected with 530 "STARTTLS"',
            Example("Given a connection from IP with client port PORT"),
            "Then the connection is accepted",
            "Given a connection from 192.0.2.1",
            Example('Given the client has authenticated as "IDENTITY" with the authenticator "NAME"'),
            "When I send MAIL FROM <anna@coop.test>",
            "Then RCPT TO <friend@elsewhere.example> is accepted",
            "Given a connection from 192.0.2.1",
            "When I send EHLO laptop.example",
            Example('When I authenticate as "USER" with password "PASSWORD"'),
            "Then it is accepted with 235",
            "Given a connection from 192.0.2.1",
            "When I send EHLO laptop.example",
            Example('When I authenticate with LOGIN as "USER" with password "PASSWORD"'),
            "Then it is accepted with 235",
        ],
        "PRDR, with a configuration that enables it (the co-op's does not)": [
            f'Given the Exim configuration "{PRDR_CONFIG}"',
            "Given a connection from 192.0.2.1",
            Example("When I send MAIL FROM <ADDRESS> with PRDR"),
            "When I send RCPT TO <anna@prdr.test>",
            "When I send RCPT TO <refuses@prdr.test>",
            "When I send RCPT TO <later@prdr.test>",
            "When I send a random message",
            *(
                Example(f"Then the message is {verdict} for <ADDRESS>{detail}")
                for verdict in ("accepted", "rejected", "deferred")
                for detail in ("", " with CODE", ' with CODE "TEXT"')
            ),
        ],
    },
    "fake peers and a fake DNS": {
        "the hub knows its mailboxes; the scanners see nothing for a member who did not choose them": [
            Example('Given a fake SMTP server "NAME" that accepts only these recipients:'),
            Example('Given a fake spam scanner "NAME" that scores SCORE for messages containing "TEXT"'),
            Example('Given a fake virus scanner "NAME" that finds "VIRUS" in messages containing "TEXT"'),
            "Given a connection from 192.0.2.1",
            "When I send MAIL FROM <alice@example.net>",
            "Then RCPT TO <bob@shop.test> is accepted",
            "Then RCPT TO <anna@coop.test> is accepted",
            "When I send a random message",
            "Then it is accepted",
            Example('Then the fake SMTP server "NAME" was asked about <ADDRESS>'),
            Example('Then the fake SMTP server "NAME" was not asked about <ADDRESS>'),
            Example('Then the fake spam scanner "NAME" was not asked'),
            Example('Then the fake virus scanner "NAME" was not asked'),
        ],
        "the hub is down": [
            Example('Given a fake SMTP server "NAME" that accepts all recipients'),
            Example('Given the fake KIND "NAME" is down'),
            "Given a connection from 192.0.2.1",
            "When I send MAIL FROM <alice@example.net>",
            "Then RCPT TO <bob@shop.test> is deferred",
        ],
        "greylisting, and members logging in through Dovecot": [
            Example('Given a fake greylisting server "NAME"'),
            Example('Given a fake Dovecot auth server "NAME" with these users:'),
            "Given a connection from 192.0.2.1",
            "When I send MAIL FROM <alice@example.net>",
            'Then RCPT TO <dora@bookshop.test> is deferred with 451 "Greylisted"',
            "Given a connection from 192.0.2.1",
            "When I send EHLO laptop.example",
            'When I authenticate as "anna@coop.test" with password "orchard"',
            "Then it is accepted with 235",
        ],
        "a blocklist with its reason; SPF and the client's name": [
            Example('Given the DNS blocklist ZONE lists ADDRESS with "TEXT"'),
            Example("Given these DNS records:"),
            "Given a connection from 192.0.2.2",
            "When I send MAIL FROM <alice@example.net>",
            'Then RCPT TO <gina@garden.test> is rejected with 550 "sent spam to our traps"',
            "Given a connection from 192.0.2.1",
            Example("Given the client's reverse DNS name is NAME"),
            "When I send MAIL FROM <alice@example.net>",
            "Then RCPT TO <gina@garden.test> is accepted",
            'Then the header "X-Client-Name" is added with "mail.example.net"',
            "Given a connection from 192.0.2.66",
            "When I send MAIL FROM <alice@example.net>",
            'Then RCPT TO <gina@garden.test> is rejected with 550 "SPF"',
        ],
        "a blocklist's record written by hand": [
            Example('Given the DNS record NAME RECORD_TYPE "VALUE"'),
            "Given a connection from 192.0.2.2",
            "When I send MAIL FROM <alice@example.net>",
            "Then RCPT TO <gina@garden.test> is rejected",
            "Given a connection from 192.0.2.3",
            "When I send MAIL FROM <alice@example.net>",
            "Then RCPT TO <gina@garden.test> is accepted",
        ],
        "the blocklist lists a client": [
            Example("Given the DNS blocklist ZONE lists ADDRESS"),
            "Given a connection from 192.0.2.2",
            "When I send MAIL FROM <alice@example.net>",
            "Then RCPT TO <gina@garden.test> is rejected",
        ],
        "the blocklist's servers are down": [
            Example("Given DNS lookups for NAME fail temporarily"),
            "Given a connection from 192.0.2.2",
            "When I send MAIL FROM <alice@example.net>",
            "Then RCPT TO <gina@garden.test> is deferred",
        ],
        "DKIM signatures, good and altered": [
            Example("Given a DKIM key for DOMAIN with selector SELECTOR is published"),
            *_to_anna("192.0.2.11"),
            Example("When I send a message signed by DOMAIN with selector SELECTOR"),
            'Then the header "X-DKIM-Status" is added with "pass"',
            *_to_anna("192.0.2.12"),
            Example("When I send a message signed by DOMAIN"),
            'Then the header "X-DKIM-Status" is added with "pass"',
            *_to_anna("192.0.2.13"),
            Example("When I send a message signed by DOMAIN with selector SELECTOR and altered in transit"),
            'Then the header "X-DKIM-Status" is added with "fail"',
            *_to_anna("192.0.2.14"),
            Example("When I send a message signed by DOMAIN and altered in transit"),
            'Then the header "X-DKIM-Status" is added with "fail"',
        ],
    },
    "a live server": {
        "TLS on the submission ports, and the office's certificate": [
            Example('Given the Exim server is running with a TLS certificate for "NAME"'),
            "Given a connection from 192.0.2.1 to 127.0.0.1 port 587",
            "When I send EHLO laptop.example",
            Example("When I start TLS"),
            "Then it is accepted with 220",
            Example("Then the connection is encrypted"),
            Example('Then the connection is encrypted with "VERSION"'),
            Example('Then the server\'s certificate is for "NAME"'),
            Example("Given a TLS connection from IP to SERVER_IP port PORT"),
            "Then the connection is encrypted",
            "Given a connection from 192.0.2.44",
            "When I send EHLO pc7.office.coop.test",
            Example('When I start TLS with a client certificate for "NAME"'),
            "Then it is accepted with 220",
        ],
        "pipelining, the queue, the logs, early talkers and too many connections": [
            Example("Given the Exim server is running"),
            "Given a connection from 192.0.2.1",
            "When I send EHLO client.example",
            Example("When I send these commands at once:"),
            Example("Then the replies are:"),
            Example("When I drop the connection"),
            Example("Then no message is queued"),
            "Given a connection from 192.0.2.3",
            "When I send MAIL FROM <alice@example.net>",
            "Then RCPT TO <bob@other.example> is rejected",
            Example('Then the reject log contains "TEXT"'),
            Example("Given COUNT open connections from IP"),
            Example("Then a new connection from IP is refused with CODE"),
            "Given a connection from 192.0.2.2",
            "When I send MAIL FROM <alice@example.net>",
            "When I send RCPT TO <anna@coop.test>",
            'When I send a message with subject "minutes"',
            "Then it is accepted",
            Example("Then the message is queued"),
            Example('Then the queued message has the header "NAME" with "TEXT"'),
            Example('Then the queued message has the header "NAME"'),
            Example('Then the queued message does not have the header "NAME"'),
            Example("Then the queued message is for <ADDRESS>"),
            Example('Then the main log contains "TEXT"'),
            Example(
                'Then the queued message would be delivered to <ADDRESS> by router "ROUTER" '
                'and transport "TRANSPORT"'
            ),
        ],
        "mail for the shop would go to its server": [
            'Given a fake SMTP server "hub" that accepts all recipients',
            "Given the Exim server is running",
            "Given a connection from 192.0.2.1",
            "When I send MAIL FROM <alice@example.net>",
            "When I send RCPT TO <bob@shop.test>",
            "When I send a random message",
            Example("Then the queued message would be sent to host HOST"),
        ],
    },
    "a live server and clients that misbehave": {
        "an early talker is refused (its server's first connection: a later one may be greeted first)": [
            "Given the Exim server is running",
            "Given a connection from 192.0.2.1",
            Example('When I send "LINE" before the greeting'),
            'Then the connection is rejected with 554 "synchronization error"',
        ],
        "a silent client is let go": [
            Example("Given the SMTP command timeout is SECONDS seconds"),
            "Given the Exim server is running",
            "Given a connection from 192.0.2.1",
            Example("When I stay silent for SECONDS seconds"),
            'Then it is deferred with 421 "timeout"',
            "Then the server has closed the connection",
        ],
    },
}


def _planned() -> list[str]:
    return [
        line.phrase
        for scenarios in PLAN.values()
        for lines in scenarios.values()
        for line in lines
        if isinstance(line, Example)
    ]


def _gherkin(line: Line, entries: dict[str, CatalogEntry]) -> str:
    """The step as a feature has it: an example as the catalog writes it, with its
    docstring block or table."""
    return entries[line.phrase].gherkin if isinstance(line, Example) else line


def _feature(title: str, scenarios: dict[str, list[Line]], entries: dict[str, CatalogEntry]) -> str:
    out = [f"Feature: {title}"]
    for name, lines in scenarios.items():
        out += ["", f"  Scenario: {name}"]
        for line in lines:
            out += [f"    {text}" if text else "" for text in _gherkin(line, entries).splitlines()]
    return "\n".join(out) + "\n"


def test_the_plan_runs_every_catalog_example_and_only_those():
    phrases = {entry.phrase for entry in catalog_entries()}
    planned = set(_planned())
    assert sorted(phrases - planned) == [], "catalog examples that no scenario runs: add them to PLAN"
    assert sorted(planned - phrases) == [], "PLAN names phrases the catalog does not have"
    assert FALSE_ON_THE_COOP <= planned


def test_every_step_that_takes_a_table_or_a_docstring_shows_one():
    for entry in catalog_entries():
        takes = entry.pattern.endswith(":")
        assert bool(entry.argument) == takes, entry
        if takes:
            first = entry.argument.splitlines()[0]
            assert first == '"""' or first.startswith("|"), entry


def test_every_catalog_example_runs_against_the_example_configuration(tmp_path, private_tmp):
    entries = {entry.phrase: entry for entry in catalog_entries()}
    (tmp_path / "environment.py").write_text("from eximunit_bdd.environment import *\n")
    (tmp_path / "steps").mkdir()
    (tmp_path / "steps" / "eximunit.py").write_text("from eximunit_bdd.steps import *\n")
    (tmp_path / "examples").symlink_to(ROOT / "examples")  # the paths the examples name
    # One behave per feature, side by side (the live server's silence takes seconds):
    # the results as JSON, what went wrong in plain words.
    runs = {
        title: _start(tmp_path, number, _feature(title, scenarios, entries))
        for number, (title, scenarios) in enumerate(PLAN.items())
    }
    problems = []
    for title, (results, run) in runs.items():
        output, _ = run.communicate(timeout=300)
        assert results.exists() and results.read_text().strip(), f"{title}: behave did not run:\n{output}"
        ran = {
            element["name"]: element["steps"] for element in json.loads(results.read_text())[0]["elements"]
        }
        found = []
        for name, lines in PLAN[title].items():
            steps = ran.get(name, [])
            assert len(steps) == len(lines), f"{title}: {name}: behave ran {len(steps)} steps:\n{output}"
            for line, step in zip(lines, steps):
                found += _problems(line, step, _gherkin(line, entries).splitlines()[0])
        if found:
            problems += [*found, f"behave said:\n{output}"]
    assert not problems, "\n\n".join(problems)


def _start(directory: Path, number: int, feature: str) -> tuple[Path, subprocess.Popen[str]]:
    """Run behave on the feature in `directory`: its JSON results, and the run."""
    path = directory / f"catalog{number}.feature"
    path.write_text(feature)
    results = directory / f"catalog{number}.json"
    command = [
        sys.executable,
        "-m",
        "behave",
        "--no-color",
        "-f",
        "plain",
        "-f",
        "json",
        "-o",
        "-",
        "-o",
        results.name,
    ]
    command += ["-D", f"exim_config={EXAMPLE_CONFIG}", path.name]
    return results, subprocess.Popen(
        command, cwd=directory, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _problems(line: Line, step: dict[str, Any], written: str) -> list[str]:
    """What is wrong with a step's result: a catalog example must run and hold (or,
    for those in FALSE_ON_THE_COOP, fail as a claim); a preamble step must hold."""
    ran = f"{step['keyword']} {step['name']}"
    if ran != written:
        return [f"behave ran {ran!r} where the plan has {written!r}"]
    result = step.get("result", {})
    status = result.get("status", "not run")
    message = "\n".join(result.get("error_message") or [])
    if isinstance(line, Example):
        wanted = "failed" if line.phrase in FALSE_ON_THE_COOP else "passed"
        what = f"the catalog's example of {line.phrase!r}"
    else:
        wanted, what = "passed", "the preamble step"
    if status == wanted:
        return []
    return [f"{what}, {written!r}: {status}, not {wanted}\n{message}".rstrip()]
