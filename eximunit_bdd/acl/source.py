"""The ACL statements of a configuration as written: the text of one statement (for
failure messages) and the list of all of them (for coverage), following `.include`.

Exim names a statement by file and line (`processing "deny" (FILE LINE)`); this
module reads the same files. A statement is its verb line and the more deeply
indented lines after it, up to a blank line, a comment, another statement or
anything at the margin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..exim.config_file import config_lines
from ..trace.acl_runs import VERBS

__all__ = [
    "statement_start",
    "statement_text",
    "quoted",
    "SourceStatement",
    "acl_statements",
    "router_names",
]

_STATEMENT = re.compile(rf"^(\s+)({'|'.join(VERBS)})\b")
_ACL_NAME = re.compile(r"^([A-Za-z0-9_]+):\s*$")
_BEGIN = re.compile(r"^\s*begin\s+(\w+)\s*$")
_INCLUDE = re.compile(r"^\s*\.include(?:_if_exists)?\s+(\S+)\s*$")


@dataclass(frozen=True)
class SourceStatement:
    """One ACL statement in a configuration file."""

    file: str
    line: int
    acl: str
    verb: str
    text: tuple[str, ...]

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


def quoted(file: str, line: int, indent: str = "  ") -> list[str]:
    """The statement at FILE:LINE as numbered lines for a message: `  31 | defer ...`."""
    text = statement_text(file, line)
    width = len(str(text[-1][0])) if text else 0
    return [f"{indent}{number:>{width}} | {line_text}" for number, line_text in text]


def statement_start(file: str, line: int) -> int:
    """The line where the statement that Exim traced at FILE:LINE begins.

    Exim names a statement by the last physical line of its first logical line: for
    `deny senders = a : \\` continued by `b`, the `b` line. The statement begins where
    that logical line does.
    """
    lines = config_lines(file)
    start = line
    while 1 < start <= len(lines) and lines[start - 2].rstrip().endswith("\\"):
        start -= 1
    return start if 0 < start <= len(lines) and _STATEMENT.match(lines[start - 1]) else line


def statement_text(file: str, line: int) -> list[tuple[int, str]]:
    """The statement at FILE:LINE (its first line, or any line Exim traces it at) as
    (line number, text) pairs: the verb's line, the lines that continue one ending in
    a backslash, and the more deeply indented lines after it; [] if unreadable."""
    lines = config_lines(file)
    line = statement_start(file, line)
    if not 0 < line <= len(lines):
        return []
    first = lines[line - 1]
    start = _STATEMENT.match(first)
    text = [(line, first)]
    if start is None:  # not where a statement begins (the file changed?)
        return text
    indent = len(start.group(1))
    for number in range(line + 1, len(lines) + 1):
        candidate = lines[number - 1]
        stripped = candidate.strip()
        continued = text[-1][1].rstrip().endswith("\\")
        if not continued and (
            not stripped or stripped.startswith("#") or len(candidate) - len(candidate.lstrip()) <= indent
        ):
            break
        text.append((number, candidate))
    return text


def acl_statements(config: str | Path) -> list[SourceStatement]:
    """Every statement of every ACL in the configuration and the files it includes
    (`.include` in any section; relative names are taken from the including file's
    directory, as Exim does)."""
    found: list[SourceStatement] = []
    _scan(Path(config).absolute(), found, [], {"section": "main", "acl": ""})
    return found


def router_names(config: str | Path) -> list[str]:
    """The routers, in order: names at the margin in the `begin routers` section."""
    names: list[str] = []
    _scan(Path(config).absolute(), [], names, {"section": "main", "acl": ""})
    return names


def _scan(path: Path, statements: list[SourceStatement], routers: list[str], state: dict[str, str]) -> None:
    lines = config_lines(str(path))
    for number, text in enumerate(lines, 1):
        if include := _INCLUDE.match(text):
            _scan(path.parent / include[1], statements, routers, state)
        elif begin := _BEGIN.match(text):
            state["section"] = begin[1]
        elif state["section"] == "acl":
            if name := _ACL_NAME.match(text):
                state["acl"] = name[1]
            elif (statement := _STATEMENT.match(text)) and state["acl"]:
                body = tuple(line for _, line in statement_text(str(path), number))
                statements.append(SourceStatement(str(path), number, state["acl"], statement[2], body))
        elif state["section"] == "routers" and (name := _ACL_NAME.match(text)):
            routers.append(name[1])
