"""Exim's main and reject log lines, one at a time: the shapes of Exim 4.96 (smtp_in.c,
receive.c, host.c, log.c) with the common `log_selector` variations, measured on a real
daemon (tests/recorded/replay/). The reader (`log_reader`) strings them together.

A line is a timestamp (`+millisec`: `.123`; `log_timezone`: ` +0100`), `[pid] ` with
`+pid`, an optional message id, then the text. `exim -bh` writes the same text after
`LOG: ` with the first 20 characters of the timestamp cut (so the milliseconds, the zone
and the pid may remain). The client is `H=`, Exim's `sender_fullhost`::

    H=[ip]                  no HELO yet (connect), no verified name
    H=(helo) [ip]           the HELO name as given (not verified)
    H=name (helo) [ip]      a verified name and a different HELO name
    H=name [ip]             a verified name; the HELO was the same name, an IP literal
                            of the client, or none yet (connect)

`[ip]` is followed by `:port` with `+incoming_port`, then ` I=[ip]:port` with
`+incoming_interface` and ` U=ident` when the client answered ident.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass
from typing import Optional

from .transactions import Outcome, Stage

__all__ = [
    "Stamped",
    "Host",
    "Rejection",
    "Accepted",
    "stamped",
    "message_id_of",
    "host_at",
    "rejection",
    "accepted",
    "delivered_recipient",
    "incomplete_transaction",
    "is_known_event",
]

_STAMP = re.compile(
    r"(?P<when>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{3})?(?: [-+]\d{4})?) (?:\[(?P<pid>\d+)\] )?(?P<rest>.*)"
)
#: `exim -bh`'s stderr: the timestamp's first 20 characters are cut (log.c: log_buffer + 20).
_BH = re.compile(r"LOG: (?:\d{3} )?(?:[-+]\d{4} )?(?:\[(?P<pid>\d+)\] )?(?P<rest>.*)")
_MESSAGE_ID = re.compile(r"(?P<id>[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}) ")
_HOST = re.compile(
    r"(?:(?P<name>[^\s()\[\]]+) )?(?:\((?P<helo>.*?)\) (?=\[))?\[(?P<ip>[0-9A-Fa-f:.]+)\](?::(?P<port>\d+))?"
    r"(?: I=\[(?P<server_ip>[0-9A-Fa-f:.]+)\]:(?P<server_port>\d+))?(?: U=(?P<ident>\S+))?"
)
#: The TLS items between the client and the rest of a rejection (smtp_in.c s_tlslog);
#: the value's forms exclude each other, so a line of many never backtracks at length.
_ITEMS = r"(?: (?:X|CV|DN|SNI)=(?:\"(?:[^\"\\]|\\.)*\"|[^\s\"]\S*|))*"
_REJECTED = re.compile(
    rf"(?:DS )?H=(?P<host>.*?){_ITEMS} (?:F=<(?P<sender>[^>]*)>(?: A=\S+)? )?"
    r"(?P<temporarily>temporarily )?rejected (?P<what>.*)"
)
_WHAT = re.compile(
    r'(?P<stage>connection in "connect" ACL|EHLO or HELO|MAIL|RCPT|DATA|after DATA(?: PRDR)?'
    r"|during MIME ACL checks|DKIM)(?: (?P<argument>.*?))?(?:: (?P<text>.*))?"
)
_STAGES: dict[str, Stage] = {
    'connection in "connect" ACL': "connect", "EHLO or HELO": "helo", "MAIL": "mail", "RCPT": "rcpt",
    "DATA": "data", "after DATA": "data", "after DATA PRDR": "data", "during MIME ACL checks": "data",
    "DKIM": "data",
}  # fmt: skip
#: smtp_in.c: a HELO that is not a host name (no ACL ran: Exim's own check).
_BAD_HELO = re.compile(
    r"rejected (?:EHLO|HELO) from (?P<host>.*?): (?P<text>syntactically invalid argument\(s\)): (?P<helo>.*)"
)
#: smtp_in.c (SIZE= above message_size_limit) and receive.c (too big, too many headers).
_TOO_BIG_AT_MAIL = re.compile(r"rejected MAIL FROM:<(?P<sender>[^>]*)> H=(?P<host>.*?): (?P<text>.*)")
_AFTER_DATA = re.compile(r"rejected from <(?P<sender>[^>]*)> ?H=(?P<host>.*?): (?P<text>.*)")
_BUILTIN: tuple[tuple[re.Pattern[str], Stage], ...] = ((_TOO_BIG_AT_MAIL, "mail"), (_AFTER_DATA, "data"))
_INCOMPLETE = re.compile(
    r"H=(?P<host>.*?) incomplete transaction \([^)]*\) from <(?P<sender>[^>]*)>(?: for (?P<recipients>.*))?"
)
_ARRIVAL = re.compile(r"<= (?P<sender>\S+) (?P<fields>.*)")
_FIELD = re.compile(r"(?P<name>[A-Za-z0-9*]+)=(?P<value>\"(?:[^\"\\]|\\.)*\"|\S*) ?")
_DELIVERY = re.compile(r"(?:=>|->|\*>|==|\*\*|>>) (?P<rest>.*)")
#: Where a delivery line's addresses end: its first field, or the reason after `: `.
_DELIVERY_END = re.compile(r" [A-Z]{1,3}=|: ")
_ORIGINAL = re.compile(r"<(?P<address>[^<>]*)>$")
#: Lines that record no decision (connections, deliveries, queue runs, the daemon...).
_EVENTS = re.compile(
    r"SMTP connection from|SMTP call from|SMTP protocol (?:synchronization )?error|SMTP syntax error"
    r"|SMTP command timeout|SMTP data timeout|no MAIL in|unexpected disconnection|Connection from"
    r"|TLS error|exim \d\S* daemon|Start queue run|End queue run|Warning:|no host name found"
    r"|no IP address found|DNS list lookup|ETRN|cwd=|pid written|too many recipients"
    r"|(?:DS )?H=.*(?: sender verify | incomplete transaction "
    r"| (?:temporarily )?rejected (?:AUTH|VRFY|EXPN|ETRN|STARTTLS|QUIT|NOTQUIT|MAILAUTH))"
)


@dataclass(frozen=True)
class Stamped:
    """A log line's parts: the timestamp as logged ("" for `-bh`), the pid, the rest."""

    when: str
    pid: Optional[str]
    rest: str


@dataclass(frozen=True)
class Host:
    """The client as `H=` gives it (see the module's docstring)."""

    ip: str
    port: Optional[int] = None
    name: Optional[str] = None
    helo: Optional[str] = None
    server_ip: Optional[str] = None
    server_port: Optional[int] = None

    def helo_at(self, stage: Stage) -> Optional[str]:
        """The HELO name: in parentheses; else the verified name, which Exim shows
        alone when the HELO was the same (none is given yet at connect)."""
        if self.helo is not None:
            return self.helo
        return None if stage == "connect" else self.name


@dataclass(frozen=True)
class Rejection:
    stage: Stage
    outcome: Outcome
    host: Host
    sender: Optional[str]
    recipient: Optional[str]
    helo: Optional[str]
    reply: str


@dataclass(frozen=True)
class Accepted:
    """A `<=` line from a client: `recipients` only with +received_recipients."""

    sender: str
    host: Host
    recipients: tuple[str, ...]


def stamped(line: str) -> Optional[Stamped]:
    """Split a main or reject log line (or a `-bh` `LOG:` line); None if it is neither."""
    if match := _STAMP.fullmatch(line):
        return Stamped(match["when"], match["pid"], match["rest"])
    if match := _BH.fullmatch(line):
        return Stamped("", match["pid"], match["rest"])
    return None


def message_id_of(rest: str) -> tuple[Optional[str], str]:
    """The message id a line starts with (None if none), and the text after it."""
    if match := _MESSAGE_ID.match(rest):
        return match["id"], rest[match.end() :]
    return None, rest


def host_at(text: str) -> Optional[tuple[Host, str]]:
    """The client `text` starts with (what follows `H=`), and the text after it; None
    when it is not a client with a valid IP address."""
    match = _HOST.match(text)
    if match is None or not _is_ip(match["ip"]):
        return None
    port, server_port = match["port"], match["server_port"]
    host = Host(
        match["ip"], int(port) if port else None, match["name"], match["helo"],
        match["server_ip"], int(server_port) if server_port else None,
    )  # fmt: skip
    return host, text[match.end() :]


def rejection(rest: str) -> Optional[Rejection]:
    """A rejected (or temporarily rejected) connection, HELO, MAIL, RCPT or message;
    None for any other line, or a rejection of another command (AUTH, VRFY, ...)."""
    if match := _REJECTED.fullmatch(rest):
        what = _WHAT.fullmatch(match["what"])
        found = host_at(match["host"])
        if what is None or found is None or found[1].strip():
            return None
        host, stage = found[0], _STAGES[what["stage"]]
        argument = what["argument"] or ""
        sender = match["sender"] if stage in ("rcpt", "data") else None
        recipient = None
        if stage == "mail":
            sender = _address(argument)
        elif stage == "rcpt":
            recipient = _address(argument)
        helo = argument if stage == "helo" else host.helo_at(stage)
        outcome: Outcome = "deferred" if match["temporarily"] else "rejected"
        return Rejection(stage, outcome, host, sender, recipient, helo, what["text"] or "")
    return _builtin_rejection(rest)


def _builtin_rejection(rest: str) -> Optional[Rejection]:
    """Exim's own refusals, not an ACL's: a syntactically invalid HELO, a message too big."""
    if match := _BAD_HELO.fullmatch(rest):
        found = host_at(match["host"])
        if found is not None:
            return Rejection("helo", "rejected", found[0], None, None, match["helo"], match["text"])
    for pattern, stage in _BUILTIN:
        if (match := pattern.fullmatch(rest)) and (found := host_at(match["host"])):
            host = found[0]
            return Rejection(
                stage, "rejected", host, match["sender"], None, host.helo_at(stage), match["text"]
            )
    return None


def accepted(rest: str) -> Optional[Accepted]:
    """A message received from a client (`<= SENDER H=... P=... S=... [from <RAW>] [for
    R1 R2]`); None for local submissions and bounces (no `H=`) and other lines."""
    match = _ARRIVAL.fullmatch(rest)
    if match is None or not match["fields"].removeprefix("DS ").startswith("H="):
        return None
    found = host_at(match["fields"].removeprefix("DS ")[2:])
    if found is None:
        return None
    host, text = found
    sender, recipients = match["sender"], tuple[str, ...]()
    position = 0
    while position < len(text):
        if text.startswith(" ", position):
            position += 1
        elif text.startswith("for ", position):
            recipients = tuple(text[position + 4 :].split())
            break
        elif text.startswith("from <", position) and (end := text.find(">", position)) > 0:
            sender = text[position + 6 : end]  # +received_sender: as the client gave it, before rewriting
            position = end + 1
        elif field := _FIELD.match(text, position):
            position = field.end()
        else:
            end = text.find(" ", position)
            position = len(text) if end < 0 else end + 1
    return Accepted("" if sender == "<>" else sender, host, recipients)


def delivered_recipient(rest: str) -> Optional[str]:
    """The address a delivery line (`=>`, `->`, `*>`, `==`, `**`, `>>`) is for: the
    original one in `<...>` when Exim shows it (a local delivery, a redirect), else the
    delivered address itself."""
    match = _DELIVERY.fullmatch(rest)
    if match is None:
        return None
    text = match["rest"]
    end = _DELIVERY_END.search(text)
    head = (text[: end.start()] if end else text).strip()
    if original := _ORIGINAL.search(head):
        return original["address"] or None
    return head.split(" ", 1)[0] or None


def incomplete_transaction(rest: str) -> Optional[tuple[Host, str, tuple[str, ...]]]:
    """`+smtp_incomplete_transaction`: a transaction ended by RSET, QUIT or a lost
    connection, with its sender and the recipients accepted so far."""
    match = _INCOMPLETE.fullmatch(rest)
    found = host_at(match["host"]) if match else None
    if match is None or found is None:
        return None
    return found[0], match["sender"], tuple((match["recipients"] or "").split())


def is_known_event(rest: str) -> bool:
    """A line Exim writes that records no decision of the kind replayed."""
    return _EVENTS.match(rest) is not None


def _address(argument: str) -> str:
    """The address of a MAIL or RCPT argument as logged (`<a@b> SIZE=10`, `a@b`)."""
    if argument.startswith("<") and (end := argument.find(">")) > 0:
        return argument[1:end]
    return argument.split(" ", 1)[0]


@functools.lru_cache(maxsize=4096)  # a log names the same clients again and again
def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
