"""What a live daemon logged: its log files (`log_file_path = EXIMUNIT_LIVE/%slog`
makes `mainlog`, `rejectlog` and `paniclog` there), and the delivery lines of a dry run
(`exim -N -M ID`), which say where each recipient would have gone.

The delivery lines (Exim 4.96, deliver.c)::

    *> anna <anna@coop.test> R=mailboxes T=mailbox       would be delivered (-N); a local
                                                         delivery shows its local part
    *> bob@shop.test R=hub T=remote_smtp H=192.0.2.25 [192.0.2.25] C="delivery bypassed by -N option"
    ** x@y.test R=r T=t: REASON                          failed (a bounce is made)
    == x@y.test R=r T=t defer (-29): REASON              deferred
    <= <> R=ID U=... P=local S=1577                      a bounce or DSN Exim made for ID

A dry run writes them to stderr (`-M` turns on `-v`: `LOG: MAIN` then the line indented,
after `delivering ID`) and, when it can, to the main log with a timestamp and the id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Literal

from ..errors import ConfigAssertionError, InvalidInputError
from ..text import appears_in, decoded, shortened

__all__ = [
    "LogName",
    "log_path",
    "log_lines",
    "assert_log_contains",
    "DryRunDelivery",
    "DryRun",
    "parse_dry_run",
    "assert_would_deliver",
    "assert_would_send_to_host",
]

LogName = Literal["main", "reject", "panic"]
_NAMES = ("main", "reject", "panic")

_DELIVERING = re.compile(r"^delivering (?P<id>\S+)$")
_LOG = re.compile(r"^LOG:(?: \S+)*$")  # `LOG: MAIN`, `LOG: MAIN PANIC`, `LOG: smtp_connection MAIN`
_STAMPED = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [-+]\d{4})?(?: \[\d+\])? (?P<rest>.*)$")
_WITH_ID = re.compile(r"^(?P<id>[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}) (?P<rest>.*)$")
_MARKED = re.compile(r"^(?P<mark>\*>|\*\*|==|=>|->|>>) (?P<rest>.*)$")
_ADDRESSES = re.compile(
    r"^(?P<address>.+?)(?: \((?P<parents>[^)]*)\))?(?: <(?P<original>[^>]*)>)?(?=$| [A-Za-z]+=|: )"
)
_NOTICE = re.compile(r"^<= <> R=(?P<parent>\S+)")


# ---- the log files ---------------------------------------------------------------------


def log_path(directory: Path, which: LogName = "main") -> Path:
    """The file `%slog` names for `which`: DIRECTORY/mainlog, rejectlog or paniclog."""
    if which not in _NAMES:
        raise InvalidInputError(f"No Exim log is called {which!r}: it is one of {', '.join(_NAMES)}.")
    return Path(directory) / f"{which}log"


def log_lines(directory: Path, which: LogName = "main") -> list[str]:
    """The entries of one log, oldest first, continuation lines joined to their entry
    (with a space, as the `LOG:` lines of the test modes). A log Exim never wrote to
    does not exist: it has no entries."""
    try:
        data = log_path(directory, which).read_bytes()
    except FileNotFoundError:
        return []
    entries: list[str] = []
    for line in decoded(data).splitlines():
        if line[:1].isspace() and entries:
            entries[-1] += " " + line.strip()
        elif line:
            entries.append(line)
    return entries


def assert_log_contains(directory: Path, which: LogName, text: str) -> str:
    """The `which` log has an entry containing `text` (ignoring case); returns it."""
    entries = log_lines(directory, which)
    for entry in entries:
        if appears_in(text, entry):
            return entry
    logged = "\n".join("    " + shortened(entry) for entry in entries) or "    (nothing)"
    raise ConfigAssertionError(
        f'Expected the {which} log to contain "{text}", but it does not.\n'
        f"The {which} log ({log_path(directory, which)}) has:\n{logged}"
    )


# ---- a dry run's delivery lines ------------------------------------------------------


@dataclass(frozen=True)
class DryRunDelivery:
    """One recipient a dry run would have delivered: its `*>` line.

    `address` is as Exim logs it: a local delivery by its local part (`anna`), others
    in full; `original` is the address the message was sent to (the top of a redirect
    chain), None when it is `address` itself.
    """

    address: str
    router: str | None
    transport: str | None
    host: str | None = None
    ip: str | None = None
    original: str | None = None
    line: str = field(default="", compare=False)

    def matches(self, address: str) -> bool:
        """True if `address` is this delivery's address, its local part (Exim logs a
        local delivery by it) or the address the message was sent to (ignoring case)."""
        wanted = address.strip().strip("<>").casefold()
        names = {self.address.casefold(), (self.original or "").casefold()}
        return wanted in names or (
            "@" not in self.address and wanted.split("@")[0] == self.address.casefold()
        )

    def goes_to(self, host: str) -> bool:
        """True if `host` is the host's name or IP address (ignoring case)."""
        wanted = host.strip().strip("[]").casefold()
        return wanted in ((self.host or "").casefold(), (self.ip or "").casefold()) and bool(wanted)


@dataclass(frozen=True)
class DryRun:
    """What `exim -N -M ID` logged for the message ID: where each recipient would go,
    which failed or deferred (`**` and `==` lines), and the bounces or DSNs Exim made
    for it (each a new message, queued or itself dry-run)."""

    message_id: str
    deliveries: tuple[DryRunDelivery, ...] = ()
    failures: tuple[str, ...] = ()
    notifications: tuple[str, ...] = ()
    #: Exim's own words and the command, for failure messages (`oneshot.run.Answer`).
    output: str = field(default="", compare=False)
    command: str = field(default="", compare=False)


def parse_dry_run(message_id: str, output: str, command: str = "") -> DryRun:
    """Parse what a dry run wrote: its stderr (`LOG:` blocks after `delivering ID`) or
    main log lines (timestamp, id). Lines about other messages (a bounce's own delivery)
    are left out; a `<= <> R=ID` line about any is a notification made for ID."""
    deliveries: list[DryRunDelivery] = []
    failures: list[str] = []
    notifications: list[str] = []
    for about, line in _logged(output.splitlines()):
        if notice := _NOTICE.match(line):
            if notice.group("parent") == message_id:
                notifications.append(line)
            continue
        if about != message_id or not (marked := _MARKED.match(line)):
            continue
        if marked.group("mark") in ("**", "=="):
            failures.append(line)
        elif marked.group("mark") == "*>":
            deliveries.append(_delivery(marked.group("rest"), line))
    return DryRun(message_id, tuple(deliveries), tuple(failures), tuple(notifications), output, command)


def _logged(lines: Iterable[str]) -> list[tuple[str | None, str]]:
    """Each logged line with the id of the message it is about (None if unknown)."""
    found: list[tuple[str | None, str]] = []
    current: str | None = None
    in_log = False
    for line in lines:
        if match := _DELIVERING.match(line):
            current, in_log = match.group("id"), False
        elif _LOG.match(line):
            in_log = True
        elif in_log and line.startswith("  "):
            found.append((current, line[2:]))
        elif stamped := _STAMPED.match(line):
            rest = stamped.group("rest")
            with_id = _WITH_ID.match(rest)
            found.append((with_id.group("id"), with_id.group("rest")) if with_id else (None, rest))
            in_log = False
        else:
            in_log = False
    return found


def _delivery(rest: str, line: str) -> DryRunDelivery:
    names = _ADDRESSES.match(rest)
    address = names.group("address") if names else rest.split(" ", 1)[0]
    host = re.search(r" H=(?P<host>\S+)(?: \[(?P<ip>[^\]]+)\])?", rest)
    return DryRunDelivery(
        address,
        _field(rest, "R"),
        _field(rest, "T"),
        host.group("host") if host else None,
        host.group("ip") if host else None,
        names.group("original") if names else None,
        line,
    )


def _field(rest: str, name: str) -> str | None:
    match = re.search(rf" {name}=(\S+)", rest)
    return match.group(1) if match else None


# ---- assertions: each raises ConfigAssertionError, showing what Exim logged -----------


def assert_would_deliver(
    dry_run: DryRun, address: str, router: str | None = None, transport: str | None = None
) -> DryRunDelivery:
    """The dry run delivers to `address` (by `router` and `transport`, if given)."""
    parts = (f'by router "{router}"' if router else "", f'and transport "{transport}"' if transport else "")
    wanted = f"<{address}> to be delivered " + " ".join(part for part in parts if part)
    candidates = [delivery for delivery in dry_run.deliveries if delivery.matches(address)]
    for delivery in candidates:
        if (router in (None, delivery.router)) and (transport in (None, delivery.transport)):
            return delivery
    actual = "Exim delivered it otherwise" if candidates else "no delivery is for that address"
    raise _dry_run_failure(dry_run, wanted.rstrip(), actual)


def assert_would_send_to_host(dry_run: DryRun, host: str, address: str | None = None) -> DryRunDelivery:
    """A delivery (of `address`, if given) goes to `host`, its name or IP address."""
    wanted = (f"<{address}>" if address else "a recipient") + f" to be sent to host {host}"
    for delivery in dry_run.deliveries:
        if (address is None or delivery.matches(address)) and delivery.goes_to(host):
            return delivery
    raise _dry_run_failure(dry_run, wanted, "no delivery goes to that host")


def _dry_run_failure(dry_run: DryRun, wanted: str, actual: str) -> ConfigAssertionError:
    lines = [delivery.line for delivery in dry_run.deliveries] + list(dry_run.failures)
    said = "\n".join("    " + shortened(line) for line in lines) or "    (no delivery line)"
    return ConfigAssertionError(
        f"Expected {wanted} in a dry run of message {dry_run.message_id}, but {actual}.\n"
        f"Exim logged ({dry_run.command or 'exim -N -M ' + dry_run.message_id}):\n{said}"
    )
