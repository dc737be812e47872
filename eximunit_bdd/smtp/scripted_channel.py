"""`ScriptedChannel`: a channel that plays the server's side from a script, so unit
tests drive `EximSession` (greeting refused, 421 mid-session, multi-line replies, the
DATA state) without Exim.

>>> from eximunit_bdd.smtp.session import EximSession
>>> channel = ScriptedChannel(["220 mx ESMTP\\r\\n", "250-mx Hello\\r\\n250 HELP\\r\\n"])
>>> session = EximSession.over(channel, "192.0.2.1")
>>> session.send("EHLO client.example").lines
('mx Hello', 'HELP')
>>> channel.sent
['EHLO client.example\\r\\n']
"""

from __future__ import annotations

from collections import deque
from typing import Iterable, Mapping, Union

from ..errors import EximUnitError, UnsupportedCommandError
from .channel import Received
from .reply import REPLY_END

__all__ = ["ScriptedChannel", "HANG_UP"]

#: In a script: the server closes the connection instead of replying.
HANG_UP = None

Step = Union[str, Received, EximUnitError, None]


class ScriptedChannel:
    """Each `receive` takes the next step of `script`: a reply (text, or `Received`
    with trace lines), `HANG_UP` (the server went away), or an error to raise (a
    `ReplyTimeoutError`, say). An exhausted script hangs up. A step with two replies
    plays a server that answered one command twice.

    `refusals` maps a command verb to the reason the channel cannot carry it (as
    `BhChannel` does for STARTTLS); `failure` is what `ended` reports after a hang-up
    (None: the server hung up on purpose). What the session sent is in `sent`.
    """

    def __init__(
        self,
        script: Iterable[Step],
        *,
        traced: bool = True,
        refusals: Mapping[str, str] | None = None,
        failure: EximUnitError | None = None,
        description: str = "a scripted server",
    ) -> None:
        self.traced = traced
        self.description = description
        self.sent: list[str] = []
        self.input_closed = False
        self.closed = False
        self.tls = False
        self._script: deque[Step] = deque(script)
        self._refusals = {verb.upper(): why for verb, why in (refusals or {}).items()}
        self._failure = failure
        self._pending = ""

    def refusal(self, command: str) -> str | None:
        return self._refusals.get(command.split(" ", 1)[0].upper())

    def send(self, data: str) -> None:
        if self.input_closed:
            raise AssertionError(f"the session sent {data!r} after closing its input")
        self.sent.append(data)

    def receive(self, waiting_for: str | None) -> Received | None:
        """The next reply: what is left of a step with several replies (as a server that
        answers one command more than once, or PRDR, sends them), else the next step."""
        if match := REPLY_END.search(self._pending):
            reply, self._pending = self._pending[: match.end()], self._pending[match.end() :]
            return Received(reply)
        step = self._script.popleft() if self._script else HANG_UP
        if isinstance(step, EximUnitError):
            raise step
        if step is None:
            return None
        received = step if isinstance(step, Received) else Received(step)
        match = REPLY_END.search(received.text)
        if match is None:
            return received
        self._pending += received.text[match.end() :]
        return Received(received.text[: match.end()], received.trace)

    def unsolicited(self) -> Received | None:
        pending, self._pending = self._pending, ""
        return Received(pending) if pending.strip() else None

    def close_input(self) -> None:
        self.input_closed = True

    def ended(self, waiting_for: str | None) -> EximUnitError | None:
        return self._failure

    def starttls(self) -> str | None:
        why = self.refusal("STARTTLS")
        if why is not None:
            raise UnsupportedCommandError(why)
        self.tls = True
        return None

    def close(self) -> None:
        self.closed = True
