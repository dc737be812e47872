"""The messages a queue-only daemon accepted, read from its spool, and where their
recipients would go (`exim -N -M ID`), without delivering anything.

A message is two files in SPOOL/input (SPOOL/input/X/ with `split_spool_directory`,
X the id's sixth character): `ID-D`, the body, and `ID-H`, the envelope and headers
(spec, "Format of spool files"; Exim 4.96, spool_in.c)::

    1xYDtN-0000rs-09-H                   the file's own name
    Debian-exim 102 105                  who wrote it: login, uid, gid
    <sender@example.org>                 the envelope sender (<> for a bounce)
    1796093213 0                         received time, delay warnings sent
    -host_address [127.0.0.1]:35606      `-name value` or `-flag`; `--name`: a tainted value
    -aclm _verdict 5                     an ACL variable: name, length, then the value
    clean                                (which may hold newlines) on the lines below
    XX                                   the tree of recipients done (XX: none yet)
    2                                    how many recipients, then one a line:
    anna@coop.test
    bob@shop.test rfc822;bob@shop.test 20,20  0,-1#3      ... with DSN data (#3)
                                         an empty line, then the headers:
    034F From: Sender <sender@example.org>   length (with the newline and continuation
                                         lines), a flag letter (space: none; `*`: deleted)
"""

from __future__ import annotations

import datetime
import os
import re
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from ..errors import ConfigAssertionError, ReplyTimeoutError, StepUsageError, UnexpectedOutputError
from ..exim.diagnosis import startup_error
from ..exim.inputs import check_address
from ..exim.options import EximOptions
from ..exim.process import kill_tree, start_process
from ..exim.sandbox import caller_group, caller_user
from ..text import appears_in, decoded, shortened
from .logs import DryRun, parse_dry_run

__all__ = [
    "StoredHeader",
    "Recipient",
    "QueuedMessage",
    "message_ids",
    "header_file",
    "read_header_file",
    "parse_header_file",
    "queued_messages",
    "assert_queued",
    "assert_nothing_queued",
    "assert_header",
    "assert_no_header",
    "assert_for_recipient",
    "dry_run",
]

_MESSAGE_ID = re.compile(r"[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}")
_ORIGINATOR = re.compile(rb"^(?P<login>.*) (?P<uid>-?\d+) (?P<gid>-?\d+)$")
_ACL_VARIABLE = re.compile(rb"^acl(?P<kind>[cm]) (?P<name>\S+) (?P<length>\d+)$")
_OLD_ACL_VARIABLE = re.compile(rb"^acl (?P<index>\d+) (?P<length>\d+)$")  # before Exim 4.64
_QUOTER = re.compile(rb"^\([^)]*\)")
_EXTRA = re.compile(rb"^(?P<rest>.*) (?P<length>\d+),(?P<number>-?\d+)$", re.S)
_EPOCH = datetime.datetime.fromtimestamp(0, datetime.timezone.utc)
_HEADER_START = re.compile(rb"(?P<length>\d+)(?P<flag>.) ")


@dataclass(frozen=True)
class StoredHeader:
    """A header as Exim stored it: its name, its value (continuation lines kept, without
    the final newline) and its flag letter (`P` Received, `F` From, `T` To, `I`
    Message-Id, ...; a space for the others). Deleted headers (`*`) are not kept."""

    name: str
    value: str
    flag: str = " "

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


@dataclass(frozen=True)
class Recipient:
    """A recipient line with what DSN added: the ORCPT, the NOTIFY flags (Exim's bits),
    an errors-to address and, for a one-time alias, its parent's number (-1: none)."""

    address: str
    orcpt: str | None = None
    dsn_flags: int = 0
    errors_to: str | None = None
    parent: int = -1


@dataclass(frozen=True)
class QueuedMessage:
    """One message in the queue, as its -H file says.

    `recipients` are those not yet delivered (the list less the tree of those done,
    `delivered`). `variables` holds every `-name value` line by name (`auth_id`,
    `tls_cipher`, `spam_score`, `host_address`, `received_protocol`, ...; a flag such
    as `N` or `frozen` with its value or ""), and the ACL variables by their Exim
    names (`acl_m_verdict`, `acl_c_helo`).
    """

    id: str
    sender: str
    recipients: tuple[str, ...]
    headers: tuple[StoredHeader, ...]
    variables: dict[str, str] = field(default_factory=dict)
    received_time: datetime.datetime | None = None
    host_address: str | None = None
    originator: str = ""
    delivered: tuple[str, ...] = ()
    recipient_lines: tuple[Recipient, ...] = ()
    path: Path | None = field(default=None, compare=False)

    def header(self, name: str) -> list[StoredHeader]:
        """The headers called `name` (ignoring case), in the order stored."""
        return [header for header in self.headers if header.name.casefold() == name.strip().casefold()]

    def shown(self) -> str:
        """The message for a failure message: id, envelope, variables and headers."""
        recipients = ", ".join(f"<{address}>" for address in self.recipients) or "no recipient left"
        lines = [f"{self.id} from <{self.sender}> for {recipients}"]
        variables = [(name, value) for name, value in self.variables.items() if name.startswith("acl_")]
        lines += [f"  {name} = {value}".replace("\n", "\\n") for name, value in variables]
        for header in self.headers:
            lines += ["  " + line for line in str(header).splitlines()]
        return "\n".join("    " + shortened(line) for line in lines)


# ---- reading the spool -----------------------------------------------------------------


def message_ids(spool: Path) -> list[str]:
    """The ids of the messages in SPOOL/input and its split subdirectories, sorted."""
    found: list[str] = []
    for directory in [Path(spool) / "input", *sorted(Path(spool).glob("input/?"))]:
        try:
            names = os.listdir(directory)
        except (FileNotFoundError, NotADirectoryError):
            continue
        found += [name[:-2] for name in names if name.endswith("-H") and _MESSAGE_ID.fullmatch(name[:-2])]
    return sorted(found)


def header_file(spool: Path, message_id: str) -> Path:
    """Where the -H file of `message_id` is (split or not); the unsplit path if neither."""
    split = Path(spool) / "input" / message_id[5] / f"{message_id}-H"
    return split if split.exists() else Path(spool) / "input" / f"{message_id}-H"


def queued_messages(spool: Path) -> list[QueuedMessage]:
    """Every message in the spool, oldest first. A message that leaves the queue while
    it is read (a delivery ended) is left out."""
    messages = []
    for message_id in message_ids(spool):
        try:
            messages.append(read_header_file(header_file(spool, message_id)))
        except FileNotFoundError:
            continue
    return sorted(messages, key=lambda message: (message.received_time or _EPOCH, message.id))


def read_header_file(path: Path) -> QueuedMessage:
    """The message a -H file describes. Raises UnexpectedOutputError if it is not one."""
    path = Path(path)
    return parse_header_file(path.read_bytes(), path)


def parse_header_file(data: bytes, path: Path | None = None) -> QueuedMessage:
    """Parse the bytes of a -H file (lengths in it count bytes)."""
    reader = _Reader(data, path)
    first = reader.line()
    if not first.endswith(b"-H") or not _MESSAGE_ID.fullmatch(first[:-2].decode("ascii", "replace")):
        raise reader.error(f"its first line is {first!r}, not ID-H")
    message_id = first[:-2].decode("ascii")
    originator = _ORIGINATOR.match(reader.line())
    sender_line = reader.line()
    times = reader.line().split()
    if not originator or not (sender_line.startswith(b"<") and sender_line.endswith(b">")) or len(times) != 2:
        raise reader.error("its envelope (originator, <sender>, time) is not in Exim's shape")
    variables = _read_variables(reader)
    delivered = _read_tree(reader)
    count = reader.line()
    if not count.isdigit():
        raise reader.error(f"{count!r} is not a count of recipients")
    lines = tuple(_recipient(reader.line()) for _ in range(int(count)))
    if reader.line() != b"":
        raise reader.error("no empty line before the headers")
    return QueuedMessage(
        id=message_id,
        sender=decoded(sender_line[1:-1]),
        recipients=tuple(line.address for line in lines if line.address not in delivered),
        headers=_read_headers(reader),
        variables=variables,
        received_time=_received_time(times[0], variables.get("received_time_usec")),
        host_address=_host_address(variables.get("host_address")),
        originator=decoded(originator.group("login")),
        delivered=delivered,
        recipient_lines=lines,
        path=path,
    )


class _Reader:
    """The -H file's bytes read from the front, by lines or by counted bytes."""

    def __init__(self, data: bytes, path: Path | None) -> None:
        self.data, self.at, self.path = data, 0, path

    def line(self) -> bytes:
        end = self.data.find(b"\n", self.at)
        if end < 0:
            raise self.error("it ends in the middle of the envelope")
        line, self.at = self.data[self.at : end], end + 1
        return line

    def take(self, length: int) -> bytes:
        if self.at + length > len(self.data):
            raise self.error("a value or header is longer than the file")
        taken, self.at = self.data[self.at : self.at + length], self.at + length
        return taken

    def peek(self) -> bytes:
        return self.data[self.at : self.at + 1]

    def error(self, problem: str) -> UnexpectedOutputError:
        return UnexpectedOutputError(f"{self.path or 'The spool file'} is not an Exim -H file: {problem}.")


def _read_variables(reader: _Reader) -> dict[str, str]:
    """The `-` lines, up to the recipients' tree."""
    variables: dict[str, str] = {}
    while reader.peek() == b"-":
        line = reader.line()[1:]
        line = _QUOTER.sub(b"", line[1:]) if line.startswith(b"-") else line  # tainted, quoted
        if acl := _ACL_VARIABLE.match(line):
            name = f"acl_{acl.group('kind').decode()}{decoded(acl.group('name'))}"
            variables[name] = decoded(reader.take(int(acl.group("length"))))
            reader.line()  # the newline after the value
        elif old := _OLD_ACL_VARIABLE.match(line):
            index = int(old.group("index"))
            name = f"acl_c{index}" if index < 10 else f"acl_m{index - 10}"
            variables[name] = decoded(reader.take(int(old.group("length"))))
            reader.line()
        else:
            name, _, value = decoded(line).partition(" ")
            variables[name] = value
    return variables


def _read_tree(reader: _Reader) -> tuple[str, ...]:
    """The tree of recipients done: `XX`, or `YN address` lines, each node before its
    left then its right subtree (Y: that subtree follows)."""
    line = reader.line()
    if line == b"XX":
        return ()
    found: list[str] = []
    pending = 1
    while pending:
        if len(line) < 4 or line[:2].strip(b"YN") or line[2:3] != b" ":
            raise reader.error(f"{line!r} is not a line of the tree of delivered recipients")
        found.append(decoded(line[3:]))
        pending += line[:2].count(b"Y") - 1
        if pending:
            line = reader.line()
    return tuple(found)


def _recipient(line: bytes) -> Recipient:
    """A recipient line: the address, then (from the right, as spool_in.c reads it) the
    errors-to address and parent number, and with DSN the ORCPT and NOTIFY flags."""
    shape = re.fullmatch(rb"(?P<body>.*)#(?P<flags>\d+)", line, re.S)
    if not shape:  # an address alone; older Exims added ` PNO` or ` N,PNO,N`
        older = re.fullmatch(rb"(?P<address>.*?) (?:\d+,)?(?P<pno>\d+)(?:,\d+)?", line)
        return (
            Recipient(decoded(older.group("address")), parent=int(older.group("pno")))
            if older
            else Recipient(decoded(line))
        )
    body, flags = shape.group("body"), int(shape.group("flags"))
    errors_to = orcpt = None
    parent = dsn_flags = 0
    if flags & 1:
        body, errors_to, parent = _counted_from_right(body)
    if flags & 2:
        body, orcpt, dsn_flags = _counted_from_right(body)
    return Recipient(decoded(body), orcpt, dsn_flags, errors_to, parent if flags & 1 else -1)


def _counted_from_right(body: bytes) -> tuple[bytes, str | None, int]:
    """`REST TEXT LEN,NUMBER` read from the right: REST, TEXT (LEN bytes; None if 0), NUMBER."""
    match = _EXTRA.fullmatch(body)
    if not match:
        return body, None, 0
    rest, length = match.group("rest"), int(match.group("length"))
    text = rest[len(rest) - length :] if length else b""
    rest = rest[: len(rest) - length]
    return rest[:-1], (decoded(text) if length else None), int(match.group("number"))


def _read_headers(reader: _Reader) -> tuple[StoredHeader, ...]:
    """The headers: `LENGTH` (of the text, its newline and continuation lines
    included), the flag letter, a space, the text. Deleted (`*`) ones are skipped."""
    headers: list[StoredHeader] = []
    while reader.at < len(reader.data):
        start = _HEADER_START.match(reader.data, reader.at)
        if not start:
            raise reader.error(f"a header starts with {reader.data[reader.at : reader.at + 10]!r}")
        reader.at = start.end()
        text = decoded(reader.take(int(start.group("length"))))
        flag = start.group("flag").decode("latin-1")
        if flag != "*":
            name, _, value = text.rstrip("\n").partition(":")
            headers.append(StoredHeader(name.strip(), value.strip(" \t"), flag))
    return tuple(headers)


def _received_time(seconds: bytes, usec: str | None) -> datetime.datetime | None:
    try:
        stamp = int(seconds) + (float(usec) if usec else 0.0)  # usec is `.049550`
    except ValueError:
        return None
    return datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc)


def _host_address(value: str | None) -> str | None:
    """`[127.0.0.1]:35606` (or `[::1]:35606`) as the address alone."""
    if not value:
        return None
    match = re.fullmatch(r"\[(?P<address>[^\]]*)\](?::\d+)?|(?P<bare>.*?)(?:\.\d+)?", value)
    return (match.group("address") or match.group("bare")) if match else value


# ---- assertions: each raises ConfigAssertionError, showing what was queued ------------


def assert_queued(messages: Sequence[QueuedMessage], count: int | None = None) -> QueuedMessage:
    """A message is queued (exactly `count`, if given); returns the newest."""
    if not messages or (count is not None and len(messages) != count):
        wanted = "a message" if count is None else f"{count} message(s)"
        raise _queue_failure(messages, f"Expected {wanted} in the queue, but it has {len(messages)}.")
    return messages[-1]


def assert_nothing_queued(messages: Sequence[QueuedMessage]) -> None:
    """The queue is empty: nothing was accepted (or all of it left)."""
    if messages:
        raise _queue_failure(messages, f"Expected no message in the queue, but it has {len(messages)}.")


def assert_header(message: QueuedMessage, name: str, text: str | None = None) -> StoredHeader:
    """The message has a header `name` (ignoring case); with `text`, one whose value
    contains it (ignoring case). Returns that header."""
    found = message.header(name)
    for header in found:
        if text is None or appears_in(text, header.value):
            return header
    wanted = f"a header {name}" + (f' containing "{text}"' if text is not None else "")
    actual = "it has none" if not found else "its value differs"
    raise _queue_failure([message], f"Expected queued message {message.id} to have {wanted}, but {actual}.")


def assert_no_header(message: QueuedMessage, name: str) -> None:
    """The message has no header `name` (a removed one, flagged `*`, does not count)."""
    if message.header(name):
        raise _queue_failure(
            [message], f"Expected queued message {message.id} to have no header {name}, but it has one."
        )


def assert_for_recipient(message: QueuedMessage, address: str) -> None:
    """`address` is one of the message's recipients not yet delivered (ignoring case)."""
    wanted = check_address(address).strip("<>").casefold()
    if wanted not in (recipient.casefold() for recipient in message.recipients):
        raise _queue_failure(
            [message], f"Expected queued message {message.id} to be for <{address}>, but it is not."
        )


def _queue_failure(messages: Sequence[QueuedMessage], headline: str) -> ConfigAssertionError:
    queued = "\n".join(message.shown() for message in messages) or "    (nothing)"
    return ConfigAssertionError(f"{headline}\nQueued:\n{queued}")


# ---- the dry run -----------------------------------------------------------------------


def dry_run(
    options: EximOptions, spool: Path, message_id: str, macros: Mapping[str, str | None] = {}
) -> DryRun:
    """`exim -N -M ID` with the daemon's spool: where each recipient would go. Exim
    logs a `*>` line for each instead of delivering, and then REMOVES the message from
    the queue: read it first. A bounce or DSN it makes is itself dry-run (its child
    Exim gets -N) and stays queued, frozen, if it cannot be routed.

    `macros` are those the daemon had (EXIMUNIT_LIVE, so that the dry run logs where the
    daemon does; EXIMUNIT_USER and EXIMUNIT_GROUP if it ran as another user than the
    caller). Raises StepUsageError if ID is not queued.
    """
    queued = message_ids(spool)
    if message_id not in queued:
        raise StepUsageError(
            f"Message {message_id} is not in the queue at {spool} (it has "
            f"{', '.join(queued) or 'none'}); a dry run removes the message it delivers."
        )
    sandbox = {
        "EXIMUNIT_SPOOL": str(spool),
        "EXIMUNIT_USER": str(macros.get("EXIMUNIT_USER") or caller_user()),
        "EXIMUNIT_GROUP": str(macros.get("EXIMUNIT_GROUP") or caller_group()),
    }
    options = options.with_macros(macros)
    argv = options.base_argv(sandbox) + ["-N", "-M", message_id]
    process = start_process(
        options.launch(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        stdout, stderr = process.communicate(timeout=options.timeout)
    except subprocess.TimeoutExpired:
        raise ReplyTimeoutError(
            f"exim -N -M {message_id} did not finish within {options.timeout:g} s and was stopped. "
            "A lookup in a router may be hanging (DNS, a database): check it, or raise the timeout."
        ) from None
    finally:
        if process.poll() is None:
            kill_tree(process)
        process.wait()
    said = decoded(stderr)
    if f"delivering {message_id}" not in said:
        raise startup_error(said.splitlines(), argv, before=f"it dry-ran message {message_id}")
    command = shlex.join([os.path.basename(argv[0]), "-N", "-M", message_id])
    return parse_dry_run(message_id, decoded(stdout) + said, command)
