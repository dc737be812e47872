"""`BhChannel`: an SMTP conversation with `exim -bh IP` (`-bhc` with callouts) over
pipes. Exim runs its ACLs as if the client had connected and answers on stdout; its
ACL trace and `LOG:` lines go to stderr, which is kept in a file of the run's sandbox
and handed out with each reply. Nothing is delivered."""

from __future__ import annotations

import os
import re
import select
import subprocess
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pexpect
from pexpect.fdpexpect import fdspawn

from ..errors import EximUnitError, ReplyTimeoutError, UnsupportedCommandError
from ..exim.diagnosis import crash_error, startup_error
from ..exim.options import EximOptions
from ..exim.process import kill_tree, start_process
from ..exim.sandbox import Sandbox
from ..text import decoded
from .channel import Received
from .reply import REPLY_END, ends_inside_a_reply

__all__ = ["BhChannel", "BH_REFUSALS"]

_EXIT_WAIT = 2.0
_READ_SIZE = 65536
_REPLY_END = re.compile(REPLY_END.pattern.encode())

#: What a stuck reply usually waits for.
_REPLY_WAITS = "A callout, DNS lookup or content scanner may be hanging: check the peer it waits for."
_GREETING_WAITS = (
    "Before its greeting, Exim -bh looks up the client's name when host_lookup matches it "
    "(Debian's host_lookup = *), and waits out its DNS timeouts when the resolver does not "
    "answer: give the client a name (Given the client's reverse DNS name is ...), which "
    "runs the scenario with the fake DNS, or set host_lookup = in the test configuration. "
    "A connect ACL's callout, lookup or scanner may hang too."
)

#: What `-bh` cannot carry, and what to do instead.
BH_REFUSALS = {
    "STARTTLS": (
        "STARTTLS cannot be tested in an exim -bh session: Exim answers 220 and then waits "
        "for a TLS handshake on its standard input, which never comes. To check that the "
        'server offers it, check the EHLO reply (Then the reply contains "STARTTLS"); '
        "TLS itself needs a real Exim daemon."
    ),
}


class BhChannel:
    """Exim in host-testing mode, started now, in a sandbox of its own.

    `mode_arguments` are what `Connection.bh_arguments` makes; the binary, `-C` and
    the macros come from `options`.
    """

    traced = True

    def __init__(
        self, options: EximOptions, mode_arguments: list[str], sandbox: Sandbox | None = None
    ) -> None:
        """With `sandbox` (a scenario's, shared by its sessions), Exim uses its spool and
        leaves it be; without, the channel makes one of its own and removes it."""
        self.timeout = float(options.timeout)
        self._stderr_tail = b""
        self.argv: list[str] = []
        self._held = _Held(sandbox, owns_sandbox=sandbox is None)
        # Whatever happens to this channel (close(), dropped unclosed, the interpreter
        # exiting), what it holds is released once: registered before anything is
        # held, so that an interruption at any point leaves nothing behind.
        self._release = weakref.finalize(self, self._held.release)
        try:
            if self._held.sandbox is None:
                self._held.sandbox = Sandbox()
            self.argv = options.base_argv(self.sandbox.macros()) + mode_arguments
            stderr = self.sandbox.stderr_file()
            self._held.files.append(stderr)
            self._stderr_write = open(stderr, "wb")
            self._held.files.append(self._stderr_write)
            self._stderr_read = open(stderr, "rb")
            self._held.files.append(self._stderr_read)
            self._held.process = start_process(
                options.launch(self.argv),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr_write,
            )
            # Bytes, decoded a reply at a time: a configuration's text may be Latin-1.
            self._child = fdspawn(self._held.process.stdout, timeout=self.timeout)
            self._child.delayafterread = None  # pexpect sleeps 0.1 ms after each read by default
        except BaseException:
            self.close()
            raise

    @property
    def sandbox(self) -> Sandbox:
        """The run's directory: its spool, and the file that collects Exim's stderr."""
        assert self._held.sandbox is not None, "the channel's sandbox was never made"
        return self._held.sandbox

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        """The Exim process (None if it could not be started)."""
        return self._held.process

    @property
    def description(self) -> str:
        return " ".join([os.path.basename(self.argv[0]), *self.argv[1:]]) if self.argv else "exim -bh"

    def refusal(self, command: str) -> str | None:
        return BH_REFUSALS.get(command.split(" ", 1)[0].upper())

    def send(self, data: str) -> None:
        stdin = self._running().stdin
        assert stdin is not None
        try:
            stdin.write(data.encode("utf-8", "surrogateescape"))
            stdin.flush()
        except BrokenPipeError:
            pass  # Exim is gone; receive() reports why (a last reply, or its stderr)

    def receive(self, waiting_for: str | None) -> Received | None:
        try:
            self._child.expect(_REPLY_END, timeout=self.timeout)
        except pexpect.TIMEOUT:
            partial = decoded(self._child.before or b"")
            kill_tree(self._running())  # stuck, and closing its input would not move it
            self.close()
            cause = _GREETING_WAITS if waiting_for is None else _REPLY_WAITS
            raise ReplyTimeoutError(
                f"No complete reply to {waiting_for or 'the connection (greeting)'} within "
                f"{self.timeout:g} s; Exim was stopped. {cause} Or raise the timeout "
                f"(behave -D timeout=30; EximSession(timeout=30)). Received so far: {partial!r}"
            ) from None
        except pexpect.EOF:
            return None
        return Received(decoded(self._child.before + self._child.after), tuple(self._read_stderr()))

    def unsolicited(self) -> Received | None:
        """Exim flushes its replies when it has read all its input, so a second reply
        to one command (a line longer than its buffer, PRDR) arrives with the first:
        what pexpect read beyond the first, and what the pipe holds now."""
        data: bytes = self._child.buffer
        self._child.buffer = b""
        while True:
            try:
                data += self._child.read_nonblocking(_READ_SIZE, timeout=0)
            except (pexpect.TIMEOUT, pexpect.EOF):
                break  # nothing more now (or ever: receive() reports the end)
        while ends_inside_a_reply(decoded(data)):  # a reply begun but not ended: wait for its end
            try:
                self._child.expect(_REPLY_END, timeout=self.timeout)
            except (pexpect.TIMEOUT, pexpect.EOF):
                break  # the session shows what came, as it came
            data += self._child.before + self._child.after
        if not data.strip():
            return None
        return Received(decoded(data), tuple(self._read_stderr()))

    def close_input(self) -> None:
        self._held.close_input()

    def ended(self, waiting_for: str | None) -> EximUnitError | None:
        """Exim exited: before its greeting, its configuration or start-up failed; with
        status 0 it hung up on purpose (an ACL `drop`, ...); otherwise it crashed."""
        trace = self._read_stderr(final=True)
        process = self._running()
        status = process.returncode if _wait_for_exit(process, _EXIT_WAIT) else None
        error: EximUnitError | None = None
        if waiting_for is None:
            error = startup_error(trace, self.argv)
        elif status != 0:
            error = crash_error(waiting_for, trace)
        self.close()
        return error

    def starttls(self) -> str | None:
        raise UnsupportedCommandError(BH_REFUSALS["STARTTLS"])

    def close(self) -> None:
        """End Exim (closing its input first, killing it if it lingers) and remove the
        sandbox. Safe to call twice, and from any state."""
        self._release()

    def _running(self) -> subprocess.Popen[bytes]:
        process = self._held.process
        assert process is not None, "the channel's Exim was never started"
        return process

    def _read_stderr(self, final: bool = False) -> list[str]:
        """New complete stderr lines since the last call (and the rest, when final)."""
        assert self._stderr_read is not None
        data = self._stderr_tail + self._stderr_read.read()
        end = len(data) if final else data.rfind(b"\n") + 1
        self._stderr_tail = data[end:]
        return [decoded(line) for line in data[:end].splitlines()]


@dataclass
class _Held:
    """What a channel holds, apart from the channel itself, so that a finalizer can
    release it without keeping the channel alive."""

    sandbox: Sandbox | None
    owns_sandbox: bool = True
    process: subprocess.Popen[bytes] | None = None
    #: Open files, and the paths of files to remove when no longer needed.
    files: list[IO[bytes] | Path] = field(default_factory=list)

    def close_input(self) -> None:
        stdin = self.process.stdin if self.process is not None else None
        if stdin is not None and not stdin.closed:
            try:
                stdin.close()
            except BrokenPipeError:
                pass

    def release(self) -> None:
        """Close Exim's input (it ends at once, as a client that hung up), kill it if it
        lingers, close every file and remove the sandbox."""
        process = self.process
        try:
            if process is not None:
                self.close_input()
                if not _wait_for_exit(process, _EXIT_WAIT):
                    kill_tree(process)
                    process.wait()
        finally:
            if process is not None and process.poll() is None:
                # Interrupted while waiting (a second Ctrl-C, SIGTERM): it must not
                # outlive the run.
                kill_tree(process)
                process.wait()
            for held in self.files:
                if isinstance(held, Path):
                    held.unlink(missing_ok=True)
                else:
                    held.close()
            if process is not None and process.stdout is not None:
                process.stdout.close()
            if self.owns_sandbox and self.sandbox is not None:
                self.sandbox.cleanup()


def _wait_for_exit(process: subprocess.Popen[bytes], timeout: float) -> bool:
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
