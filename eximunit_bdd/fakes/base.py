"""The fakes that serve: an asyncio event loop in a thread of their own (`AsyncioFake`),
one line-based conversation per connection (`StreamFake`), and a scanner that answers
by rules (`RuleScanner`). What every fake peer shares is in `peer`."""

from __future__ import annotations

import abc
import asyncio
import logging
import socket
import threading
from typing import Any, Coroutine, Generic, Iterable, TypeVar

from ..errors import FakePeerError
from ..text import appears_in
from .peer import FakePeer

__all__ = ["AsyncioFake", "StreamFake", "RuleScanner"]

log = logging.getLogger("eximunit_bdd.fakes")

Value = TypeVar("Value")


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
