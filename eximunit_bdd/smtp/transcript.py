"""A session's conversation, kept for failure messages and reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Literal

from ..text import shortened
from .reply import Reply, format_reply

__all__ = ["Transcript", "TranscriptLine", "MESSAGE_LINES_SHOWN"]

Speaker = Literal["C", "S", "L", "*"]
#: How many lines of a message body a transcript (and the HTML report) shows.
MESSAGE_LINES_SHOWN = 12


@dataclass(frozen=True)
class TranscriptLine:
    """One line: `C` client, `S` server, `L` Exim's log, `*` a note from eximunit."""

    speaker: Speaker
    text: str
    #: For server (`S`) and log (`L`) lines: the reply they belong to, so that a
    #: report can mark the reply a step failed on and show the headers it added.
    reply: Reply | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        """`C: RCPT TO:<anna@coop.test>`, control characters visible, a very long line cut."""
        return f"{self.speaker}: {shortened(self.text)}"


@dataclass
class Transcript:
    """Every line of a session in order, rendered as `C: ...` / `S: ...` lines."""

    lines: list[TranscriptLine] = field(default_factory=list)

    def client(self, line: str) -> None:
        self.lines.append(TranscriptLine("C", line))

    def client_message(self, message_lines: list[str]) -> None:
        """The message body after DATA; long ones are shortened to keep failures readable."""
        shown = message_lines[:MESSAGE_LINES_SHOWN]
        for line in shown:
            self.client(line)
        if len(message_lines) > len(shown):
            self.note(f"({len(message_lines) - len(shown)} more message lines)")
        self.client(".")

    def server(self, reply: Reply) -> None:
        for line in format_reply(reply.code, reply.lines).split("\n"):
            self.lines.append(TranscriptLine("S", line, reply))
        for line in reply.log_lines:
            self.lines.append(TranscriptLine("L", line, reply))

    def note(self, text: str) -> None:
        self.lines.append(TranscriptLine("*", text))

    def __iter__(self) -> Iterator[TranscriptLine]:
        return iter(self.lines)

    def render(self, indent: str = "  ") -> str:
        """`  S: 220 mx ESMTP\\n  C: EHLO client.example\\n  ...`"""
        return "\n".join(indent + str(line) for line in self.lines)
