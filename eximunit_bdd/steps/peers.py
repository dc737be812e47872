"""Steps that declare fake peers (the other machines Exim talks to) and check what
they were asked. Each peer listens on a free port of 127.0.0.1, given to Exim as the
macro NAME_PORT, and lives until the end of the scenario."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from .. import fakes  # each fake is imported when a step first declares one
from ..bdd.scenario import ScenarioState
from ..errors import FakePeerAssertionError, StepUsageError
from ..fakes.peer import DownPeer, FakePeer
from ..text import counted, visible
from .registry import Context, given, scenario_state, table_column, then

if TYPE_CHECKING:  # pragma: no cover
    from ..fakes import FakeSmtpServer, RuleScanner

Declared = TypeVar("Declared", bound=FakePeer)


def _add(context: Context, make: type[FakePeer], name: str, *args: Any) -> None:
    state: ScenarioState = scenario_state(context)
    state.add_peer(make(name, *args, timeout=state.options.timeout))


def _add_rule(context: Context, make: type[RuleScanner[Any]], name: str, text: str, value: object) -> None:
    """One more rule for the running scanner of that name and kind, else a new one."""
    scanner = scenario_state(context).peer(name)
    if isinstance(scanner, make):
        scanner.add_rule(text, value)
    else:
        _add(context, make, name, [(text, value)])


@given('a fake SMTP server "{name:EximText}" that accepts all recipients')
def step_fake_smtp_all(context: Context, name: str) -> None:
    """Start a fake SMTP server (say, a member's own mail server that a hubbed domain
    is passed on to) that accepts every recipient. Exim finds it on 127.0.0.1 at the
    port in the macro NAME_PORT (here HUB_PORT).

    Example: Given a fake SMTP server "hub" that accepts all recipients
    """
    _add(context, fakes.FakeSmtpServer, name, None)


@given('a fake SMTP server "{name:EximText}" that accepts only these recipients:')
def step_fake_smtp_only(context: Context, name: str) -> None:
    """Start a fake SMTP server that accepts only the addresses in the table (column
    `address`); any other recipient gets `550 5.1.1 no such user`, as a callout to a
    real server would.

    Example: Given a fake SMTP server "hub" that accepts only these recipients:
                 | address       |
                 | bob@shop.test |
    """
    addresses = [row["address"].strip("<>") for row in table_column(context, "address")]
    _add(context, fakes.FakeSmtpServer, name, addresses)


@given('the fake {kind:EximPeerKind} "{name:EximText}" is down')
def step_fake_down(context: Context, kind: str, name: str) -> None:
    """Make the peer unreachable: its port is reserved but nothing answers, so Exim's
    connection is refused at once. Works for an SMTP server, a spam scanner, a virus
    scanner, a greylisting server and a Dovecot auth server (AUTH then gets 435); it
    replaces a peer of that name declared earlier.

    Example: Given the fake SMTP server "hub" is down
    """
    _add(context, DownPeer, name, kind)


@given(
    'a fake spam scanner "{name:EximText}" that scores {score:EximScore} '
    'for messages containing "{text:EximText}"'
)
def step_fake_spamd(context: Context, name: str, score: float, text: str) -> None:
    """Start a fake spamd (for Exim's `spam =` condition, with
    `spamd_address = 127.0.0.1 NAME_PORT`). A message containing TEXT (in its headers
    or body, any case) scores SCORE; other messages score 0.0. Repeat the step to add
    rules: the scores of all matching rules add up. 5.0 or more is spam.

    Example: Given a fake spam scanner "spamd" that scores 15.0 for messages containing "viagra"
    """
    _add_rule(context, fakes.FakeSpamd, name, text, score)


@given(
    'a fake virus scanner "{name:EximText}" that finds "{virus:EximText}" '
    'in messages containing "{text:EximText}"'
)
def step_fake_clamd(context: Context, name: str, virus: str, text: str) -> None:
    """Start a fake clamd (for Exim's `malware =` condition, with
    `av_scanner = clamd:127.0.0.1 NAME_PORT`) that reports the virus VIRUS in messages
    containing TEXT (any case); other messages are clean. Repeat the step to add rules.

    Example: Given a fake virus scanner "clamd" that finds "Eicar-Test" in messages containing "EICAR"
    """
    _add_rule(context, fakes.FakeClamd, name, text, virus)


@given('a fake greylisting server "{name:EximText}"')
def step_fake_greylistd(context: Context, name: str) -> None:
    """Start a fake greylistd (asked with `${readsocket{inet:127.0.0.1:NAME_PORT}{--grey
    HOST SENDER RECIPIENT}...}`): the first attempt of each triplet is grey ("true"),
    every retry in the same scenario is white ("false"). It has no clock: a retry
    counts however soon it comes.

    Example: Given a fake greylisting server "greylistd"
    """
    _add(context, fakes.FakeGreylistd, name)


@given('a fake Dovecot auth server "{name:EximText}" with these users:')
def step_fake_dovecot(context: Context, name: str) -> None:
    """Start a fake Dovecot auth service (for Exim's `driver = dovecot` authenticators,
    with `server_socket = 127.0.0.1 NAME_PORT`) that knows the users in the table
    (columns `user` and `password`) and offers PLAIN and LOGIN: the right password
    gets 235, any other 535.

    Example: Given a fake Dovecot auth server "dovecot" with these users:
                 | user           | password |
                 | anna@coop.test | orchard  |
    """
    users = {row["user"]: row["password"] for row in table_column(context, "user", "password")}
    _add(context, fakes.FakeDovecotAuth, name, users)


@then('the fake spam scanner "{name:EximText}" was not asked')
def step_spam_scanner_not_asked(context: Context, name: str) -> None:
    """Check that Exim gave the fake spam scanner no message in this scenario (the
    `spam =` condition was never reached, or its statement was skipped).

    Example: Then the fake spam scanner "spamd" was not asked
    """
    _assert_not_asked(_declared(context, fakes.FakeSpamd, name))


@then('the fake virus scanner "{name:EximText}" was not asked')
def step_virus_scanner_not_asked(context: Context, name: str) -> None:
    """Check that Exim gave the fake virus scanner no message in this scenario.

    Example: Then the fake virus scanner "clamd" was not asked
    """
    _assert_not_asked(_declared(context, fakes.FakeClamd, name))


def _assert_not_asked(scanner: RuleScanner[Any]) -> None:
    scanned = list(scanner.scanned)
    if scanned:
        shown = "\n".join(f"  {_first_line(message)}" for message in scanned)
        raise FakePeerAssertionError(
            f'Expected the fake {scanner.kind} "{scanner.name}" not to be asked, but it scanned '
            f"{counted(len(scanned), 'message')}:\n{shown}",
            scanned,
        )


def _first_line(message: bytes) -> str:
    """The message's Subject header, else its first line, as the scanner got it."""
    lines = message.decode("utf-8", "replace").splitlines()
    subject = next((line for line in lines if line.lower().startswith("subject:")), None)
    return visible(subject or (lines[0] if lines else "(empty)"))


def _declared(context: Context, kind: type[Declared], name: str, how: str = "") -> Declared:
    """The scenario's running fake of that kind named `name`, for a step that asks what
    it was asked; `how` is the Given that declares one, for the message."""
    peer = scenario_state(context).peer(name)
    if isinstance(peer, kind):
        return peer
    if peer is None:
        raise StepUsageError(
            f'there is no fake {kind.kind} "{name}" in this scenario: declare it first{how}.'
        )
    raise StepUsageError(f'"{name}" is {peer!r}, not a running fake {kind.kind}: nothing can have asked it.')


def _smtp_server(context: Context, name: str) -> FakeSmtpServer:
    how = f" with 'Given a fake SMTP server \"{name}\" that accepts all recipients'"
    return _declared(context, fakes.FakeSmtpServer, name, how)


def _asked(server: FakeSmtpServer) -> str:
    lines = [
        f"  MAIL FROM {seen.mail_from}: accepted {seen.accepted}, refused {seen.refused}"
        for seen in server.envelopes
    ]
    return "\n".join(lines) or "  (nothing: no MAIL FROM reached it)"


@then('the fake SMTP server "{name:EximText}" was asked about <{address:EximAddress}>')
def step_fake_smtp_asked(context: Context, name: str, address: str) -> None:
    """Check that some connection to the fake server (a callout, usually) sent
    RCPT TO for this address, whatever the answer was.

    Example: Then the fake SMTP server "hub" was asked about <bob@shop.test>
    """
    server = _smtp_server(context, name)
    if not server.asked_about(address):
        raise FakePeerAssertionError(
            f'Expected the fake SMTP server "{name}" to be asked about <{address}>. It was asked:\n'
            + _asked(server),
            server.envelopes,
        )


@then('the fake SMTP server "{name:EximText}" was not asked about <{address:EximAddress}>')
def step_fake_smtp_not_asked(context: Context, name: str, address: str) -> None:
    """Check that no connection to the fake server sent RCPT TO for this address
    (Exim decided without asking it).

    Example: Then the fake SMTP server "hub" was not asked about <anna@coop.test>
    """
    server = _smtp_server(context, name)
    if server.asked_about(address):
        raise FakePeerAssertionError(
            f'Expected the fake SMTP server "{name}" not to be asked about <{address}>. It was asked:\n'
            + _asked(server),
            server.envelopes,
        )
