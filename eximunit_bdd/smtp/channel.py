"""The seam between an SMTP conversation and what carries it.

`EximSession` keeps the dialogue (greeting, envelope, DATA state, transcript,
assertions) and talks through a `Channel`: send a line, receive a reply with the trace
lines that came with it, close the client's side, tell why the other end went away,
start TLS, close. Channels:

- `BhChannel` (`bh_channel.py`): `exim -bh` / `-bhc` over pipes, the ACL trace on
  stderr; it can carry no TLS.
- `ScriptedChannel` (`scripted_channel.py`): replies from a script, for unit tests of
  the dialogue without Exim.
- `LiveChannel` (`live/channel.py`): a TCP connection (then TLS) to a live Exim daemon,
  each reply with the trace the daemon's process for it wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..errors import EximUnitError

__all__ = ["Channel", "Received"]


@dataclass(frozen=True)
class Received:
    """One complete reply as a channel read it: the raw text (CRLF line ends, `-bh`
    banner lines included) and the trace lines Exim wrote while deciding it."""

    text: str
    trace: tuple[str, ...] = ()


class Channel(Protocol):
    """What `EximSession` needs of whatever carries its conversation."""

    #: The channel in messages and reprs: `exim4 -C /etc/exim4/test.conf -bhc 192.0.2.1`.
    @property
    def description(self) -> str: ...

    #: True when replies come with Exim's `-bh` trace (ACL runs, log lines, added
    #: headers); a live connection has none.
    @property
    def traced(self) -> bool: ...

    def refusal(self, command: str) -> str | None:
        """Why this channel cannot carry `command`, saying what to do instead; None
        if it can. Asked before anything is sent, so a refusal costs no wait. (BDAT
        and commands after DATA's 354 the session itself refuses: it sends line by
        line, which they cannot be, on any channel.)"""
        ...

    def send(self, data: str) -> None:
        """Write client data (lines with their CRLF) as it is."""
        ...

    def receive(self, waiting_for: str | None) -> Received | None:
        """The next complete reply (to `waiting_for`, None for the greeting), or None
        when the other end closed first. Raises ReplyTimeoutError, after making sure
        nothing is left running, when no reply comes in time."""
        ...

    def unsolicited(self) -> Received | None:
        """What the server has already sent that no command asked for yet (a second
        reply to one command, a reply out of the blue), read without waiting for more
        than its end; None when there is nothing. Asked after every reply and before
        every command, so that no reply is ever taken for another command's."""
        ...

    def close_input(self) -> None:
        """No more client data (called right after QUIT: `exim -bh` then answers
        without waiting for more). A channel that cannot half-close (TLS) does nothing."""
        ...

    def ended(self, waiting_for: str | None) -> EximUnitError | None:
        """After `receive` returned None: the error when the end was a failure (Exim
        refused its configuration, crashed), None when the server hung up on purpose.
        It may release what it can; `close` stays the owner's to call."""
        ...

    def starttls(self) -> str | None:
        """Continue the conversation over TLS (after the server's 220 to STARTTLS);
        returns what the transcript should say of it (`TLS started: TLSv1.3`), if anything."""
        ...

    def close(self) -> None:
        """Release everything (process, sockets, files); safe to call twice, and after
        `ended`. The session that was handed the channel calls it."""
        ...
