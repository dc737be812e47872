"""Which ACL statement decided a reply: Exim's `-bh` trace read as ACL runs.

For every ACL it runs, Exim traces `using ACL "NAME"`, then for each statement
`processing "VERB" (FILE LINE)`, its conditions (`check ...`), the message it would
give (`message: ...`) and log (`l_message: ...`), `VERB: condition test
succeeded|failed|deferred|error`, and at last `end of ACL "NAME": VERDICT`. An ACL
run from a condition (`acl = NAME`) is traced inside the statement that ran it, one
space deeper.

>>> runs = parse_acl_runs([
...     '>>> using ACL "acl_check_rcpt"',
...     '>>> processing "deny" (/etc/exim4/exim4.conf 142)',
...     '>>>   message: relay not permitted',
...     '>>> deny: condition test succeeded in ACL "acl_check_rcpt"',
...     '>>> end of ACL "acl_check_rcpt": DENY',
... ])
>>> runs[0].decided_by.location, runs[0].verdict
('/etc/exim4/exim4.conf:142', 'DENY')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

__all__ = ["AclStatement", "AclRun", "parse_acl_runs", "VERBS"]

#: Every ACL verb; all but warn can end an ACL.
VERBS = ("accept", "defer", "deny", "discard", "drop", "require", "warn")

_USING = re.compile(r'^>>>\s+using ACL "([^"]+)"')
_PROCESSING = re.compile(r'^>>>\s+processing "(\w+)" \((.+) (\d+)\)$')
_MESSAGE = re.compile(r"^>>>\s+message: (.*)$")
_LOG_MESSAGE = re.compile(r"^>>>\s*l_message: (.*)$")
_CHECK = re.compile(r"^>>>\s+check (.*)$")
_OUTCOME = re.compile(r'^>>>\s+(\w+): condition test (succeeded|failed|deferred|error) in ACL "([^"]+)"')
_END = re.compile(r'^>>>\s+end of ACL "([^"]+)": (.+)$')


@dataclass
class AclStatement:
    """One statement Exim processed: `deny` at FILE:LINE of ACL `acl`."""

    acl: str
    verb: str
    file: str
    line: int
    #: succeeded, failed, deferred or error; "" when the trace stopped before the test.
    outcome: str = ""
    #: The message as written in the configuration (unexpanded), if it has one.
    message: str | None = None
    #: Its `log_message` as written (unexpanded), if it has one.
    log_message: str | None = None
    #: The conditions Exim tested, as traced (`hosts = +blocked_hosts`), in order; the
    #: last one tested decided the outcome.
    conditions: list[str] = field(default_factory=list)
    #: ACLs run by its conditions (`acl = NAME`), in order.
    nested: list[AclRun] = field(default_factory=list)

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def untestable(self) -> bool:
        """Could Exim not test its conditions (one erred, or a lookup deferred)? Then
        Exim deferred, whatever the statement's verb."""
        return self.outcome in ("deferred", "error")

    @property
    def decides(self) -> bool:
        """Did this statement end its ACL? A statement that succeeded (a require that
        failed) does, but warn; so does any whose test deferred or erred."""
        if self.untestable:
            return True
        if self.verb == "require":
            return self.outcome == "failed"
        return self.verb != "warn" and self.outcome == "succeeded"

    def __str__(self) -> str:
        return f'"{self.verb}" of ACL "{self.acl}" at {self.location}'


@dataclass
class AclRun:
    """One run of an ACL: the statements processed and the verdict."""

    acl: str
    statements: list[AclStatement] = field(default_factory=list)
    #: As Exim wrote it: ACCEPT, DENY, DEFER, DISCARD, DROP, "not OK", "implicit DENY", ...
    verdict: str = ""

    @property
    def decided_by(self) -> AclStatement | None:
        """The statement that ended the run; None when it ran off the end (an
        implicit deny) or the trace stopped."""
        if self.statements and self.statements[-1].decides:
            return self.statements[-1]
        return None

    @property
    def decision_chain(self) -> list[AclStatement]:
        """The deciding statement, then the one that decided the ACL it ran (`acl =`),
        and so on inwards: the statement whose message the client got is last."""
        chain = []
        run: AclRun | None = self
        while run is not None and (statement := run.decided_by) is not None:
            chain.append(statement)
            run = next((inner for inner in reversed(statement.nested) if inner.decided_by), None)
        return chain

    def all_statements(self) -> Iterator[AclStatement]:
        """Every statement processed, nested ACLs' included, in order."""
        for statement in self.statements:
            yield statement
            for inner in statement.nested:
                yield from inner.all_statements()


def _as_traced(file: str, line: int) -> int:
    return line


def parse_acl_runs(trace: Iterable[str], start_of: Callable[[str, int], int] = _as_traced) -> list[AclRun]:
    """The top-level ACL runs in `trace` (nested ones hang off their statements).
    `start_of(file, line)` gives the line where the statement Exim traced at that line
    begins (`acl.source.statement_start`; as traced by default)."""
    runs: list[AclRun] = []
    stack: list[AclRun] = []
    for line in trace:
        if match := _USING.match(line):
            run = AclRun(match[1])
            if stack and stack[-1].statements:
                stack[-1].statements[-1].nested.append(run)
            elif not stack:
                runs.append(run)
            stack.append(run)
        elif not stack:
            continue
        elif match := _PROCESSING.match(line):
            file, number = match[2], int(match[3])
            stack[-1].statements.append(AclStatement(stack[-1].acl, match[1], file, start_of(file, number)))
        elif (match := _CHECK.match(line)) and stack[-1].statements:
            stack[-1].statements[-1].conditions.append(match[1])
        elif (match := _MESSAGE.match(line)) and stack[-1].statements:
            stack[-1].statements[-1].message = match[1]
        elif (match := _LOG_MESSAGE.match(line)) and stack[-1].statements:
            stack[-1].statements[-1].log_message = match[1]
        elif (match := _OUTCOME.match(line)) and stack[-1].statements and match[3] == stack[-1].acl:
            stack[-1].statements[-1].outcome = match[2]
        elif (match := _END.match(line)) and match[1] == stack[-1].acl:
            stack.pop().verdict = match[2]
    return runs
