"""A fake SMTP destination, built on aiosmtpd: the machine a callout asks.

It accepts every recipient, or only a list of them (others get
`550 5.1.1 no such user`), and records each envelope it was offered, so a test can
check what Exim's callout asked. A message sent to it is recorded, never delivered.
"""

from __future__ import annotations

import asyncio
import socket
import weakref
from dataclasses import dataclass, field
from typing import Any, Awaitable, Iterable

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from ..errors import FakePeerError
from .base import FakePeer

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


class FakeSmtpServer(FakePeer):
    """An SMTP server on a free loopback port.

    `recipients` None accepts everybody; a list accepts only those addresses
    (compared case-insensitively).

    Example: `FakeSmtpServer("hub", recipients=["bob@shop.test"])`
    """

    kind = "SMTP server"

    def __init__(self, name: str, recipients: Iterable[str] | None = None, **options: Any) -> None:
        super().__init__(name, **options)
        self.recipients = None if recipients is None else {r.strip().casefold() for r in recipients}
        self._envelopes: list[SeenEnvelope] = []
        self._controller: _BoundController | None = None

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

    def _start(self) -> int:
        sock = self.bind()
        controller = _BoundController(_Handler(self), sock, ready_timeout=self.timeout,
                                      server_hostname=f"{self.name}.fake.test")
        try:
            controller.start()
        except Exception as error:
            sock.close()
            controller.stop(no_assert=True)
            raise FakePeerError(f"the fake SMTP server {self.name!r} did not start: {error}") from error
        self._controller = controller
        return controller.port

    def _stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def _record(self, envelope: SeenEnvelope) -> None:
        with self._lock:
            self._envelopes.append(envelope)


class _BoundController(Controller):
    """aiosmtpd's threaded Controller serving a socket bound beforehand.

    The released Controller binds (host, port) itself, so it cannot report the port
    that port 0 got; `_create_server` is its documented hook for other listeners.
    """

    def __init__(self, handler: Any, sock: socket.socket, **options: Any) -> None:
        host, port = sock.getsockname()[:2]
        super().__init__(handler, hostname=host, port=port, **options)
        self._socket = sock

    def _create_server(self) -> Awaitable[asyncio.AbstractServer]:
        return self.loop.create_server(self._factory_invoker, sock=self._socket)

    def _trigger_server(self) -> None:
        """aiosmtpd connects once to make its factory run (start() waits for that);
        a socket in a private network cannot be reached from here, so the factory is run
        directly, for every socket alike."""
        self.loop.call_soon_threadsafe(self._factory_invoker)


class _Handler:
    """aiosmtpd hooks: decide each recipient, record each envelope. Each connection
    has its own aiosmtpd Session; `_seen` keeps the envelope being recorded for it."""

    def __init__(self, server: FakeSmtpServer) -> None:
        self.server = server
        self._seen: weakref.WeakKeyDictionary[Session, SeenEnvelope] = weakref.WeakKeyDictionary()

    async def handle_MAIL(self, smtp: SMTP, session: Session, envelope: Envelope,
                          address: str, options: list[str]) -> str:
        envelope.mail_from = address
        self._seen[session] = seen = SeenEnvelope(address)
        self.server._record(seen)
        return "250 OK"

    async def handle_RCPT(self, smtp: SMTP, session: Session, envelope: Envelope,
                          address: str, options: list[str]) -> str:
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
