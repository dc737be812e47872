"""`EximSession`: one `exim -bhc IP` SMTP conversation, driven over pipes."""

from __future__ import annotations

import atexit
import os
import select
import subprocess
import weakref
from typing import IO, Mapping, Optional

import pexpect
from pexpect.fdpexpect import fdspawn

from ..errors import ConnectionClosedError, InvalidInputError, ReplyTimeoutError
from ..exim.diagnosis import crash_error, startup_error
from ..exim.inputs import check_address, check_ip, check_line, check_port
from ..exim.options import EximOptions
from ..exim.sandbox import Sandbox
from ..trace.headers import Header
from ..trace.log import log_lines
from .expectations import Verdict, expect_reply, smtp_failure
from .message import build_message, message_lines
from .reply import REPLY_END, Reply, parse_reply
from .transcript import Transcript

__all__ = ["EximSession", "DEFAULT_HELO_NAME"]

Code = Optional[int]  # an expected reply code, or None for any
Text = Optional[str]  # text expected within the reply, or None for any

#: The name sent when a step needs a greeting that the spec did not give.
DEFAULT_HELO_NAME = "client.example"
_EXIT_WAIT = 2.0
_live: weakref.WeakSet[EximSession] = weakref.WeakSet()


class EximSession:
    """An SMTP session with a real Exim in `-bhc` (or `-bh`) host-testing mode.

    Nothing is delivered: Exim runs its ACLs as if a client at `client_ip` connected,
    and answers on stdout. Use it as a context manager, or call `close()`.

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
        helo_name: str = DEFAULT_HELO_NAME,
        options: EximOptions | None = None,
    ) -> None:
        """Start Exim and read its greeting (which may already be a rejection).

        `options` replaces config/exim/macros/callouts/timeout when given.
        """
        self.options = options or EximOptions(exim, config, dict(macros or {}), callouts, timeout)
        self.client_ip = check_ip(client_ip)
        self.server_ip = check_ip(server_ip, "server IP") if server_ip else None
        self.client_port = check_port(client_port, "client port")
        self.server_port = check_port(server_port, "server port")
        self.helo_name = check_line(helo_name, "HELO name")
        self.timeout = float(self.options.timeout)
        self.transcript = Transcript()
        self.replies: list[Reply] = []
        self.closed_by_server = False
        self.greeted = False
        self.in_data = False
        self._finished = False
        self._stderr_tail = b""
        self.sandbox = Sandbox()
        try:
            self.argv = self._command_line()
            self._stderr_write = open(self.sandbox.stderr_path, "wb")
            self._stderr_read: IO[bytes] = open(self.sandbox.stderr_path, "rb")
            self._process = subprocess.Popen(
                self.options.launch(self.argv),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr_write,
            )
            _live.add(self)
            self._child = fdspawn(
                self._process.stdout, timeout=self.timeout, encoding="utf-8", codec_errors="replace"
            )
            self._child.delayafterread = None  # pexpect sleeps 0.1 ms after each read by default
            self.greeting = self._receive(None)
        except BaseException:
            self.close()
            raise

    # ---- the conversation -------------------------------------------------------------

    @property
    def last_reply(self) -> Reply:
        """The most recent reply (the greeting before any command)."""
        return self.replies[-1]

    @property
    def is_open(self) -> bool:
        """False once the server hung up (421, 221, a refused greeting) or close() ran."""
        return not (self.closed_by_server or self._finished)

    def send(self, line: str) -> Reply:
        """Send one command line and return the reply, whatever it is.

        Raises ConnectionClosedError if the server had already closed the connection.
        """
        check_line(line, "SMTP command")
        self._check_open(line)
        self.transcript.client(line)
        self._write(line + "\r\n")
        verb = line.split(" ", 1)[0].upper()
        if verb == "QUIT":
            # Closed before the reply is read: Exim otherwise waits ~200 ms for more input.
            self._close_stdin()
        reply = self._receive(line)
        if verb in ("HELO", "EHLO") and reply.accepted:
            self.greeted = True
        self.in_data = verb == "DATA" and reply.code == 354
        return reply

    def ensure_greeted(self) -> None:
        """Send `EHLO helo_name` unless a HELO/EHLO was already accepted."""
        if not self.greeted:
            self.send(f"EHLO {self.helo_name}")

    def send_mail_from(self, address: str) -> Reply:
        """`MAIL FROM:<address>` (greeting first if needed); returns the reply."""
        command = f"MAIL FROM:<{check_address(address)}>"  # refused before the greeting, too
        self.ensure_greeted()
        return self.send(command)

    def send_rcpt_to(self, address: str) -> Reply:
        """`RCPT TO:<address>`; returns the reply."""
        return self.send(f"RCPT TO:<{check_address(address)}>")

    def send_message(self, message: str) -> Reply:
        """Send DATA (unless it was just accepted), then the message and the final dot.

        Returns the reply to the dot, or DATA's own reply when DATA was refused.
        """
        if "\0" in message:
            raise InvalidInputError("the message contains NUL; nothing was sent.")
        if not self.in_data:
            reply = self.send("DATA")
            if reply.code != 354:
                return reply
        self._check_open(".")
        lines = message_lines(message)
        self.transcript.client_message(lines)
        self.in_data = False
        self._write("".join(line + "\r\n" for line in lines) + ".\r\n")
        return self._receive(".")

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
    def trace(self) -> list[str]:
        """Every stderr line of the session so far: ACL trace and LOG lines."""
        return [line for reply in self.replies for line in reply.trace]

    @property
    def log_lines(self) -> list[str]:
        """Exim's `LOG:` lines for this session, without the prefix."""
        return log_lines(self.trace)

    @property
    def added_headers(self) -> list[Header]:
        """Headers the ACLs added (as `add_header` expanded them) during the session."""
        return [header for reply in self.replies for header in reply.added_headers]

    # ---- life cycle ---------------------------------------------------------------------

    def close(self) -> None:
        """End Exim (closing its input first, killing it if it lingers) and remove the
        sandbox. Safe to call twice, and from any state."""
        if self._finished:
            return
        self._finished = True
        process = getattr(self, "_process", None)
        try:
            if process is not None:
                self._close_stdin()
                if not _wait_for_exit(process, _EXIT_WAIT):
                    process.kill()
                    process.wait()
        finally:
            for handle in (getattr(self, "_stderr_write", None), getattr(self, "_stderr_read", None)):
                if handle is not None:
                    handle.close()
            if process is not None and process.stdout is not None:
                process.stdout.close()
            self.sandbox.cleanup()
            _live.discard(self)

    def __enter__(self) -> EximSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "open" if self.is_open else "closed"
        command = " ".join(getattr(self, "argv", [])[1:])
        return f"<EximSession {self.client_ip} {state} {command}>"

    # ---- internals ----------------------------------------------------------------------

    def _command_line(self) -> list[str]:
        argv = self.options.base_argv(self.sandbox.macros())
        client = self.client_ip + (f".{self.client_port}" if self.client_port else "")
        argv += ["-bhc" if self.options.callouts else "-bh", client]
        if self.server_ip or self.server_port:
            server = self.server_ip or "127.0.0.1"
            argv += ["-oMi", server + (f".{self.server_port}" if self.server_port else "")]
        return argv

    def _check_open(self, line: str) -> None:
        if self.is_open:
            return
        last = self.replies[-1] if self.replies else None
        headline = f"Cannot send {line}: the server had already closed the connection" + (
            f" after replying {last.code}." if last else "."
        )
        raise smtp_failure(ConnectionClosedError, headline, last, self.transcript)

    def _write(self, data: str) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        try:
            stdin.write(data.encode("utf-8", "surrogateescape"))
            stdin.flush()
        except BrokenPipeError:
            # Exim is gone; _receive reports why (a last reply, or its stderr).
            pass

    def _receive(self, command: str | None) -> Reply:
        try:
            self._child.expect(REPLY_END, timeout=self.timeout)
        except pexpect.TIMEOUT:
            partial = self._child.before or ""
            self._process.kill()  # stuck, and closing its input would not move it
            self.close()
            raise ReplyTimeoutError(
                f"No complete reply to {command or 'the connection (greeting)'} within "
                f"{self.timeout:g} s; Exim was stopped. A callout, DNS lookup or content "
                "scanner may be hanging: check the peer it waits for, or raise the "
                f"timeout (behave -D timeout=30; EximSession(timeout=30)). Received so far: {partial!r}"
            ) from None
        except pexpect.EOF:
            raise self._ended_without_reply(command) from None
        chunk = str(self._child.before) + str(self._child.after)
        reply = parse_reply(chunk, command, tuple(self._read_stderr()))
        self.replies.append(reply)
        self.transcript.server(reply)
        if reply.closes_connection(greeting=command is None):
            self.closed_by_server = True
        return reply

    def _ended_without_reply(self, command: str | None) -> Exception:
        """The error for an Exim that exited instead of answering; the session is closed."""
        trace = self._read_stderr(final=True)
        self.closed_by_server = True
        status = self._process.returncode if _wait_for_exit(self._process, _EXIT_WAIT) else None
        if command is None:
            error: Exception = startup_error(trace, self.argv)
        elif status == 0 and self.replies:
            # Exim hung up on purpose (an ACL "drop" after its reply, ...).
            last = self.replies[-1]
            headline = (
                f"The server closed the connection after replying {last.code}, so {command} got no reply."
            )
            error = smtp_failure(ConnectionClosedError, headline, last, self.transcript)
        else:
            error = crash_error(command, trace)
        self.close()
        return error

    def _read_stderr(self, final: bool = False) -> list[str]:
        """New complete stderr lines since the last call (and the rest, when final)."""
        data = self._stderr_tail + self._stderr_read.read()
        end = len(data) if final else data.rfind(b"\n") + 1
        self._stderr_tail = data[end:]
        return data[:end].decode("utf-8", "replace").splitlines()

    def _close_stdin(self) -> None:
        stdin = self._process.stdin
        if stdin is not None and not stdin.closed:
            try:
                stdin.close()
            except BrokenPipeError:
                pass

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


def _between_brackets(command: str) -> str:
    start, end = command.find("<"), command.find(">")
    return command[start + 1 : end] if 0 <= start < end else ""


def _wait_for_exit(process: subprocess.Popen, timeout: float) -> bool:
    """Wait until the process exits (True) or the timeout passes (False).

    A pidfd wakes us the moment Exim exits; Popen.wait(timeout) polls with sleeps,
    which cost about a millisecond per session.
    """
    if process.poll() is not None:
        return True
    try:
        pidfd = os.pidfd_open(process.pid)
    except (AttributeError, OSError):  # not Linux >= 5.3
        try:
            process.wait(timeout)
            return True
        except subprocess.TimeoutExpired:
            return False
    try:
        ready, _, _ = select.select([pidfd], [], [], timeout)
    finally:
        os.close(pidfd)
    if ready:
        process.wait()
    return bool(ready)


@atexit.register
def _close_live_sessions() -> None:
    """A last safety net: no Exim process or sandbox outlives the interpreter."""
    for session in list(_live):
        session.close()
