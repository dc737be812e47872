"""A fake ClamAV clamd for Exim's `malware =` ACL condition.

With `av_scanner = clamd:127.0.0.1 PORT`, Exim sends `zINSTREAM\\0` and the message in
chunks, each a 4-byte big-endian length and the bytes, ending with a zero length. clamd
answers `stream: OK\\0` or `stream: NAME FOUND\\0`, and Exim's `$malware_name` is NAME.
The `n`-prefixed (newline-terminated) form of the commands is understood too.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .base import RuleScanner
from .peer import KINDS

__all__ = ["FakeClamd", "clamd_reply"]

_VERSION = "ClamAV 1.0.0/eximunit-bdd fake"


def clamd_reply(command: bytes, virus: str | None) -> bytes:
    """The answer to one clamd command (without the prefix and terminator)."""
    if command == b"INSTREAM":
        return f"stream: {virus} FOUND".encode() if virus else b"stream: OK"
    if command == b"PING":
        return b"PONG"
    if command == b"VERSION":
        return _VERSION.encode()
    return b"UNKNOWN COMMAND"


class FakeClamd(RuleScanner[str]):
    """Reports a virus for messages containing a marker (case-insensitive): the first
    rule whose text the message contains names the virus; other messages are clean.

    Example: `FakeClamd("clamd", [("X5O!P%@AP", "Eicar-Test-Signature")])`
    """

    kind = KINDS["clamd"]

    def __init__(self, name: str, rules: list[tuple[str, str]] | None = None, **options: Any) -> None:
        super().__init__(name, rules, **options)

    def virus_in(self, message: bytes) -> str | None:
        found = self.matching_rules(message)
        return found[0][1] if found else None

    async def converse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        prefix = await reader.readexactly(1)
        if prefix not in (b"z", b"n"):
            raise ValueError(f"not a clamd command: {prefix!r}")
        end = b"\0" if prefix == b"z" else b"\n"
        command = (await reader.readuntil(end))[:-1]
        virus = None
        if command == b"INSTREAM":
            message = await _read_chunks(reader)
            self._record_scan(message)
            virus = self.virus_in(message)
        writer.write(clamd_reply(command, virus) + end)


async def _read_chunks(reader: asyncio.StreamReader) -> bytes:
    chunks = []
    while size := int.from_bytes(await reader.readexactly(4), "big"):
        chunks.append(await reader.readexactly(size))
    return b"".join(chunks)
