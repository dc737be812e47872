"""Exim's main and reject logs read as a stream of `LoggedDecision`s, in bounded memory.

Each rejection line is a decision of its own (concurrent connections interleave freely).
An accepted message gives one decision per recipient: from its `<=` line with
`+received_recipients`; else from the delivery lines of the same message id (`=>`,
`->`, `*>`, `==`, `**`: each names the recipient as the client gave it, in `<...>` when
routing changed it), gathered until its `Completed` line, at most `max_pending` messages
at once (the oldest are given with what is known so far). A recipient whose delivery
Exim dropped as a duplicate of another's (anna@ and board@ both to anna) is only known
with `+received_recipients`. A reject log's block after a data-time rejection
(`Envelope-to:`) names the recipients accepted at RCPT.

A rejection is written to both logs: one read twice (same timestamp, pid and text) is
given once, as long as the first is among the last `dedupe_window` lines that made
decisions. So give the reject log after (or before) the main log of the same period;
two identical lines in one second without `+pid` count once. `exim -bh` lines (no
timestamp) are never merged.
"""

from __future__ import annotations

import dataclasses
import gzip
import os
import re
import sys
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional, Protocol, Sequence

from ..errors import InvalidInputError
from . import log_lines
from .log_lines import Host, Stamped
from .transactions import LoggedDecision, Outcome, Stage

__all__ = ["LogStats", "open_logs", "read_decisions", "UNKNOWN", "MALFORMED", "NOT_A_DECISION",
           "DUPLICATE", "DETAIL", "TRUNCATED", "OVERLONG", "UNREADABLE"]  # fmt: skip

#: Why a line was skipped (the keys of `LogStats.skipped`).
UNKNOWN = "unknown shape"
MALFORMED = "malformed"
NOT_A_DECISION = "not a decision"
DUPLICATE = "already read in another log"
DETAIL = "continuation or reject log detail"
TRUNCATED = "truncated last line"
OVERLONG = "overlong line"
UNREADABLE = "unreadable compressed data"

#: What a reject log writes after a rejection once the header was read (log.c).
_REJECT_LOG_BLOCK = re.compile(r"Envelope-(?:from|to): <|[A-Z*] \S|\*\*\* truncated \*\*\*$")

#: Exim writes at most a few kB a line (LOG_BUFFER_SIZE 8192, reject log headers more).
MAX_LINE = 65536

#: An authenticated client's `A=AUTHENTICATOR:ID` (in `<=` lines, and after `F=<...>`).
_AUTHENTICATED = re.compile(r"(?<= )A=(?P<name>[\w-]+):(?P<id>\S+)")
#: A connection's end (its process may serve another next).
_CONNECTION_ENDS = re.compile(
    r"^(?:SMTP connection from|unexpected disconnection|SMTP command timeout|Connection from)"
)
#: The cipher of an encrypted connection (`X=TLS1.3:...`).
_ENCRYPTED = re.compile(r"(?<= )X=\S")


@dataclass
class LogStats:
    """What reading the logs met: every line read is used or skipped for one reason."""

    lines_read: int = 0
    lines_used: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    decisions: int = 0
    #: Accepted messages none of whose recipients the logs name (no delivery line yet).
    messages_without_recipients: int = 0

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    @property
    def lines_skipped(self) -> int:
        return sum(self.skipped.values())

    def skipped_lines(self) -> dict[str, int]:
        """How many lines were skipped, by reason (a copy)."""
        return dict(self.skipped)


def open_logs(paths: Sequence[str], stats: Optional[LogStats] = None) -> Iterator[str]:
    """The lines of each file in turn, without their line ends: `.gz` decompressed, `-`
    standard input, undecodable bytes replaced. A file's last line without a newline
    (cut while Exim wrote it, or a truncated copy) is dropped, as are lines over
    MAX_LINE and the rest of broken compressed data; `stats` counts them.

    Raises InvalidInputError at once for a file that does not exist or cannot be read."""
    for path in paths:
        if path != "-" and not os.access(path, os.R_OK):
            why = "does not exist" if not os.path.exists(path) else "cannot be read"
            raise InvalidInputError(f"The log file {path} {why}.")
    return _lines_of_all(paths, stats)


class _Readable(Protocol):
    def readline(self, size: int, /) -> bytes: ...


def _lines_of_all(paths: Sequence[str], stats: Optional[LogStats]) -> Iterator[str]:
    for path in paths:
        if path == "-":
            yield from _lines(sys.stdin.buffer, stats)
        elif path.endswith(".gz") or _gzipped(path):
            with gzip.open(path, "rb") as packed:
                yield from _lines(packed, stats)
        else:
            with open(path, "rb") as plain:
                yield from _lines(plain, stats)


def _gzipped(path: str) -> bool:
    """A rotated log gzipped under another name (`mainlog.2`): gzip's magic bytes."""
    with open(path, "rb") as file:
        return file.read(2) == b"\x1f\x8b"


def _lines(stream: _Readable, stats: Optional[LogStats]) -> Iterator[str]:
    def count(reason: str) -> None:
        if stats is not None:
            stats.lines_read += 1
            stats.skip(reason)

    overlong = False
    while True:
        try:
            data = stream.readline(MAX_LINE)
        except (EOFError, OSError, zlib.error):  # gzip: cut short, or not gzip at all
            count(UNREADABLE)
            return
        if not data:
            return
        if not data.endswith(b"\n"):
            if len(data) >= MAX_LINE:
                overlong = True  # the rest of it follows
                continue
            count(OVERLONG if overlong else TRUNCATED)
            return
        if overlong:
            overlong = False
            count(OVERLONG)
            continue
        yield data.rstrip(b"\r\n").decode("utf-8", errors="replace")


@dataclass
class _Message:
    """An accepted message whose recipients come from its delivery lines."""

    when: str
    host: Host
    sender: str
    message_id: str
    line: str
    recipients: dict[str, None] = field(default_factory=dict)  # in order, once each


class _Reader:
    def __init__(self, stats: LogStats, max_pending: int, dedupe_window: int) -> None:
        self.stats = stats
        self.max_pending = max_pending
        self.dedupe_window = dedupe_window
        self.pending: OrderedDict[str, _Message] = OrderedDict()
        self.seen: OrderedDict[int, None] = OrderedDict()
        #: The rejection a reject log's following lines (Envelope-to:, headers) belong to.
        self.entry: Optional[tuple[Stamped, log_lines.Rejection]] = None
        self.in_envelope_to = False
        #: Whether the last line was part of an entry (a continuation may follow).
        self.in_entry = False
        #: With +pid: what each open connection's lines said of TLS and authentication
        #: (Exim writes A= and X= on some lines only), until the connection ends.
        self.connections: dict[str, tuple[Optional[str], Optional[str], bool]] = {}

    def _connected(self, pid: Optional[str], decision: LoggedDecision) -> LoggedDecision:
        """`decision` with its connection's TLS and authentication, when its own line
        lacks them and the log's pids tell the connection (+pid)."""
        if pid is None:
            return decision
        known = self.connections.get(pid, (None, None, False))
        authenticator = decision.authenticator or known[0]
        authenticated_id = decision.authenticated_id or known[1]
        tls = decision.tls or known[2]
        self.connections[pid] = (authenticator, authenticated_id, tls)
        if (authenticator, authenticated_id, tls) == (
            decision.authenticator,
            decision.authenticated_id,
            decision.tls,
        ):
            return decision
        return dataclasses.replace(
            decision, authenticator=authenticator, authenticated_id=authenticated_id, tls=tls
        )

    def read(self, raw: str) -> Iterator[LoggedDecision]:
        self.stats.lines_read += 1
        line = raw.rstrip("\r\n")
        stamped = log_lines.stamped(line)
        if stamped is None:
            yield from self._detail(line)
            return
        self.entry, self.in_envelope_to, self.in_entry = None, False, True
        if stamped.pid is not None and _CONNECTION_ENDS.search(stamped.rest):
            self.connections.pop(stamped.pid, None)  # the process serves a new one next
        message_id, rest = log_lines.message_id_of(stamped.rest)
        if message_id is not None and (arrival := log_lines.accepted(rest)) is not None:
            yield from self._arrival(stamped, message_id, arrival, line)
        elif message_id is not None and message_id in self.pending:
            yield from self._about_pending(message_id, rest)
        elif (found := log_lines.rejection(rest)) is not None:
            yield from self._rejection(stamped, found, line)
        elif (incomplete := log_lines.incomplete_transaction(rest)) is not None and incomplete[2]:
            host, sender, recipients = incomplete
            yield from self._once(stamped, line, [
                _decision(stamped.when, host, "rcpt", sender=sender, recipient=recipient, line=line)
                for recipient in recipients
            ])  # fmt: skip
        elif message_id is not None or log_lines.is_known_event(rest):
            self.stats.skip(NOT_A_DECISION)
        elif "H=" in rest and " rejected " in rest:
            self.stats.skip(MALFORMED)  # a rejection whose client cannot be read
        else:
            self.stats.skip(UNKNOWN)

    def finish(self) -> Iterator[LoggedDecision]:
        while self.pending:
            yield from self._flush(next(iter(self.pending)))

    # ---- the parts ---------------------------------------------------------------------

    def _detail(self, line: str) -> Iterator[LoggedDecision]:
        """A line without a timestamp: a continuation, or the reject log's block after a
        data-time rejection (Envelope-from:, Envelope-to: and more recipients, headers)."""
        if not (
            self.in_entry and (line[:1] in (" ", "\t") or (self.entry and _REJECT_LOG_BLOCK.match(line)))
        ):
            self.stats.skip(MALFORMED)
            self.entry, self.in_envelope_to, self.in_entry = None, False, False
            return
        recipient = None
        if line.startswith("Envelope-to: <"):
            self.in_envelope_to, recipient = True, line[len("Envelope-to: ") :]
        elif self.in_envelope_to and line.startswith("    <"):
            recipient = line.strip()
        else:
            self.in_envelope_to = False
        if self.entry is None or recipient is None or not recipient.endswith(">"):
            self.stats.skip(DETAIL)
            return
        stamped, rejection = self.entry
        decision = _decision(
            stamped.when, rejection.host, "rcpt", helo=rejection.helo, sender=rejection.sender,
            recipient=recipient[1:-1], line=stamped.rest,  # the rejection's fields: A=, X=
        )  # fmt: skip
        yield from self._once(Stamped(stamped.when, stamped.pid, f"{stamped.rest}\n{line}"), line, [decision])

    def _arrival(
        self, stamped: Stamped, message_id: str, arrival: log_lines.Accepted, line: str
    ) -> Iterator[LoggedDecision]:
        if arrival.recipients:
            yield from self._once(stamped, line, [
                _decision(stamped.when, arrival.host, "rcpt", sender=arrival.sender, recipient=recipient,
                          message_id=message_id, line=line)
                for recipient in arrival.recipients
            ])  # fmt: skip
            return
        self.stats.lines_used += 1
        self.pending[message_id] = _Message(stamped.when, arrival.host, arrival.sender, message_id, line)
        if len(self.pending) > self.max_pending:
            yield from self._flush(next(iter(self.pending)))

    def _about_pending(self, message_id: str, rest: str) -> Iterator[LoggedDecision]:
        if rest == "Completed":
            self.stats.lines_used += 1
            yield from self._flush(message_id)
        elif (recipient := log_lines.delivered_recipient(rest)) is not None:
            self.stats.lines_used += 1
            self.pending[message_id].recipients[recipient] = None
        else:
            self.stats.skip(NOT_A_DECISION)

    def _flush(self, message_id: str) -> Iterator[LoggedDecision]:
        message = self.pending.pop(message_id)
        if not message.recipients:
            self.stats.messages_without_recipients += 1
        for recipient in message.recipients:
            self.stats.decisions += 1
            yield _decision(
                message.when, message.host, "rcpt", sender=message.sender, recipient=recipient,
                message_id=message_id, line=message.line,
            )  # fmt: skip

    def _rejection(
        self, stamped: Stamped, rejection: log_lines.Rejection, line: str
    ) -> Iterator[LoggedDecision]:
        decision = _decision(
            stamped.when, rejection.host, rejection.stage, rejection.outcome, helo=rejection.helo,
            sender=rejection.sender, recipient=rejection.recipient, reply=rejection.reply, line=line,
        )  # fmt: skip
        yield from self._once(stamped, line, [decision])
        if rejection.stage == "data":
            self.entry = (stamped, rejection)

    def _once(self, stamped: Stamped, line: str, decisions: list[LoggedDecision]) -> Iterator[LoggedDecision]:
        """The decisions of a line, unless the same line (timestamp, pid, text) was read
        in the other log; with what its connection said of TLS and authentication."""
        decisions = [self._connected(stamped.pid, decision) for decision in decisions]
        if stamped.when:
            key = hash((stamped.when, stamped.pid, stamped.rest))
            if key in self.seen:
                self.stats.skip(DUPLICATE)
                return
            self.seen[key] = None
            if len(self.seen) > self.dedupe_window:
                self.seen.popitem(last=False)
        self.stats.lines_used += 1
        self.stats.decisions += len(decisions)
        yield from decisions


def read_decisions(
    lines: Iterable[str], stats: LogStats, *, max_pending: int = 10_000, dedupe_window: int = 100_000
) -> Iterator[LoggedDecision]:
    """The decisions the log lines record, as they are read (an accepted message's when
    its `Completed` line comes, or it is among the oldest of `max_pending` waiting).
    Lines that are not decisions, malformed or of unknown shape are counted in `stats`
    and skipped: nothing in a log makes this raise."""
    reader = _Reader(stats, max_pending, dedupe_window)
    for line in lines:
        yield from reader.read(line)
    yield from reader.finish()


def _decision(
    when: str,
    host: Host,
    stage: Stage,
    outcome: Outcome = "accepted",
    *,
    helo: Optional[str] = None,
    sender: Optional[str] = None,
    recipient: Optional[str] = None,
    reply: str = "",
    message_id: Optional[str] = None,
    line: str = "",
) -> LoggedDecision:
    fields = _fields(line)
    authenticated = _AUTHENTICATED.search(fields)
    return LoggedDecision(
        when=when,
        client_ip=host.ip,
        stage=stage,
        outcome=outcome,
        helo=helo if helo is not None else host.helo_at(stage),
        sender=sender,
        recipient=recipient,
        reply=reply,
        client_port=host.port,
        server_ip=host.server_ip,
        server_port=host.server_port,
        message_id=message_id,
        line=line,
        authenticator=authenticated["name"] if authenticated else None,
        authenticated_id=authenticated["id"] if authenticated else None,
        tls=_ENCRYPTED.search(fields) is not None,
    )


def _fields(line: str) -> str:
    """The line's fields, without what a client or a rule wrote: the subject (`T="..."`)
    and the text after `rejected ...` (a client could put `A=x:y` there)."""
    line = line.split(' T="', 1)[0]
    return line.split(" rejected ", 1)[0]
