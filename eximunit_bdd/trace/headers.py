"""Headers the ACLs add, read from the `>>> check add_header` lines of Exim's `-bh` trace."""

from __future__ import annotations

import re
from typing import Iterable, NamedTuple

__all__ = ["Header", "added_headers", "parse_header_block"]

_ADD_HEADER = re.compile(r"^>>> check add_header = ")
_EXPANDED = re.compile(r"^>>>\s+= ?(.*)$")
_HEADER_START = re.compile(r"^([!-9;-~]+):")
#: Trace lines that look like "Name: value" but are Exim's own verdicts.
_VERDICT = re.compile(r"^(?:accept|defer|deny|discard|drop|require|warn): ")
_POSITION = re.compile(r"^:(?:at_start|at_start_rfc|after_received|at_end):")


class Header(NamedTuple):
    """One header line: `Header("X-Coop-Checked", "yes")`."""

    name: str
    value: str

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


def added_headers(trace: Iterable[str]) -> list[Header]:
    """Headers from every traced `add_header`, in the order Exim expanded them. A value
    with nothing to expand (`add_header = X-Spam-Status: Yes`) is traced without an
    `= ...` line: the value as written is the header."""
    headers: list[Header] = []
    lines = list(trace)
    i = 0
    while i < len(lines):
        if check := _ADD_HEADER.match(lines[i]):
            expanded = _EXPANDED.match(lines[i + 1]) if i + 1 < len(lines) else None
            block = [expanded.group(1) if expanded else lines[i][check.end() :]]
            i += 2 if expanded else 1
            while i < len(lines) and _continues_header(lines[i]):
                block.append(lines[i][4:])
                i += 1
            headers.extend(parse_header_block("\n".join(block)))
            continue
        i += 1
    return headers


def _continues_header(line: str) -> bool:
    """Is this trace line another line of a multi-line expanded add_header?"""
    if not line.startswith(">>> "):
        return False
    rest = line[4:]
    if rest[:1] in (" ", "\t"):
        return True
    return bool(_HEADER_START.match(rest)) and not _VERDICT.match(rest)


def parse_header_block(text: str) -> list[Header]:
    """Split an add_header value into headers, as Exim adds them.

    A leading position (`:at_start:`) is dropped; a first line that is not a
    header becomes `X-ACL-Warn:`, as Exim does; indented lines continue a header.
    """
    text = _POSITION.sub("", text.strip("\n"))
    headers: list[Header] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        if line[:1] in (" ", "\t") and headers:
            name, value = headers[-1]
            headers[-1] = Header(name, value + "\n" + line)
            continue
        match = _HEADER_START.match(line)
        if match:
            headers.append(Header(match.group(1), line[match.end() :].strip()))
        else:
            headers.append(Header("X-ACL-Warn", line.strip()))
    return headers
