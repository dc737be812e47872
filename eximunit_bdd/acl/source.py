"""The ACL statements of a configuration as written: the text of one statement (for
failure messages) and the list of all of them (for coverage), following `.include`
and, given the macros defined, telling which `.ifdef` branches are on.

Exim names a statement by file and line (`processing "deny" (FILE LINE)`); this
module reads the same files. A statement is its verb line and the more deeply
indented lines after it, up to a blank line, a comment, another statement or
anything at the margin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

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
_CONDITIONAL = re.compile(r"^\s*\.(ifdef|ifndef|elifdef|elifndef|else|endif)\b(.*)$")
#: Where Exim sees a macro name: upper case or `_` then upper case, not inside a word.
_MACRO_START = re.compile(r"(?<![A-Za-z0-9_])(?=[A-Z]|_[A-Z])")


@dataclass(frozen=True)
class SourceStatement:
    """One ACL statement in a configuration file."""

    file: str
    line: int
    acl: str
    verb: str
    text: tuple[str, ...]
    #: False inside an `.ifdef` branch that is off for the macros given.
    active: bool = True

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


def acl_statements(config: str | Path, defined_macros: Iterable[str] | None = None) -> list[SourceStatement]:
    """Every statement of every ACL in the configuration and the files it includes
    (`.include` in any section; relative names are taken from the including file's
    directory, as Exim does). With `defined_macros` (`-bP macro_list`, Exim's own
    `_` ones included), statements in `.ifdef`/`.ifndef`/`.elifdef`/`.else` branches
    that are off are marked inactive, and `.include`s there are not followed;
    without, every branch counts as on."""
    found: list[SourceStatement] = []
    macros = None if defined_macros is None else tuple(defined_macros)
    _scan(Path(config).absolute(), found, [], _ScanState(macros))
    return found


def router_names(config: str | Path) -> list[str]:
    """The routers, in order: names at the margin in the `begin routers` section."""
    names: list[str] = []
    _scan(Path(config).absolute(), [], names, _ScanState(None))
    return names


@dataclass
class _Branch:
    """One open `.ifdef`: is the branch being read on, has any branch been taken."""

    on: bool
    taken: bool
    outer_on: bool


@dataclass
class _ScanState:
    macros: tuple[str, ...] | None
    section: str = "main"
    acl: str = ""
    branches: list[_Branch] = field(default_factory=list)

    @property
    def on(self) -> bool:
        return not self.branches or self.branches[-1].on

    def conditional(self, directive: str, rest: str) -> None:
        """Follow `.ifdef`, `.ifndef`, `.elifdef`, `.elifndef`, `.else` and `.endif`."""
        if self.macros is None:
            return
        if directive == "endif":
            if self.branches:  # unbalanced: Exim refuses the configuration, and says so elsewhere
                self.branches.pop()
            return
        holds = directive == "else" or self._defined(rest) != directive.endswith("ndef")
        if directive.startswith("if"):
            self.branches.append(_Branch(self.on and holds, holds, self.on))
        elif self.branches:  # .elifdef, .elifndef, .else
            branch = self.branches[-1]
            branch.on = branch.outer_on and holds and not branch.taken
            branch.taken = branch.taken or holds

    def _defined(self, rest: str) -> bool:
        """Exim's rule: a defined macro's name occurs in the rest of the line where a
        name can start (so `CLAMD` makes `.ifdef CLAMD_PORT` true)."""
        return any(
            rest[start.start() :].startswith(macro)
            for start in _MACRO_START.finditer(rest)
            for macro in self.macros or ()
        )


def _scan(path: Path, statements: list[SourceStatement], routers: list[str], state: _ScanState) -> None:
    lines = config_lines(str(path))
    for number, text in enumerate(lines, 1):
        if conditional := _CONDITIONAL.match(text):
            state.conditional(conditional[1], conditional[2])
        elif include := _INCLUDE.match(text):
            if state.on:
                _scan(path.parent / include[1], statements, routers, state)
        elif begin := _BEGIN.match(text):
            state.section = begin[1]
        elif state.section == "acl":
            if name := _ACL_NAME.match(text):
                state.acl = name[1]
            elif (statement := _STATEMENT.match(text)) and state.acl:
                body = tuple(line for _, line in statement_text(str(path), number))
                statements.append(SourceStatement(str(path), number, state.acl, statement[2], body, state.on))
        elif state.section == "routers" and (name := _ACL_NAME.match(text)):
            routers.append(name[1])
