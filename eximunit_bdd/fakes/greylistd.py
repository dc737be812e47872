"""A fake greylistd, the greylisting daemon Debian packages for Exim.

Exim asks it with `${readsocket{SOCKET}{--grey HOST SENDER RECIPIENT}{5s}{}{false}}`:
the answer is `true` while the triplet is grey (defer it) and `false` once it is
white. The real daemon whitelists a triplet retried after an hour; this fake has no
clock: the first attempt of a triplet is grey, every retry is white. Over TCP
(`inet:127.0.0.1:PORT` in readsocket), as Exim writes the request and shuts its side.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .base import StreamFake
from .peer import KINDS

__all__ = ["FakeGreylistd"]


class FakeGreylistd(StreamFake):
    """Greylisting state for one scenario: `seen` lists the triplets asked, in order.

    Requests are greylistd's: an optional operation (`update`, `check`), an optional
    list (`--grey`, `--white`, `--black`) and the words of the triplet. With a list the
    answer is `true` or `false`; without one it is `grey` or `white`.

    Example: `FakeGreylistd("greylistd")`
    """

    kind = KINDS["greylistd"]

    def __init__(self, name: str, **options: Any) -> None:
        super().__init__(name, **options)
        self.seen: list[str] = []

    def ask(self, request: str) -> str:
        words = request.split()
        operation = "update"
        if words and words[0] in ("update", "check"):
            operation = words.pop(0)
        lists = [word[2:] for word in words if word.startswith("--")]
        triplet = " ".join(word for word in words if not word.startswith("--"))
        with self._lock:
            grey = triplet not in self.seen
            if operation == "update":
                self.seen.append(triplet)
        status = "grey" if grey else "white"
        if not lists:
            return status
        return "true" if status in lists else "false"

    async def converse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.read()  # Exim's readsocket shuts its side after writing
        writer.write(self.ask(request.decode("utf-8", "replace")).encode())
