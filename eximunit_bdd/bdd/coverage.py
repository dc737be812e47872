"""ACL coverage: which statements of the configuration a suite reached and decided with,
which it never reached, and which routers its `-bt` checks reached.

A behave run collects it when the userdata `coverage` names a file
(`behave -D coverage=coverage.json`, which `eximunit-bdd coverage -- behave ...` does):
each scenario adds what its sessions' traces and routing checks show, and the file is
written at the end. `coverage_report` lines that up with every statement of the
configuration (`acl.source.acl_statements`, `.include`s followed).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Protocol

from ..acl.source import SourceStatement, acl_statements, router_names
from ..oneshot.routing import Routing
from ..smtp.reply import Reply

__all__ = ["Coverage", "CoverageRow", "CoverageReport", "coverage_report", "coverage_text", "scenarios"]


class _Session(Protocol):
    """What coverage needs of an `EximSession`: its replies, traces attached."""

    replies: list[Reply]


@dataclass
class Coverage:
    """Counts over scenarios: how many reached each statement (by `file:line`), how
    many it decided, how many reached each router."""

    config: str
    scenarios: int = 0
    reached: Counter[str] = field(default_factory=Counter)
    decided: Counter[str] = field(default_factory=Counter)
    routers: Counter[str] = field(default_factory=Counter)

    def add_scenario(self, sessions: Iterable[_Session], routings: Iterable[Routing] = ()) -> None:
        """One scenario's sessions and routing checks: each statement and router counts
        once, however often reached."""
        reached: set[str] = set()
        decided: set[str] = set()
        for reply in (reply for session in sessions for reply in session.replies):
            for run in reply.acl_runs:
                reached.update(statement.location for statement in run.all_statements())
                decided.update(statement.location for statement in run.decision_chain)
        routers = {d.router for routing in routings for d in routing.deliveries if d.router}
        self.scenarios += 1
        self.reached.update(reached)
        self.decided.update(decided)
        self.routers.update(routers)

    def to_json(self) -> str:
        return json.dumps(
            {
                "config": self.config,
                "scenarios": self.scenarios,
                "reached": self.reached,
                "decided": self.decided,
                "routers": self.routers,
            },
            indent=1,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Coverage:
        data = json.loads(text)
        return cls(
            data["config"],
            data["scenarios"],
            Counter(data["reached"]),
            Counter(data["decided"]),
            Counter(data["routers"]),
        )


@dataclass(frozen=True)
class CoverageRow:
    statement: SourceStatement
    reached: int
    decided: int


@dataclass(frozen=True)
class CoverageReport:
    config: str
    scenarios: int
    rows: tuple[CoverageRow, ...]
    routers: tuple[tuple[str, int], ...]

    @property
    def reached(self) -> int:
        """How many statements were reached at all."""
        return sum(1 for row in self.rows if row.reached)

    @property
    def percent(self) -> float:
        """Statements reached, in percent of all (100 for a configuration without ACLs)."""
        return 100.0 * self.reached / len(self.rows) if self.rows else 100.0

    @property
    def unreached(self) -> list[CoverageRow]:
        return [row for row in self.rows if not row.reached]


def coverage_report(coverage: Coverage) -> CoverageReport:
    """Every statement and router of the configuration with its counts."""
    rows = tuple(
        CoverageRow(statement, coverage.reached[statement.location], coverage.decided[statement.location])
        for statement in acl_statements(coverage.config)
    )
    routers = tuple((name, coverage.routers[name]) for name in router_names(coverage.config))
    return CoverageReport(coverage.config, coverage.scenarios, rows, routers)


def coverage_text(report: CoverageReport) -> str:
    """The report as a table for the console and CI logs."""
    routers_reached = sum(1 for _, count in report.routers if count)
    lines = [
        f"ACL coverage of {_shown(report.config)} over {scenarios(report.scenarios)}: "
        f"{report.reached} of {len(report.rows)} statements reached ({report.percent:.0f}%); "
        f"routers that accepted an address in -bt checks: {routers_reached} of {len(report.routers)} "
        "(-bt does not name redirect routers).",
        "",
        f"{'where':<32} {'ACL':<20} {'verb':<8} {'reached':>7} {'decided':>7}",
    ]
    for row in report.rows:
        statement = row.statement
        where = f"{_shown(statement.file)}:{statement.line}"
        lines.append(f"{where:<32} {statement.acl:<20} {statement.verb:<8} {row.reached:>7} {row.decided:>7}")
    lines += ["", f"{'router':<32} {'reached':>7}"]
    lines += [f"{name:<32} {count:>7}" for name, count in report.routers]
    if report.unreached:
        lines += ["", "Never reached:"]
        lines += [
            f"  {_shown(row.statement.file)}:{row.statement.line}  {row.statement.text[0].strip()}"
            for row in report.unreached
        ]
    return "\n".join(lines) + "\n"


def scenarios(count: int) -> str:
    """`1 scenario`, `2 scenarios`."""
    return f"{count} scenario" + ("" if count == 1 else "s")


def _shown(file: str) -> str:
    """Relative to the current directory when inside it: stable across checkouts."""
    path = Path(file)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return file
