"""A fake SpamAssassin spamd for Exim's `spam =` ACL condition.

Exim (`spamd_address = 127.0.0.1 PORT`) sends::

    REPORT SPAMC/1.2\\r\\nUser: nobody\\r\\nContent-length: 1234\\r\\n\\r\\n<the message>

and closes its side for writing. The answer Exim parses is::

    SPAMD/1.1 0 EX_OK\\r\\nSpam: True ; 15.0 / 5.0\\r\\n\\r\\n<report lines>

`$spam_score` is then 15.0, `$spam_score_int` 150, and `spam = nobody` is true when the
score reaches the threshold.
"""

from __future__ import annotations

import asyncio
from typing import Any, NamedTuple

from .base import RuleScanner
from .peer import KINDS

__all__ = ["FakeSpamd", "SpamVerdict", "spamd_reply", "DEFAULT_THRESHOLD"]

#: SpamAssassin's default `required_score`.
DEFAULT_THRESHOLD = 5.0


class SpamVerdict(NamedTuple):
    """What the fake scanner said about one message."""

    score: float
    threshold: float
    rules: list[str]

    @property
    def is_spam(self) -> bool:
        return self.score >= self.threshold


def spamd_reply(verdict: SpamVerdict) -> bytes:
    """The spamd answer to a REPORT request, in the form Exim's parser reads."""
    lines = [f"Content analysis by the eximunit-bdd fake spamd: {len(verdict.rules)} rule(s) matched"]
    lines += [f"  matched: {rule}" for rule in verdict.rules]
    status = f"Spam: {verdict.is_spam} ; {verdict.score:.1f} / {verdict.threshold:.1f}"
    return f"SPAMD/1.1 0 EX_OK\r\n{status}\r\n\r\n".encode() + "\r\n".join(lines).encode() + b"\r\n"


class FakeSpamd(RuleScanner[float]):
    """Scores each message by the rules given: the sum of the scores of the rules whose
    text the message contains (case-insensitive); 0.0 when none does.

    Example: `FakeSpamd("spamd", [("viagra", 15.0)])`
    """

    kind = KINDS["spamd"]

    def __init__(
        self, name: str, rules: list[tuple[str, float]] | None = None,
        threshold: float = DEFAULT_THRESHOLD, **options: Any,
    ) -> None:
        super().__init__(name, rules, **options)
        self.threshold = threshold

    def verdict(self, message: bytes) -> SpamVerdict:
        matched = self.matching_rules(message)
        described = [f"{text!r} scores {score:g}" for text, score in matched]
        return SpamVerdict(sum(score for _, score in matched), self.threshold, described)

    async def converse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        command = head.split(b"\r\n", 1)[0]
        if not command.startswith((b"REPORT ", b"SYMBOLS ", b"CHECK ")):
            raise ValueError(f"not a spamd request: {command[:60]!r}")
        message = await reader.read()  # Exim shuts its side down after the message
        self._record_scan(message)
        writer.write(spamd_reply(self.verdict(message)))
