"""A fake SMTP destination, built on aiosmtpd: the machine a callout asks.

It accepts every recipient, or only a list of them (others get
`550 5.1.1 no such user`), and records each envelope it was offered, so a test can
check what Exim's callout asked. A message sent to it is recorded, never delivered.

It serves its socket (bound beforehand, so it may be in a private network) with
aiosmtpd's public API only: an `aiosmtpd.smtp.SMTP` protocol per connection, from
asyncio's `create_server` on an event loop in a thread of its own.
"""

from __future__ import annotations

import asyncio
import socket
import weakref
from dataclasses import dataclass, field
from typing import Any, Coroutine, Iterable

from aiosmtpd.smtp import SMTP, Envelope, Session

from .base import AsyncioFake
from .peer import KINDS

__all__ = ["FakeSmtpServer", "SeenEnvelope", "NO_SUCH_USER"]

NO_SUCH_USER = "550 5.1.1 no such user"


@dataclass
class SeenEnvelope:
    """One MAIL FROM and what followed it: recipients accepted and refused, and the
    message if one was sent (a callout sends none)."""

    mail_from: str
    accepted: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    message: bytes | None = None

    @property
    def recipients(self) -> list[str]:
        """Every recipient asked about, accepted or not, in order."""
        return self.accepted + self.refused


class FakeSmtpServer(AsyncioFake):
    """An SMTP server on a free loopback port.

    `recipients` None accepts everybody; a list accepts only those addresses
    (compared case-insensitively).

    Example: `FakeSmtpServer("hub", recipients=["bob@shop.test"])`
    """

    kind = KINDS["smtp"]

    def __init__(self, name: str, recipients: Iterable[str] | None = None, **options: Any) -> None:
        super().__init__(name, **options)
        self.recipients = None if recipients is None else {r.strip().casefold() for r in recipients}
        self._envelopes: list[SeenEnvelope] = []
        self._handler = _Handler(self)

    @property
    def envelopes(self) -> list[SeenEnvelope]:
        """What it was offered so far, oldest first (a copy)."""
        with self._lock:
            return list(self._envelopes)

    def asked_about(self, address: str) -> bool:
        """Whether any RCPT TO named `address` (case-insensitive)."""
        wanted = address.strip().casefold()
        return any(r.casefold() == wanted for e in self.envelopes for r in e.recipients)

    def accepts(self, address: str) -> bool:
        return self.recipients is None or address.casefold() in self.recipients

    def _serve(self, sock: socket.socket) -> Coroutine[Any, Any, asyncio.AbstractServer]:
        assert self._loop is not None
        return self._loop.create_server(self._new_connection, sock=sock)

    def _new_connection(self) -> SMTP:
        """aiosmtpd's SMTP protocol (its public API) for one connection, on this fake's loop."""
        return SMTP(self._handler, hostname=f"{self.name}.fake.test", loop=self._loop)

    def _record(self, envelope: SeenEnvelope) -> None:
        with self._lock:
            self._envelopes.append(envelope)


class _Handler:
    """aiosmtpd hooks: decide each recipient, record each envelope. Each connection
    has its own aiosmtpd Session; `_seen` keeps the envelope being recorded for it."""

    def __init__(self, server: FakeSmtpServer) -> None:
        self.server = server
        self._seen: weakref.WeakKeyDictionary[Session, SeenEnvelope] = weakref.WeakKeyDictionary()

    async def handle_MAIL(
        self, smtp: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        envelope.mail_from = address
        self._seen[session] = seen = SeenEnvelope(address)
        self.server._record(seen)
        return "250 OK"

    async def handle_RCPT(
        self, smtp: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        seen = self._seen[session]  # aiosmtpd refuses RCPT before MAIL
        if not self.server.accepts(address):
            seen.refused.append(address)
            return NO_SUCH_USER
        seen.accepted.append(address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp: SMTP, session: Session, envelope: Envelope) -> str:
        self._seen[session].message = envelope.original_content
        return "250 OK recorded by the fake, not delivered"
