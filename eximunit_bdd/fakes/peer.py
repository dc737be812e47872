"""What every fake peer shares: a loopback port of its own, start and stop, macros.

A fake peer stands in for another machine Exim talks to (a destination server, a spam
or virus scanner, a greylisting daemon). It binds port 0 on 127.0.0.1 and keeps the
socket, so two suites on one machine can never get the same port. Exim learns the
port from the macro `NAME_PORT` (`macros()`); the host is always 127.0.0.1. (Exim
takes at most 10 `-D` options, so a peer spends one, not two.) Nothing here needs
asyncio: a scenario that only names peers, or declares one down, does not load it.
"""

from __future__ import annotations

import abc
import re
import socket
import threading
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import FakePeerError, InvalidInputError
from ..network.ports import LOOPBACK, bind_free_port

if TYPE_CHECKING:  # pragma: no cover
    from ..network.netns import PrivateNetwork

__all__ = ["FakePeer", "DownPeer", "port_macro", "DEFAULT_TIMEOUT", "KINDS"]

#: How long a fake waits for one conversation, or for its thread to start or stop.
DEFAULT_TIMEOUT = 10.0

#: What each fake stands in for (its `kind`), in messages and in the step
#: 'the fake KIND "NAME" is down'; here so that the step's pattern needs no fake loaded.
KINDS = {
    "smtp": "SMTP server",
    "spamd": "spam scanner",
    "clamd": "virus scanner",
    "greylistd": "greylisting server",
    "dovecot": "Dovecot auth server",
}

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")

Peer = TypeVar("Peer", bound="FakePeer")


def port_macro(name: str) -> str:
    """The macro that carries the port of the peer `name`: `hub` -> `HUB_PORT`."""
    if not _NAME.match(name):
        raise InvalidInputError(
            f"fake peer name {name!r} is not usable: start with a letter and use only "
            "letters, digits, '_' and '-' (it becomes the macro NAME_PORT)."
        )
    return name.upper().replace("-", "_") + "_PORT"


class FakePeer(abc.ABC):
    """A stand-in for another machine, on a loopback port of its own.

    Use it as a context manager, or call `start()` and `stop()` (idempotent)::

        with FakeSmtpServer("hub") as hub:
            session = EximSession("192.0.2.1", config=..., macros=hub.macros())
    """

    #: What it stands in for, in messages: "SMTP server", "spam scanner", ...
    kind: str = "peer"

    def __init__(self, name: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.name = name
        #: The macro that carries its port: `HUB_PORT` for "hub".
        self.macro = port_macro(name)
        self.host = LOOPBACK
        self.timeout = timeout
        self._port: int | None = None
        self._lock = threading.Lock()  # guards what subclasses record from their thread
        #: Listen inside this private network (a DNS scenario's) instead of the machine's.
        self.network: PrivateNetwork | None = None

    @property
    def port(self) -> int:
        """The port it got from the kernel; only known once started."""
        if self._port is None:
            raise FakePeerError(f"{self!r} has not been started, so it has no port yet.")
        return self._port

    @property
    def running(self) -> bool:
        return self._port is not None

    def macros(self) -> dict[str, str]:
        """`{"HUB_PORT": "41234"}` for a peer named "hub": pass it to the session."""
        return {self.macro: str(self.port)}

    def bind(self) -> socket.socket:
        """A TCP socket on a free port of 127.0.0.1 (in `network` if set), not listening."""
        if self.network is not None:
            return self.network.bound_socket("tcp")
        return bind_free_port(self.host)

    def start(self: Peer) -> Peer:
        if self._port is None:
            self._port = self._start()
        return self

    def stop(self) -> None:
        """Stop answering and release the port; safe to call twice."""
        if self._port is not None:
            self._port = None
            self._stop()

    close = stop  # like a session's, so both can be closed alike

    @abc.abstractmethod
    def _start(self) -> int:
        """Bind, start serving, return the port."""

    @abc.abstractmethod
    def _stop(self) -> None:
        """Stop serving and close every socket and thread."""

    def __enter__(self: Peer) -> Peer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = f"{self.host}:{self._port}" if self._port is not None else "stopped"
        return f"<fake {self.kind} {self.name!r} {where}>"


class DownPeer(FakePeer):
    """A peer that is down: its port is reserved (bound, never listening), so a
    connection to it is refused at once, as with a crashed server."""

    def __init__(self, name: str, kind: str = "server", **options: Any) -> None:
        super().__init__(name, **options)
        self.kind = kind  # the kind of the peer that is down
        self._socket: socket.socket | None = None

    def _start(self) -> int:
        self._socket = self.bind()
        port: int = self._socket.getsockname()[1]
        return port

    def _stop(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def __repr__(self) -> str:
        return super().__repr__()[:-1] + " (down)>"
