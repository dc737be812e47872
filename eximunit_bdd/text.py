"""Text as specs and reports use it: the one "TEXT appears in" rule, and what Exim or a
spec said made safe to show (control characters visible, long lines shortened)."""

from __future__ import annotations

import re

__all__ = ["appears_in", "visible", "shortened", "decoded", "counted"]

#: Control characters (C0 but tab and line ends, DEL, C1): invisible or harmful on a
#: terminal, and not allowed in the XML of a JUnit report.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LONGEST_SHOWN = 200


def appears_in(text: str, said: str) -> bool:
    """True if `text` appears in `said`, ignoring case: the rule of every
    `... "TEXT"` step (replies, reasons, log lines, headers, messages).

    >>> appears_in("Relay not permitted", "550 relay not permitted")
    True
    """
    return text.casefold() in said.casefold()


def decoded(data: bytes) -> str:
    """What Exim wrote, as text, line by line: UTF-8 where it is, else Latin-1 (a
    configuration's messages may be written in either; Exim passes the bytes on).

    >>> decoded("Accès refusé\\n".encode("latin-1") + "déjà vu".encode())
    'Accès refusé\\ndéjà vu'
    >>> decoded("déjà vu\\r\\n".encode())
    'déjà vu\\r\\n'
    """
    try:
        return data.decode("utf-8")  # the usual case: every line is UTF-8 (or ASCII)
    except UnicodeDecodeError:
        return "".join(_decoded_line(line) for line in data.splitlines(keepends=True))


def _decoded_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("latin-1")


def visible(text: str) -> str:
    """`text` with each control character written as its escape, as Python would.

    >>> visible("NOOP \\x1b[31mred\\x07")
    'NOOP \\\\x1b[31mred\\\\x07'
    """
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def shortened(line: str) -> str:
    """A line as a message shows it: visible, and over 200 characters cut in the
    middle, saying how long it is.

    >>> shortened("RCPT TO:<" + "a" * 17000 + "@coop.test>")[-40:]
    'aa ... (17020 characters) ... coop.test>'
    """
    line = visible(line)
    if len(line) <= _LONGEST_SHOWN:
        return line
    return f"{line[:120]} ... ({len(line)} characters) ... {line[-10:]}"


def counted(count: int, thing: str, things: str | None = None) -> str:
    """`1 scenario`, `2 scenarios`; `things` for a plural that is not THING + s.

    >>> counted(2, "delivery", "deliveries")
    '2 deliveries'
    """
    return f"{count} {thing if count == 1 else things or thing + 's'}"
