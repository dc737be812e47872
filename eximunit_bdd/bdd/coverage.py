"""ACL coverage: which statements of each configuration a suite used it reached and
decided with, which it never reached, and which routers its `-bt` checks reached.

A behave run collects it when the userdata `coverage` names a file
(`behave -D coverage=coverage.json`, which `eximunit-bdd coverage -- behave ...` does)
or the HTML report shows it: each scenario adds what its sessions' traces and routing
checks show, to the configuration each session ran with (a feature's `Given the Exim
configuration` included), and the file is written at the end. What Exim says of each
configuration under the run's macros (which macros are defined, which ACLs only
non-SMTP mail runs, the routers) is asked when the configuration is first used, never
at report time. `coverage_reports` lines the counts up with every statement
(`acl.source.acl_statements`, `.include`s followed): statements in an `.ifdef` branch
that is off, and ACLs `-bh` can never run, are not applicable rather than gaps.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Protocol

from ..acl.source import SourceStatement, acl_statements, router_names
from ..errors import EximUnitError
from ..exim.options import EximOptions
from ..oneshot.options import driver_names, macro_names, parse_option_lines
from ..oneshot.routing import Routing
from ..oneshot.run import run_exim
from ..smtp.reply import Reply
from ..text import counted

__all__ = [
    "Coverage",
    "Counts",
    "ConfigurationFacts",
    "CoverageRow",
    "CoverageReport",
    "coverage_reports",
    "coverage_text",
    "configuration_facts",
    "NOT_SMTP_ACLS",
]

#: The ACL options only mail that does not come over SMTP runs: -bh never runs them.
NOT_SMTP_ACLS = ("acl_not_smtp", "acl_not_smtp_mime", "acl_not_smtp_start")


class _Session(Protocol):
    """What coverage needs of an `EximSession`: its replies, traces attached."""

    replies: list[Reply]


@dataclass(frozen=True)
class ConfigurationFacts:
    """What Exim says of a configuration under the run's macros: the macros defined
    (`-bP macro_list`), the ACLs that only non-SMTP mail runs, the routers it has."""

    #: None when Exim could not be asked: then every `.ifdef` branch counts as on.
    macros: tuple[str, ...] | None = None
    not_smtp_acls: tuple[str, ...] = ()
    routers: tuple[str, ...] = ()


def configuration_facts(options: EximOptions) -> ConfigurationFacts:
    """Ask Exim (`-bP`) about the configuration `options` name, with their macros;
    what it cannot say (a configuration it refuses) is left unknown."""
    try:
        macros = tuple(macro_names(options, exims_own=True))
        acls = parse_option_lines(run_exim(options, "-bP", *NOT_SMTP_ACLS).stdout)
        routers = tuple(driver_names(options, "router"))
    except EximUnitError:
        return ConfigurationFacts()
    return ConfigurationFacts(macros, tuple(value.value for value in acls.values() if value.value), routers)


@dataclass
class Counts:
    """Counts over scenarios for one configuration: how many reached each statement
    (by `file:line`), how many it decided, how many reached each router."""

    scenarios: int = 0
    reached: Counter[str] = field(default_factory=Counter)
    decided: Counter[str] = field(default_factory=Counter)
    routers: Counter[str] = field(default_factory=Counter)


@dataclass
class Coverage:
    """The run's counts, by the configuration file they were counted for (`config` is
    the run's own, from the userdata), and what Exim says of each."""

    config: str
    counts: dict[str, Counts] = field(default_factory=dict)
    facts: dict[str, ConfigurationFacts] = field(default_factory=dict)

    def add_scenario(
        self,
        sessions: Iterable[tuple[str | None, _Session]],
        routings: Iterable[Routing] = (),
        config: str | None = None,
    ) -> None:
        """One scenario: its sessions, each with the configuration it ran (None: the
        run's), and its routing checks, made with `config`. Each statement and router
        counts once a scenario, however often reached."""
        reached: dict[str, set[str]] = {}
        decided: dict[str, set[str]] = {}
        for session_config, session in sessions:
            file = session_config or self.config
            for reply in session.replies:
                for run in reply.acl_runs:
                    reached.setdefault(file, set()).update(s.location for s in run.all_statements())
                    decided.setdefault(file, set()).update(s.location for s in run.decision_chain)
        routers = {d.router for routing in routings for d in routing.deliveries if d.router}
        own = config or self.config
        # The scenario's own configuration counts it when its checks used it, or when
        # nothing else did (a scenario of -be or -bP questions only).
        used = set(reached) | ({own} if routings or not reached else set())
        for file in used:
            counts = self.counts.setdefault(file, Counts())
            counts.scenarios += 1
            counts.reached.update(reached.get(file, ()))
            counts.decided.update(decided.get(file, ()))
            if file == own:
                counts.routers.update(routers)

    def merge(self, other: Coverage) -> None:
        """Add another run's counts (a parallel worker's, under behavex) to these."""
        for file, theirs in other.counts.items():
            counts = self.counts.setdefault(file, Counts())
            counts.scenarios += theirs.scenarios
            counts.reached.update(theirs.reached)
            counts.decided.update(theirs.decided)
            counts.routers.update(theirs.routers)
        for file, facts in other.facts.items():
            self.facts.setdefault(file, facts)

    def to_json(self) -> str:
        return json.dumps(
            {
                "config": self.config,
                "counts": {file: vars(counts) for file, counts in self.counts.items()},
                "facts": {file: asdict(facts) for file, facts in self.facts.items()},
            },
            indent=1,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Coverage:
        data = json.loads(text)
        counts = {
            file: Counts(c["scenarios"], Counter(c["reached"]), Counter(c["decided"]), Counter(c["routers"]))
            for file, c in data["counts"].items()
        }
        facts = {
            file: ConfigurationFacts(
                None if f["macros"] is None else tuple(f["macros"]),
                tuple(f["not_smtp_acls"]),
                tuple(f["routers"]),
            )
            for file, f in data["facts"].items()
        }
        return cls(data["config"], counts, facts)


@dataclass(frozen=True)
class CoverageRow:
    statement: SourceStatement
    reached: int
    decided: int
    #: Why the statement cannot be reached in these tests, or None if it can.
    not_applicable: str | None = None


@dataclass(frozen=True)
class CoverageReport:
    config: str
    scenarios: int
    rows: tuple[CoverageRow, ...]
    routers: tuple[tuple[str, int], ...]

    @property
    def applicable(self) -> list[CoverageRow]:
        """The statements the suite could reach."""
        return [row for row in self.rows if row.not_applicable is None]

    @property
    def reached(self) -> int:
        """How many applicable statements were reached at all."""
        return sum(1 for row in self.applicable if row.reached)

    @property
    def percent(self) -> float:
        """Applicable statements reached, in percent (100 for a configuration without any)."""
        applicable = self.applicable
        return 100.0 * self.reached / len(applicable) if applicable else 100.0

    @property
    def unreached(self) -> list[CoverageRow]:
        return [row for row in self.applicable if not row.reached]


def coverage_reports(coverage: Coverage) -> list[CoverageReport]:
    """One report for each configuration the run used (its own first; it alone when
    no scenario ran), every statement and router with its counts."""
    used = [coverage.config, *sorted(file for file in coverage.counts if file != coverage.config)]
    files = [file for file in used if file in coverage.counts] or [coverage.config]
    return [_report(file, coverage.counts.get(file, Counts()), coverage.facts.get(file)) for file in files]


def _report(config: str, counts: Counts, facts: ConfigurationFacts | None) -> CoverageReport:
    statements = acl_statements(config, facts.macros if facts is not None else None)
    rows = tuple(
        CoverageRow(
            statement,
            counts.reached[statement.location],
            counts.decided[statement.location],
            None if counts.reached[statement.location] else _not_applicable(statement, facts),
        )
        for statement in statements
    )
    names = facts.routers if facts is not None and facts.routers else tuple(router_names(config))
    return CoverageReport(
        config, counts.scenarios, rows, tuple((name, counts.routers[name]) for name in names)
    )


def _not_applicable(statement: SourceStatement, facts: ConfigurationFacts | None) -> str | None:
    if not statement.active:
        return "in an .ifdef branch that is off"
    if facts is not None and statement.acl in facts.not_smtp_acls:
        return "only mail that does not come over SMTP runs its ACL"
    return None


def coverage_text(reports: list[CoverageReport]) -> str:
    """The reports as tables for the console and CI logs."""
    return "\n".join(_text(report) for report in reports)


def _text(report: CoverageReport) -> str:
    routers_reached = sum(1 for _, count in report.routers if count)
    not_applicable = len(report.rows) - len(report.applicable)
    lines = [
        f"ACL coverage of {_shown(report.config)} over {counted(report.scenarios, 'scenario')}: "
        f"{report.reached} of {len(report.applicable)} statements reached ({report.percent:.0f}%)"
        + (f", {not_applicable} not applicable" if not_applicable else "")
        + f"; routers that accepted an address in -bt checks: {routers_reached} of {len(report.routers)} "
        "(-bt does not name redirect routers).",
        "",
        f"{'where':<32} {'ACL':<20} {'verb':<8} {'reached':>7} {'decided':>7}",
    ]
    for row in report.rows:
        statement = row.statement
        where = f"{_shown(statement.file)}:{statement.line}"
        counts = (
            f"{row.reached:>7} {row.decided:>7}" if row.not_applicable is None else f"{'n/a':>7} {'n/a':>7}"
        )
        lines.append(f"{where:<32} {statement.acl:<20} {statement.verb:<8} {counts}")
    lines += ["", f"{'router':<32} {'reached':>7}"]
    lines += [f"{name:<32} {count:>7}" for name, count in report.routers]
    if not_applicable:
        lines += ["", "Not applicable (the suite cannot reach them):"]
        lines += [
            f"  {_shown(row.statement.file)}:{row.statement.line}  {row.not_applicable}"
            for row in report.rows
            if row.not_applicable is not None
        ]
    if report.unreached:
        lines += ["", "Never reached:"]
        lines += [
            f"  {_shown(row.statement.file)}:{row.statement.line}  {row.statement.text[0].strip()}"
            for row in report.unreached
        ]
    return "\n".join(lines) + "\n"


def _shown(file: str) -> str:
    """Relative to the current directory when inside it: stable across checkouts."""
    path = Path(file)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return file
