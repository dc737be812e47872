"""`EximSession`: one SMTP conversation with Exim, driven over a `Channel` (by default
`exim -bhc IP` over pipes, a `BhChannel`)."""

from __future__ import annotations

import dataclasses
import os
import time
from typing import Any, Mapping, Optional

from ..errors import (
    ConnectionClosedError,
    InvalidInputError,
    StepUsageError,
    UnexpectedReplyError,
    UnsolicitedReplyError,
    UnsupportedCommandError,
)
from ..exim.inputs import check_address, check_line
from ..exim.options import EximOptions
from ..exim.sandbox import Sandbox
from ..trace.headers import Header
from ..trace.log import log_lines
from .auth import Mechanism, auth_lines
from .bh_channel import BhChannel
from .channel import Channel
from .connection import Connection
from .ehlo import last_ehlo_reply, offers
from .expectations import Verdict, expect_reply, smtp_failure, what
from .message import build_message, message_lines
from .reply import Reply, parse_reply, split_replies
from .transcript import Transcript

__all__ = ["EximSession", "DEFAULT_HELO_NAME"]

Code = Optional[int]  # an expected reply code, or None for any
Text = Optional[str]  # text expected within the reply, or None for any

#: The name sent when a step needs a greeting that the spec did not give.
DEFAULT_HELO_NAME = "client.example"
_BDAT_REFUSAL = (
    "BDAT (CHUNKING) must be followed by exactly the chunk's bytes, and eximunit sends "
    "commands line by line: send the message with DATA instead (When I send the message:, "
    "EximSession.send_message), which Exim's DATA ACL checks the same way."
)


class EximSession:
    """An SMTP conversation with a real Exim, by default in `-bhc` (or `-bh`)
    host-testing mode.

    Nothing is delivered: Exim runs its ACLs as if a client at `client_ip` connected,
    and answers. Use it as a context manager, or call `close()`.

    >>> with EximSession("192.0.2.1", config="examples/coop/exim4.conf") as s:  # doctest: +SKIP
    ...     s.mail_from("a@example.net").assert_rcpt_to_rejected("x@other.test", 550)
    """

    def __init__(
        self,
        client_ip: str = "127.0.0.1",
        *,
        config: str | os.PathLike[str] | None = None,
        exim: str | None = None,
        macros: Mapping[str, str | None] | None = None,
        callouts: bool = True,
        timeout: float = 10.0,
        client_port: int | None = None,
        server_ip: str | None = None,
        server_port: int | None = None,
        host_name: str | None = None,
        ident: str | None = None,
        authenticated_id: str | None = None,
        authenticator: str | None = None,
        helo_name: str = DEFAULT_HELO_NAME,
        options: EximOptions | None = None,
        channel: Channel | None = None,
        sandbox: Sandbox | None = None,
    ) -> None:
        """Start Exim and read its greeting (which may already be a rejection).

        The client is at `client_ip`:`client_port`, arriving at `server_ip`:`server_port`;
        `host_name`, `ident` and `authenticated_id` with `authenticator` tell Exim what it
        would otherwise find out (see `Connection`). `options` replaces
        config/exim/macros/callouts/timeout when given; `sandbox` is a spool to share
        with other sessions (a scenario's), else each has a fresh one of its own. With
        `channel` (see `over`), the conversation goes through it instead and no Exim
        is started here.
        """
        try:
            exim_arguments = (options, config, exim, macros, client_port, server_ip, server_port, host_name,
                              ident, authenticated_id, authenticator)  # fmt: skip
            if channel is not None and any(argument is not None for argument in exim_arguments):
                raise InvalidInputError(
                    "a session over a channel of its own takes no Exim options or addresses besides "
                    "the client's: the channel decides how it reaches the server."
                )
            self.options = options or EximOptions(exim, config, dict(macros or {}), callouts, timeout)
            self.connection = Connection(
                client_ip, client_port, server_ip, server_port, host_name, ident, authenticated_id,
                authenticator,
            )  # fmt: skip
            self.client_ip = self.connection.client_ip
            self.helo_name = check_line(helo_name, "HELO name")
        except BaseException:
            if channel is not None:
                channel.close()  # it was handed over to this session
            raise
        self.timeout = float(self.options.timeout)
        self.transcript = Transcript()
        self.replies: list[Reply] = []
        self.closed_by_server = False
        self.greeted = False
        self.in_data = False
        self._finished = False
        #: Set when Exim answered more than was asked: replies can no longer be told apart.
        self._stopped = False
        #: Whether the transaction asked for PRDR (MAIL FROM ... PRDR, accepted).
        self._prdr = False
        #: The last message's verdict for each recipient, by address, when PRDR was used.
        self.prdr_verdicts: dict[str, Reply] = {}
        self.channel: Channel = channel if channel is not None else self._bh_channel(sandbox)
        try:
            self.greeting = self._receive(None)
        except BaseException:
            self.close()
            raise

    @classmethod
    def connected(
        cls,
        connection: Connection,
        *,
        options: EximOptions | None = None,
        sandbox: Sandbox | None = None,
        channel: BhChannel | None = None,
    ) -> EximSession:
        """A session of `exim -bh` for `connection` (see `Connection`). `channel`: one
        started already for exactly this connection and `options` (an early start),
        whose greeting is read now."""
        if channel is None:
            return cls(connection.client_ip, options=options, sandbox=sandbox, **_told(connection))
        session = cls.over(channel, connection.client_ip)
        session.options = options or session.options
        session.connection = connection
        session.timeout = float(session.options.timeout)
        return session

    @classmethod
    def over(
        cls, channel: Channel, client_ip: str = "127.0.0.1", *, helo_name: str = DEFAULT_HELO_NAME
    ) -> EximSession:
        """A session whose conversation goes through `channel` (a live connection, or a
        `ScriptedChannel` in unit tests); reads the greeting now."""
        return cls(client_ip, helo_name=helo_name, channel=channel)

    # ---- the conversation -------------------------------------------------------------

    @property
    def last_reply(self) -> Reply:
        """The most recent reply (the greeting before any command)."""
        return self.replies[-1]

    @property
    def is_open(self) -> bool:
        """False once the server hung up (421, 221, a refused greeting) or close() ran."""
        return not (self.closed_by_server or self._finished)

    def send(self, line: str, *, shown: str | None = None) -> Reply:
        """Send one command line and return the reply, whatever it is. The transcript
        and the reply name it as `shown` (default: the line itself).

        Raises ConnectionClosedError if the server had already closed the connection,
        and UnsupportedCommandError, before sending, for a command this session cannot
        carry (STARTTLS in `-bh`, BDAT, a command while Exim waits for message text).
        """
        check_line(line, "SMTP command")
        refusal = self._refusal(line)
        if refusal is not None:
            raise UnsupportedCommandError(refusal)
        self._check_open(line)
        self._check_in_step(None, line)
        self.transcript.client(shown or line)
        self.channel.send(line + "\r\n")
        verb = line.split(" ", 1)[0].upper()
        if verb == "QUIT":
            # Closed before the reply is read: Exim otherwise waits ~200 ms for more input.
            self.channel.close_input()
        reply = self._receive(shown or line)
        self._follow(line, reply)
        return reply

    def _follow(self, line: str, reply: Reply) -> None:
        """What the reply to `line` changes: greeted, PRDR, TLS, the DATA state."""
        verb = line.split(" ", 1)[0].upper()
        if verb in ("MAIL", "RSET", "HELO", "EHLO"):  # a new transaction, or none
            self._prdr = verb == "MAIL" and reply.accepted and _asks_for_prdr(line)
        if verb in ("HELO", "EHLO") and reply.accepted:
            self.greeted = True
        elif verb == "STARTTLS" and reply.code == 220:
            said = self.channel.starttls()  # the conversation goes on over TLS ...
            if said:
                self.transcript.note(said)
            self.greeted = False  # ... and the client must greet again
        self.in_data = verb == "DATA" and reply.code == 354

    def starttls(self) -> Reply:
        """Send STARTTLS; after the server's 220 the conversation goes on over TLS,
        and the client must greet again. A `-bh` session refuses it at once."""
        return self.send("STARTTLS")

    def ensure_greeted(self) -> None:
        """Send `EHLO helo_name` unless a HELO/EHLO was already accepted."""
        if not self.greeted:
            self.send(f"EHLO {self.helo_name}")

    @property
    def ehlo_reply(self) -> Reply | None:
        """The EHLO reply whose extensions hold now (None before EHLO, after HELO or
        STARTTLS)."""
        return last_ehlo_reply(self.replies)

    def authenticate(self, user: str, password: str, mechanism: Mechanism = "PLAIN") -> Reply:
        """AUTH PLAIN (the credentials in the command) or AUTH LOGIN (answering the
        server's two 334 prompts); returns the last reply (235 when it worked). Refused
        before sending, as a StepUsageError, unless the EHLO reply offers the mechanism."""
        lines = auth_lines(mechanism, user, password)
        ehlo = self.ehlo_reply
        if ehlo is None:
            raise StepUsageError(
                f"AUTH {mechanism} needs the server's EHLO reply first (it says which mechanisms "
                "it offers): send EHLO before it (When I send EHLO client.example)."
            )
        if not offers(ehlo, f"AUTH {mechanism}"):
            raise StepUsageError(
                f"The server's EHLO reply does not offer AUTH {mechanism}, so AUTH was not sent:\n"
                + "\n".join(f"  {line}" for line in str(ehlo).split("\n"))
                + f'\nTo check that, write: Then the server does not offer "AUTH {mechanism}"; '
                'to send it anyway: When I send the command "AUTH ...".'
            )
        for line, shown in lines:
            reply = self.send(line, shown=shown)
            if reply.code != 334:
                break
        return reply

    def send_mail_from(self, address: str, *, prdr: bool = False) -> Reply:
        """`MAIL FROM:<address>` (greeting first if needed), with `PRDR` when asked:
        then, after the message, each recipient gets a verdict of its own
        (`prdr_verdicts`). Returns the reply."""
        command = f"MAIL FROM:<{check_address(address)}>" + (" PRDR" if prdr else "")
        self.ensure_greeted()
        return self.send(command)

    def send_rcpt_to(self, address: str) -> Reply:
        """`RCPT TO:<address>`; returns the reply."""
        return self.send(f"RCPT TO:<{check_address(address)}>")

    def send_message(self, message: str) -> Reply:
        """Send DATA (unless it was just accepted), then the message and the final dot.

        Returns the reply to the dot, or DATA's own reply when DATA was refused. After
        MAIL FROM with PRDR, Exim answers the dot with 353, a verdict for each recipient
        (kept in `prdr_verdicts`) and the final reply, which is returned.
        """
        if "\0" in message:
            raise InvalidInputError("the message contains NUL; nothing was sent.")
        if not self.in_data:
            reply = self.send("DATA")
            if reply.code != 354:
                return reply
        self._check_open(".")
        self._check_in_step(None, "the message")
        lines = message_lines(message)
        self.transcript.client_message(lines)
        self.in_data = False
        self.channel.send("".join(line + "\r\n" for line in lines) + ".\r\n")
        self.prdr_verdicts = {}
        reply = self._receive(".", then_check=False)
        if reply.code == 353 and self._prdr:  # PRDR: a verdict for each recipient, then the final reply
            for recipient in self._envelope()[1]:
                self.prdr_verdicts[recipient] = self._receive(".", then_check=False)
            reply = self._receive(".", then_check=False)
        self._prdr = False  # the transaction is over
        self._check_in_step(reply, None)
        return reply

    def send_at_once(self, lines: list[str]) -> list[Reply]:
        """Write several command lines in one go, as a pipelining client does (or one
        that ignores the rules), then read a reply for each, as far as the server gives
        them; returns those replies."""
        for line in lines:
            check_line(line, "SMTP command")
            self._check_open(line)
        self._check_in_step(None, lines[0])
        for line in lines:
            self.transcript.client(line)
        self.channel.send("".join(line + "\r\n" for line in lines))
        replies = []
        for line in lines:
            try:
                received = self.channel.receive(line)
            except BaseException:  # a timeout (the channel stopped), Ctrl-C, ...
                self.close()
                raise
            if received is None:  # the server hung up: the rest got no reply
                self.closed_by_server = True
                break
            reply = parse_reply(received.text, line, received.trace)
            self.replies.append(reply)
            self.transcript.server(reply)
            self._follow(line, reply)
            replies.append(reply)
            if reply.closes_connection():
                self.closed_by_server = True
                break
        if not self.closed_by_server:
            self._check_in_step(replies[-1] if replies else None, None)
        return replies

    def stay_silent(self, seconds: float) -> Reply | None:
        """Send nothing for `seconds`; then the reply the server sent meanwhile (a
        timeout's 421), recorded as the last one, or None if it sent nothing."""
        self.transcript.note(f"the client stays silent for {seconds:g} s")
        time.sleep(seconds)
        received = self.channel.unsolicited()
        if received is None:
            return None
        reply = parse_reply(received.text, "the silence", received.trace)
        self.replies.append(reply)
        self.transcript.server(reply)
        if reply.closes_connection():
            self.closed_by_server = True
        return reply

    def drop(self) -> None:
        """Hang up without QUIT, as a client that crashed or gave up."""
        self.transcript.note("the client drops the connection")
        self.close()

    # ---- fluent API: each raises UnexpectedReplyError unless accepted -------------------

    def helo(self, name: str | None = None) -> EximSession:
        return self._checked(self.send(f"HELO {name or self.helo_name}"), "accepted", None, None)

    def ehlo(self, name: str | None = None) -> EximSession:
        return self._checked(self.send(f"EHLO {name or self.helo_name}"), "accepted", None, None)

    def mail_from(self, address: str) -> EximSession:
        """`session.mail_from("a@example.net").rcpt_to("anna@coop.test")`"""
        return self._checked(self.send_mail_from(address), "accepted", None, None)

    def rcpt_to(self, address: str) -> EximSession:
        return self._checked(self.send_rcpt_to(address), "accepted", None, None)

    def data(self, message: str) -> EximSession:
        """Send a whole message (DATA, text, dot); both replies must be positive."""
        return self._checked(self.send_message(message), "accepted", None, None)

    def random_data(self) -> EximSession:
        """Send a generated message with a random body, addressed from the envelope."""
        return self.data(self.build_message())

    def quit(self) -> EximSession:
        return self._checked(self.send("QUIT"), "accepted", None, None)

    def build_message(self, subject: str | None = None, body: str | None = None) -> str:
        """A well-formed message whose From/To follow this session's envelope."""
        sender, recipients = self._envelope()
        return build_message(sender=sender, recipients=recipients, subject=subject, body=body)

    # ---- assertions ---------------------------------------------------------------------

    def expect(
        self, reply: Reply, verdict: Verdict | None = None, code: int | None = None, text: str | None = None
    ) -> Reply:
        """Raise UnexpectedReplyError (with the transcript) unless `reply` is as described."""
        return expect_reply(reply, self.transcript, verdict, code, text)

    def failure(self, headline: str) -> UnexpectedReplyError:
        """The error for a claim about the session as a whole (a header, a log line,
        which statement decided) that does not hold: the headline and the transcript,
        marking the last reply."""
        last = self.last_reply
        return smtp_failure(UnexpectedReplyError, headline, last, self.transcript, show_reply=False)

    def _checked(self, reply: Reply, verdict: Verdict, code: Code, text: Text) -> EximSession:
        self.expect(reply, verdict, code, text)
        return self

    def assert_mail_from_accepted(self, address: str, code: Code = None, text: Text = None) -> EximSession:
        return self._checked(self.send_mail_from(address), "accepted", code, text)

    def assert_mail_from_rejected(self, address: str, code: Code = None, text: Text = None) -> EximSession:
        return self._checked(self.send_mail_from(address), "rejected", code, text)

    def assert_mail_from_deferred(self, address: str, code: Code = None, text: Text = None) -> EximSession:
        return self._checked(self.send_mail_from(address), "deferred", code, text)

    def assert_rcpt_to_accepted(self, address: str, code: Code = None, text: Text = None) -> EximSession:
        return self._checked(self.send_rcpt_to(address), "accepted", code, text)

    def assert_rcpt_to_rejected(self, address: str, code: Code = None, text: Text = None) -> EximSession:
        """`session.assert_rcpt_to_rejected("x@other.test", 550, "relay not permitted")`"""
        return self._checked(self.send_rcpt_to(address), "rejected", code, text)

    def assert_rcpt_to_deferred(self, address: str, code: Code = None, text: Text = None) -> EximSession:
        return self._checked(self.send_rcpt_to(address), "deferred", code, text)

    def assert_data_rejected(self, message: str, code: Code = None, text: Text = None) -> EximSession:
        """The message (or DATA itself) is refused with a 5xx."""
        return self._checked(self.send_message(message), "rejected", code, text)

    def assert_data_deferred(self, message: str, code: Code = None, text: Text = None) -> EximSession:
        return self._checked(self.send_message(message), "deferred", code, text)

    def assert_connection_rejected(self, code: Code = None, text: Text = None) -> EximSession:
        """The greeting itself refused the client (connect ACL)."""
        return self._checked(self.greeting, "rejected", code, text)

    # ---- what Exim decided besides the reply ---------------------------------------------

    @property
    def traced(self) -> bool:
        """True when the replies carry Exim's ACL trace (`-bh`); a live one has none."""
        return self.channel.traced

    def require_trace(self, what: str) -> None:
        """Raise StepUsageError, naming `what` needed it, if this session has no trace."""
        if not self.traced:
            raise StepUsageError(
                f"{what} needs Exim's ACL trace, and this session ({self.channel.description}) has "
                "none: check it in a session of its own (Given a connection from IP, which runs exim -bh)."
            )

    @property
    def trace(self) -> list[str]:
        """Every stderr line of the session so far: ACL trace and LOG lines (a
        StepUsageError on a channel without them, rather than a quiet nothing)."""
        self.require_trace("EximSession.trace")
        return [line for reply in self.replies for line in reply.trace]

    @property
    def log_lines(self) -> list[str]:
        """Exim's `LOG:` lines for this session, without the prefix."""
        return log_lines(self.trace)

    @property
    def added_headers(self) -> list[Header]:
        """Headers the ACLs added (as `add_header` expanded them) during the session."""
        self.require_trace("EximSession.added_headers")
        return [header for reply in self.replies for header in reply.added_headers]

    # ---- life cycle ---------------------------------------------------------------------

    def close(self) -> None:
        """End the conversation and release its channel (Exim, its sandbox). Safe to
        call twice, and from any state."""
        if self._finished:
            return
        self._finished = True
        channel = getattr(self, "channel", None)
        if channel is not None:
            channel.close()

    def __enter__(self) -> EximSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "open" if self.is_open else "closed"
        channel = getattr(self, "channel", None)
        return f"<EximSession {self.client_ip} {state} {channel.description if channel else ''}>"

    # ---- internals ----------------------------------------------------------------------

    def _bh_channel(self, sandbox: Sandbox | None) -> BhChannel:
        return BhChannel(self.options, self.connection.bh_arguments(self.options.callouts), sandbox)

    def _refusal(self, line: str) -> str | None:
        """Why `line` cannot be sent now, or None: the session's own rules, then the channel's."""
        verb = line.split(" ", 1)[0].upper()
        if self.in_data and line != ".":
            return (
                f"Exim is waiting for the message text after DATA's 354, so {line!r} would be "
                "read as a line of the message: send the message (When I send the message:, "
                "EximSession.send_message), then the next command."
            )
        if verb == "BDAT":
            return _BDAT_REFUSAL
        return self.channel.refusal(line)

    def _check_open(self, line: str) -> None:
        if self.is_open:
            return
        last = self.replies[-1] if self.replies else None
        if self._stopped:
            headline = f"Cannot send {line}: the session stopped when Exim answered more than was asked."
            raise smtp_failure(ConnectionClosedError, headline, last, self.transcript)
        headline = f"Cannot send {line}: the server had already closed the connection" + (
            f" after replying {last.code}." if last else "."
        )
        raise smtp_failure(ConnectionClosedError, headline, last, self.transcript)

    def _receive(self, command: str | None, *, then_check: bool = True) -> Reply:
        """The next reply, recorded; then (unless the caller expects more replies to the
        same command) a check that Exim sent nothing else."""
        try:
            received = self.channel.receive(command)
        except BaseException:  # a timeout (the channel has stopped Exim), Ctrl-C, ...
            self.close()
            raise
        if received is None:
            raise self._ended_without_reply(command)
        reply = parse_reply(received.text, command, received.trace)
        self.replies.append(reply)
        self.transcript.server(reply)
        if reply.closes_connection(greeting=command is None):
            self.closed_by_server = True
        if then_check:
            self._check_in_step(reply, None)
        return reply

    def _check_in_step(self, answered: Reply | None, before: str | None) -> None:
        """Stop the session, with UnsolicitedReplyError, if Exim has sent replies no
        command asked for: after `answered` (a second reply to one command), or
        `before` a command is sent. Every later claim would be judged by the wrong reply."""
        received = self.channel.unsolicited()
        command = answered.command if answered is not None else None
        extra = list(split_replies(received.text, command, received.trace)) if received else []
        if not extra:
            return
        for reply in extra:
            self.replies.append(reply)
            self.transcript.server(reply)
        replies = ([answered] if answered is not None else []) + extra
        listed = "\n".join("  " + line for reply in replies for line in str(reply).split("\n"))
        if answered is not None:
            headline = f"Exim answered {what(answered)} {len(replies)} times:\n{listed}\n"
        else:
            headline = f"Before {before} was sent, Exim sent replies no command asked for:\n{listed}\n"
        headline += (
            "Claims are checked against the one reply each command gets, so the session stopped "
            "here rather than judge later steps by the wrong replies. (A command line longer than "
            "Exim's 16384-byte buffer is answered once for each piece.)"
        )
        self.transcript.note("the session stopped: Exim answered more than was asked")
        self._stopped = True
        error = smtp_failure(UnsolicitedReplyError, headline, extra[0], self.transcript, show_reply=False)
        error.replies = replies
        self.close()
        raise error

    def _ended_without_reply(self, command: str | None) -> Exception:
        """The error for a server that went away instead of answering; the session is closed."""
        self.closed_by_server = True
        error: Exception | None = self.channel.ended(command)
        if error is None:
            # The server hung up on purpose (an ACL "drop" after its reply, ...).
            last = self.replies[-1] if self.replies else None
            what = f"after replying {last.code}" if last else "before its greeting"
            headline = (
                f"The server closed the connection {what}, so {command or 'the connection'} got no reply."
            )
            error = smtp_failure(ConnectionClosedError, headline, last, self.transcript)
        self.close()
        return error

    def _envelope(self) -> tuple[str, list[str]]:
        sender: str = ""
        recipients: list[str] = []
        for reply in self.replies:
            command = reply.command or ""
            if command.upper().startswith("MAIL FROM:") and reply.accepted:
                sender, recipients = _between_brackets(command), []
            elif command.upper().startswith("RCPT TO:") and reply.accepted:
                recipients.append(_between_brackets(command))
        return sender, recipients


def _asks_for_prdr(mail_from: str) -> bool:
    """Does `MAIL FROM:<...> PARAMETERS` ask for PRDR?"""
    return "PRDR" in mail_from.rpartition(">")[2].upper().split()


def _between_brackets(command: str) -> str:
    start, end = command.find("<"), command.find(">")
    return command[start + 1 : end] if 0 <= start < end else ""


def _told(connection: Connection) -> dict[str, Any]:
    """The connection's parts besides the client's address, as EximSession's keywords."""
    fields = dataclasses.asdict(connection)
    del fields["client_ip"]
    return fields
