"""The session against the raw pipe: for generated command sequences, the replies an
EximSession gives each command are exactly the replies the same bytes get when piped at
once into `exim -bh`, in order. Whatever the session cannot keep in step (a line Exim
answers twice, PRDR's replies after the message), it must stop on, showing every reply,
never hand a reply to the wrong command.

Every run is in a private network whose DNS is the fake (answering nothing), so no
generated address makes Exim ask the real DNS.
"""

from __future__ import annotations

import re
from typing import Iterator

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from eximunit_bdd import (
    BhChannel,
    ConnectionClosedError,
    EximOptions,
    EximSession,
    EximUnitError,
    Received,
    UnsolicitedReplyError,
    UnsupportedCommandError,
)
from eximunit_bdd.fakes.dns_network import DnsNetwork
from eximunit_bdd.oneshot.run import run_exim
from eximunit_bdd.smtp.connection import Connection
from eximunit_bdd.smtp.reply import split_replies

from ..conftest import EXAMPLE_CONFIG
from .conftest import CONFIGS

CLIENT = "192.0.2.1"
#: How many sequences each run tries: bounded for CI; raise it to hunt.
EXAMPLES = 60

FIXED_COMMANDS = [
    "EHLO client.example", "HELO client.example", "EHLO", "HELO", "NOOP", "NOOP with words", "RSET",
    "HELP", "VRFY anna@coop.test", "VRFY", "EXPN staff", "MAIL FROM:<alice@example.net>", "MAIL FROM:<>",
    "MAIL FROM:<alice@example.net> PRDR", "MAIL FROM:<alice@example.net> SIZE=999999999",
    "MAIL FROM:<not an address>", "RCPT TO:<anna@coop.test>", "RCPT TO:<bea@bakery.test>",
    "RCPT TO:<nobody@coop.test>", "RCPT TO:<bob@other.example>", "RCPT TO:<postmaster>", "RCPT TO:<",
    "DATA", "QUIT", "mail from:<alice@example.net>", "XYZZY",
]  # fmt: skip
MESSAGES = [
    "Subject: hello\n\nHello.\n",
    "",
    ".\n..\n.leading dot\n",
    "Subject: long\n\n" + "x" * 1500 + "\n",
    "no headers at all\n",
    "Subject: eicar\n\nX5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*\n",
]


def _long_line(length: int) -> str:
    return "RCPT TO:<" + "a" * (length - len("RCPT TO:<@coop.test>")) + "@coop.test>"


commands = st.one_of(
    st.sampled_from(FIXED_COMMANDS),
    st.integers(16300, 16500).map(_long_line),  # around Exim's 16384-byte command buffer
    st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=40),
    st.text(st.characters(min_codepoint=0x80, max_codepoint=0x2FF), min_size=1, max_size=10).map(
        "NOOP ".__add__
    ),  # bytes beyond ASCII
)
steps = st.lists(
    st.one_of(
        commands.map(lambda line: ("command", line)),
        st.sampled_from(MESSAGES).map(lambda message: ("message", message)),
    ),
    min_size=1,
    max_size=8,
)
#: What differs between two runs of the same dialogue: the time, message ids.
_VARYING = re.compile(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d [-+]\d{4}|id=\S+")


class RecordingChannel:
    """A channel that passes everything to another and records the bytes sent."""

    def __init__(self, inner: BhChannel) -> None:
        self.inner = inner
        self.sent = b""
        self.description = inner.description
        self.traced = inner.traced

    def refusal(self, command: str) -> str | None:
        return self.inner.refusal(command)

    def send(self, data: str) -> None:
        self.sent += data.encode("utf-8", "surrogateescape")  # as BhChannel writes it
        self.inner.send(data)

    def receive(self, waiting_for: str | None) -> Received | None:
        return self.inner.receive(waiting_for)

    def unsolicited(self) -> Received | None:
        return self.inner.unsolicited()

    def close_input(self) -> None:
        self.inner.close_input()

    def ended(self, waiting_for: str | None) -> EximUnitError | None:
        return self.inner.ended(waiting_for)

    def starttls(self) -> None:
        self.inner.starttls()

    def close(self) -> None:
        self.inner.close()


@pytest.fixture(scope="module")
def world(private_tmp_module) -> Iterator[DnsNetwork]:
    with DnsNetwork() as world:
        yield world


@pytest.fixture(scope="module")
def options(world) -> EximOptions:
    return EximOptions(config=EXAMPLE_CONFIG, callouts=False, network=world.network)


@pytest.fixture(scope="module")
def private_tmp_module(tmp_path_factory) -> Iterator[None]:
    """Sandboxes in a directory of this module's own, checked to be empty at the end."""
    directory = tmp_path_factory.mktemp("differential")
    directory.chmod(0o755)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TMPDIR", str(directory))
        yield
    assert list(directory.iterdir()) == [], "a sandbox directory was left behind"


def _shown(replies: list[str]) -> list[str]:
    return [_VARYING.sub("*", reply) for reply in replies]


def _through_the_session(
    options: EximOptions, sequence: list[tuple[str, str]]
) -> tuple[list[list[str]], list[int], bytes]:
    """The replies each step got from a session (the greeting first), how many each
    should have got (one a command; a message sent with DATA, two), and the bytes sent."""
    channel = RecordingChannel(BhChannel(options, Connection(CLIENT).bh_arguments(callouts=False)))
    session = EximSession.over(channel, CLIENT)
    per_step = [[str(session.greeting)]]
    expected = [1]
    try:
        for kind, value in sequence:
            if not session.is_open:
                break
            if kind == "command" and session.in_data:
                continue  # the session refuses commands while Exim waits for the message
            before = len(session.replies)
            try:
                if kind == "command":
                    session.send(value)
                else:
                    session.send_message(value)
            except UnsupportedCommandError:
                continue  # STARTTLS, BDAT: refused before anything was sent
            except UnsolicitedReplyError as error:
                per_step.append([str(reply) for reply in error.replies])
                expected.append(len(error.replies))
                break
            except ConnectionClosedError:
                break  # the server had hung up: nothing was sent
            new = session.replies[before:]
            per_step.append([str(reply) for reply in new])
            data_went_on = any(reply.command == "DATA" and reply.code == 354 for reply in new)
            prdr = 1 + len(session.prdr_verdicts) if kind == "message" and session.prdr_verdicts else 0
            expected.append((2 if kind == "message" and data_went_on else 1) + prdr)
    finally:
        session.close()
    return per_step, expected, channel.sent


#: Sequences always tried besides the generated ones: what must never shift the replies.
KNOWN = [
    [("command", "MAIL FROM:<alice@example.net>"), ("command", _long_line(17000)),
     ("command", "RCPT TO:<anna@coop.test>"), ("command", "RCPT TO:<bob@other.example>")],
    [("command", "MAIL FROM:<alice@example.net>"), ("command", _long_line(16383)), ("command", "NOOP")],
    [("command", "EHLO client.example"), ("command", "MAIL FROM:<alice@example.net> PRDR"),
     ("command", "RCPT TO:<anna@coop.test>"), ("command", "RCPT TO:<bea@bakery.test>"),
     ("message", MESSAGES[0]), ("command", "NOOP")],
    [("command", "HELO a"), ("command", "EHLO b"), ("command", "HELO c"), ("command", "RSET"),
     ("command", "MAIL FROM:<>"), ("command", "RCPT TO:<anna@coop.test>"), ("message", MESSAGES[2]),
     ("message", MESSAGES[1]), ("command", "QUIT")],
]  # fmt: skip


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # nothing written into the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
@given(sequence=steps)
@example(sequence=KNOWN[0])
@example(sequence=KNOWN[1])
@example(sequence=KNOWN[2])
@example(sequence=KNOWN[3])
def test_each_command_gets_the_replies_the_raw_pipe_gives_it(options, sequence):
    _check(options, sequence)


PRDR_SEQUENCES = [
    [("command", "EHLO x"), ("command", "MAIL FROM:<a@example.net> PRDR"),
     ("command", "RCPT TO:<anna@prdr.test>"), ("command", "RCPT TO:<refuses@prdr.test>"),
     ("command", "RCPT TO:<later@prdr.test>"),
     ("message", MESSAGES[0]), ("command", "NOOP")],
    [("command", "MAIL FROM:<a@example.net> PRDR"), ("command", "RCPT TO:<refuses@prdr.test>"),
     ("message", MESSAGES[2]), ("command", "MAIL FROM:<a@example.net> PRDR"), ("command", "RSET"),
     ("command", "MAIL FROM:<a@example.net>"), ("command", "RCPT TO:<anna@prdr.test>"),
     ("command", "RCPT TO:<refuses@prdr.test>"), ("message", MESSAGES[0])],
    [("command", "MAIL FROM:<a@example.net> PRDR"), ("command", "RCPT TO:<x@other.test>"),
     ("message", MESSAGES[0])],
]  # fmt: skip


@pytest.mark.parametrize("sequence", PRDR_SEQUENCES)
def test_prdr_verdicts_are_the_replies_the_raw_pipe_gives(world, sequence):
    _check(EximOptions(config=CONFIGS / "prdr.conf", callouts=False, network=world.network), sequence)


def _check(options: EximOptions, sequence: list[tuple[str, str]]) -> None:
    per_step, expected, sent = _through_the_session(options, sequence)
    raw = run_exim(options, *Connection(CLIENT).bh_arguments(callouts=False), input=sent)
    piped = [str(reply) for reply in split_replies(raw.stdout)]
    given_out = [reply for replies in per_step for reply in replies]
    assert _shown(piped[: len(given_out)]) == _shown(given_out), (sequence, per_step, piped)
    # What the raw pipe has beyond: at most Exim's answer to its input ending.
    assert all("lost input connection" in reply for reply in piped[len(given_out) :]), (sequence, piped)
    # One reply a command, or the session stopped on the step that got more, showing them all.
    assert [len(replies) for replies in per_step] == expected, (sequence, per_step)
