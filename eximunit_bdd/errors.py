"""Every error eximunit-bdd raises, in one place.

The tree::

    EximUnitError                       base of everything below
    ├── SmtpAssertionError (+AssertionError)   the server did not do what the spec says:
    │   ├── UnexpectedReplyError               a reply other than the expected one
    │   ├── ConnectionClosedError              the server had already closed the connection
    │   └── UnsolicitedReplyError              Exim answered more than was asked: replies
    │                                          could no longer be told apart
    ├── InvalidInputError (+ValueError)        refused before anything was sent
    ├── StepUsageError                         a step used where it cannot work
    │   └── UnsupportedCommandError            a command the session's channel cannot carry
    ├── EximNotFoundError (+FileNotFoundError) no Exim binary where we looked
    ├── EximConfigError                        Exim rejected its configuration
    │   └── ConfigPermissionError              ... because of the file's owner or mode
    ├── EximCrashedError                       Exim exited without answering
    ├── ReplyTimeoutError (+TimeoutError)      no complete reply in time
    ├── UnexpectedOutputError                  Exim printed something eximunit cannot read
    ├── ConfigAssertionError (+AssertionError) routing, an option, an expansion, the build
    │                                          is not what the spec says
    ├── ReasonHiddenError                      Exim told a non-admin caller no reason
    ├── FakePeerError                          a fake peer could not start or stop
    ├── FakePeerAssertionError (+AssertionError)  a fake peer was not asked what the spec says
    ├── NetworkUnavailableError                no private network (namespaces) for fake DNS
    ├── LiveServerError                        a live Exim daemon did not start or stop
    ├── WouldOverwriteError (+FileExistsError)  `eximunit-bdd init` found files of a suite
    └── SandboxError                           no test sandbox can be made where TMPDIR says
                                               (missing, read-only, full)

Test frameworks show `AssertionError` subclasses as failures (the policy is broken)
and everything else as errors (the test set-up is broken), which is the distinction a
mail admin needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from .smtp.reply import Reply

__all__ = [
    "EximUnitError",
    "SmtpAssertionError",
    "UnexpectedReplyError",
    "ConnectionClosedError",
    "UnsolicitedReplyError",
    "InvalidInputError",
    "StepUsageError",
    "UnsupportedCommandError",
    "EximNotFoundError",
    "EximConfigError",
    "ConfigPermissionError",
    "EximCrashedError",
    "ReplyTimeoutError",
    "UnexpectedOutputError",
    "ConfigAssertionError",
    "ReasonHiddenError",
    "FakePeerError",
    "FakePeerAssertionError",
    "WouldOverwriteError",
    "NetworkUnavailableError",
    "LiveServerError",
    "SandboxError",
]


class EximUnitError(Exception):
    """Base class of every eximunit-bdd error."""


class SmtpAssertionError(EximUnitError, AssertionError):
    """The server's behaviour differs from the specification.

    Carries the `reply` that disagreed (None if there was none) and the session
    `transcript` so far, already rendered for people.
    """

    def __init__(self, message: str, reply: Reply | None = None, transcript: str = "") -> None:
        super().__init__(message)
        self.reply = reply
        self.transcript = transcript


class UnexpectedReplyError(SmtpAssertionError):
    """A command got a reply other than the one the spec expected."""


class ConnectionClosedError(SmtpAssertionError):
    """A command was due but the server had already closed the connection."""


class UnsolicitedReplyError(SmtpAssertionError):
    """Exim sent replies no command asked for (it answered one command more than
    once); `replies` are what it sent, and the session stopped rather than judge later
    claims by the wrong replies."""

    def __init__(
        self, message: str, reply: Reply | None = None, transcript: str = "", replies: Sequence[Reply] = ()
    ) -> None:
        super().__init__(message, reply, transcript)
        self.replies = list(replies)


class InvalidInputError(EximUnitError, ValueError):
    """An argument was refused: before anything was sent (CR/LF/NUL, a bad IP, ...),
    or by Exim itself (not an address, no such option or router)."""


class StepUsageError(EximUnitError):
    """A step cannot work where the spec uses it (no connection yet, a table without
    its columns, ...); the message says how to write it."""


class UnsupportedCommandError(StepUsageError):
    """A command the session cannot carry where it is (STARTTLS in `exim -bh`, BDAT,
    a command while Exim waits for the message text); refused before anything is sent,
    with what to do instead."""


class EximNotFoundError(EximUnitError, FileNotFoundError):
    """No Exim binary was found; `tried` lists every place looked at."""

    def __init__(self, message: str, tried: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.tried = list(tried)


class EximConfigError(EximUnitError):
    """Exim refused its configuration; `exim_message` is Exim's own words."""

    def __init__(self, message: str, exim_message: str = "") -> None:
        super().__init__(message)
        self.exim_message = exim_message


class ConfigPermissionError(EximConfigError):
    """Exim refused the configuration file because of its owner, group or mode."""


class EximCrashedError(EximUnitError):
    """Exim exited before it answered a command; `stderr` is what it said last."""

    def __init__(self, message: str, stderr: str = "") -> None:
        super().__init__(message)
        self.stderr = stderr


class ReplyTimeoutError(EximUnitError, TimeoutError):
    """No complete reply arrived within the timeout; names the command and the wait."""


class UnexpectedOutputError(EximUnitError):
    """Exim printed a line in none of the shapes eximunit knows (a newer Exim?)."""


class ConfigAssertionError(EximUnitError, AssertionError):
    """A one-shot check (-bt, -bv, -be, -bP, -bV) found the configuration or the Exim
    build other than the spec says; the message shows Exim's own output."""


class ReasonHiddenError(EximUnitError):
    """Exim gives the reason for an undeliverable address only to its admin users, and
    the caller is not one; the message says how to make it one."""


class FakePeerError(EximUnitError):
    """A fake peer (SMTP server, spam or virus scanner, ...) could not start or stop."""


class FakePeerAssertionError(EximUnitError, AssertionError):
    """A fake peer was (or was not) asked what the spec says; `seen` is what it was asked."""

    def __init__(self, message: str, seen: Sequence[object] = ()) -> None:
        super().__init__(message)
        self.seen = list(seen)


class NetworkUnavailableError(EximUnitError):
    """A private network for the fake DNS cannot be made here (no namespaces, no
    nsenter); DNS scenarios are skipped with this message."""


class LiveServerError(EximUnitError):
    """A live Exim daemon did not start (it ended, or never accepted a connection) or
    did not stop; the message holds what Exim said."""


class WouldOverwriteError(EximUnitError, FileExistsError):
    """`eximunit-bdd init` would overwrite files that exist; `paths` names them."""

    def __init__(self, message: str, paths: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.paths = list(paths)


class SandboxError(EximUnitError):
    """The test sandbox (Exim's spool for a run) cannot be made or used where it would
    go: the directory is missing, read-only or full; the message names it and what to set."""
