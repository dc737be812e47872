"""What every fake peer shares: a loopback port of its own, start and stop, macros.

A fake peer stands in for another machine Exim talks to (a destination server, a spam
or virus scanner, a greylisting daemon). It binds port 0 on 127.0.0.1 and keeps the
socket, so two suites on one machine can never get the same port. Exim learns the
port from the macro `NAME_PORT` (`macros()`); the host is always 127.0.0.1. (Exim
takes at most 10 `-D` options, so a peer spends one, not two.)
"""

from __future__ import annotations

import abc
import asyncio
import logging
import re
import socket
import threading
from typing import TYPE_CHECKING, Any, Coroutine, Generic, Iterable, TypeVar

from ..errors import FakePeerError, InvalidInputError
from ..network.ports import LOOPBACK, bind_free_port
from ..text import appears_in

if TYPE_CHECKING:  # pragma: no cover
    from ..network.netns import PrivateNetwork

__all__ = ["FakePeer", "AsyncioFake", "StreamFake", "RuleScanner", "DownPeer", "port_macro"]

log = logging.getLogger("eximunit_bdd.fakes")

#: How long a fake waits for one conversation, or for its thread to start or stop.
DEFAULT_TIMEOUT = 10.0

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")

Peer = TypeVar("Peer", bound="FakePeer")
Value = TypeVar("Value")


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


class AsyncioFake(FakePeer):
    """A fake peer served by asyncio on an event loop in a thread of its own: the
    listening socket is bound beforehand (so it may be in a private network) and served
    by `_serve`. Stopping it closes the listener, cancels the conversations in progress
    (closing their sockets) and ends the thread."""

    def __init__(self, name: str, **options: Any) -> None:
        super().__init__(name, **options)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None

    @abc.abstractmethod
    def _serve(self, sock: socket.socket) -> Coroutine[Any, Any, asyncio.AbstractServer]:
        """The coroutine, run on the fake's loop, that serves `sock`."""

    def _start(self) -> int:
        sock = self.bind()
        port: int = sock.getsockname()[1]
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name=f"eximunit fake {self.kind} {self.name}", daemon=True
        )
        self._thread.start()
        try:
            self._server = self._call(self._serve(sock))
        except BaseException as error:
            sock.close()
            self._stop()
            if isinstance(error, Exception) and not isinstance(error, FakePeerError):
                raise FakePeerError(f"the fake {self.kind} {self.name!r} did not start: {error}") from error
            raise
        return port

    def _stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        try:
            if self._server is not None:
                self._call(self._shut_down(self._server))
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(self.timeout)
            if thread.is_alive():
                raise FakePeerError(f"the thread of {self!r} did not stop within {self.timeout:g} s.")
            loop.close()
            self._loop = self._thread = self._server = None

    def _call(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(self.timeout)

    async def _shut_down(self, server: asyncio.AbstractServer) -> None:
        server.close()  # no more connections; then end every one in progress, including
        # one accepted a moment ago whose conversation has not started yet
        this = asyncio.current_task()
        while others := asyncio.all_tasks() - {this}:
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)
        await server.wait_closed()
        await asyncio.sleep(0)  # the closed transports release their sockets


class StreamFake(AsyncioFake):
    """A fake peer that serves one conversation per connection (`converse`), with
    asyncio in a thread of its own. Stopping it cancels the conversations in
    progress, closes their sockets and the listening one, and ends the thread."""

    @abc.abstractmethod
    async def converse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Read one request, write the answer."""

    def _serve(self, sock: socket.socket) -> Coroutine[Any, Any, asyncio.AbstractServer]:
        return asyncio.start_server(self._on_connection, sock=sock)

    async def _on_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await asyncio.wait_for(self.converse(reader, writer), self.timeout)
            await writer.drain()
        except (
            asyncio.TimeoutError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            ConnectionError,
            ValueError,
        ) as error:
            log.warning("%r: conversation abandoned: %s", self, error or type(error).__name__)
        finally:
            writer.close()


class RuleScanner(StreamFake, Generic[Value]):
    """A scanner whose answers follow rules, `(text, value)` pairs: a rule matches a
    message that contains its text (case-insensitive). Rules may be added while it
    runs; `scanned` records every message it was given, oldest first."""

    def __init__(self, name: str, rules: Iterable[tuple[str, Value]] | None = None, **options: Any) -> None:
        super().__init__(name, **options)
        self.rules: list[tuple[str, Value]] = list(rules or [])
        self.scanned: list[bytes] = []

    def add_rule(self, text: str, value: Value) -> None:
        """Messages containing `text` match `value` too."""
        with self._lock:
            self.rules.append((text, value))

    def matching_rules(self, message: bytes) -> list[tuple[str, Value]]:
        """The rules whose text the message contains, in the order they were given."""
        text = message.decode("utf-8", "replace")
        with self._lock:
            return [rule for rule in self.rules if appears_in(rule[0], text)]

    def _record_scan(self, message: bytes) -> None:
        with self._lock:
            self.scanned.append(message)
