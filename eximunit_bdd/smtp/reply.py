"""SMTP replies as Exim's `-bh` mode prints them, parsed into values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Literal

from ..acl.source import statement_start
from ..trace.acl_runs import AclRun, parse_acl_runs
from ..trace.headers import Header, added_headers
from ..trace.log import log_lines

__all__ = ["Reply", "REPLY_END", "parse_reply", "split_replies", "ends_inside_a_reply", "format_reply"]

#: The last line of a reply: three digits then a space, CR or end of line.
#: `-bh` prints banner lines with bare LF and replies with CRLF, so match on LF.
REPLY_END = re.compile(r"(?:^|\n)\d{3}(?:[ \r][^\n]*)?\n")

_REPLY_LINE = re.compile(r"^(\d{3})([ -]?)(.*)$")
_REPLY_START = re.compile(r"(?:^|\n)\d{3}")


@dataclass(frozen=True)
class Reply:
    """One complete server reply, with what Exim traced while deciding it.

    >>> r = Reply(550, ("relay not permitted",))
    >>> (r.rejected, r.text)
    (True, 'relay not permitted')
    """

    code: int
    lines: tuple[str, ...] = ()
    #: The client line that got this reply; None for the greeting.
    command: str | None = None
    #: Exim's stderr while handling the command: `>>>` ACL trace and `LOG:` lines.
    trace: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """All lines' text joined by spaces: `"mx Hello x [192.0.2.1] SIZE 52428800 ..."`."""
        return " ".join(self.lines)

    @property
    def accepted(self) -> bool:
        """2xx, or 3xx (354 after DATA): the server goes on."""
        return 200 <= self.code < 400

    @property
    def deferred(self) -> bool:
        """4xx: a temporary failure, the client should retry later."""
        return 400 <= self.code < 500

    @property
    def rejected(self) -> bool:
        """5xx: a permanent failure."""
        return 500 <= self.code < 600

    @property
    def verdict(self) -> Literal["accepted", "deferred", "rejected"]:
        """`"accepted"`, `"deferred"` or `"rejected"`: the word a spec uses."""
        if self.accepted:
            return "accepted"
        return "deferred" if self.deferred else "rejected"

    @property
    def log_lines(self) -> list[str]:
        """What Exim logged while deciding: `["H=(x) [192.0.2.1] ... relay not permitted"]`."""
        return log_lines(self.trace)

    @property
    def added_headers(self) -> list[Header]:
        """Headers the ACLs asked to add while deciding: `[Header("X-Coop", "yes")]`."""
        return added_headers(self.trace)

    @property
    def acl_runs(self) -> list[AclRun]:
        """The ACLs Exim ran while deciding, with the statements it processed."""
        return parse_acl_runs(self.trace, statement_start)

    @property
    def decision(self) -> AclRun | None:
        """The ACL run whose verdict the client got (the last one), if any ran."""
        runs = self.acl_runs
        return runs[-1] if runs else None

    def closes_connection(self, greeting: bool = False) -> bool:
        """True when Exim hangs up after this reply (421, 221, a refused greeting)."""
        return self.code in (221, 421) or (greeting and not self.accepted)

    def __str__(self) -> str:
        return format_reply(self.code, self.lines)


def format_reply(code: int, lines: tuple[str, ...] | list[str]) -> str:
    """Render a reply as sent on the wire, without CRs: `"250-a\\n250 b"`."""
    if not lines:
        return str(code)
    last = len(lines) - 1
    return "\n".join(f"{code}{' ' if i == last else '-'}{line}" for i, line in enumerate(lines))


def parse_reply(chunk: str, command: str | None = None, trace: tuple[str, ...] = ()) -> Reply:
    """Parse one reply out of `chunk`, skipping Exim's `****` banner and note lines.

    >>> parse_reply("250-mx Hello\\r\\n250 HELP\\r\\n").lines
    ('mx Hello', 'HELP')
    """
    code: int | None = None
    texts: list[str] = []
    for raw in chunk.splitlines():
        match = _REPLY_LINE.match(raw.rstrip("\r"))
        if not match:
            continue  # banner, "**** SMTP testing: ..." or an empty line
        code = int(match.group(1))
        texts.append(match.group(3) if match.group(2) else "")
    if code is None:
        raise ValueError(f"no SMTP reply in {chunk!r}")
    return Reply(code, tuple(texts), command, trace)


def split_replies(output: str, command: str | None = None, trace: tuple[str, ...] = ()) -> Iterator[Reply]:
    """Every complete reply in `output` (a whole `-bh` stdout, or what came unasked),
    in order, each naming `command`; the first carries `trace`."""
    while True:
        # Sliced, not searched from an offset: REPLY_END's ^ means "start of the
        # unread output", as in pexpect's buffer.
        match = REPLY_END.search(output)
        if not match:
            return
        yield parse_reply(output[: match.end()], command, trace)
        output, trace = output[match.end() :], ()


def ends_inside_a_reply(output: str) -> bool:
    """Does `output` end in the middle of a reply (a reply line with no last line yet)?"""
    while match := REPLY_END.search(output):
        output = output[match.end() :]
    return _REPLY_START.search(output) is not None
