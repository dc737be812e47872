"""Replaying a log's decisions and comparing: each distinct decision (same client,
HELO, sender, recipient and stage) once, in parallel, against the new configuration,
and against the old one or what the log recorded."""

from __future__ import annotations

import dataclasses
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Iterable

from ..exim.options import EximOptions
from .replayer import NOT_REPLAYABLE, OVER_TLS, Replayed, from_log, replay
from .transactions import LoggedDecision

__all__ = ["Compared", "Comparison", "compare"]


@dataclass(frozen=True)
class Compared:
    """One distinct decision: how often the log has it, what it was before (the old
    configuration's, or the log's) and what it is after (the new configuration's)."""

    decision: LoggedDecision
    count: int
    before: Replayed
    after: Replayed

    @property
    def failed(self) -> bool:
        """Exim could not replay it (on either side)."""
        return "error" in (self.before.outcome, self.after.outcome)

    @property
    def differs(self) -> bool:
        return not self.failed and not self.before.same_decision(self.after)


@dataclass
class Comparison:
    """What a replay found: every distinct decision compared, and what was skipped."""

    read: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    compared: list[Compared] = field(default_factory=list)
    against: str = "the log"

    @property
    def differences(self) -> list[Compared]:
        return [each for each in self.compared if each.differs]

    @property
    def errors(self) -> list[Compared]:
        return [each for each in self.compared if each.failed]

    @property
    def replayed(self) -> int:
        return sum(each.count for each in self.compared)


def compare(
    decisions: Iterable[LoggedDecision], new: EximOptions, old: EximOptions | None = None, jobs: int = 1
) -> Comparison:
    """Replay each distinct decision against `new` (and `old`, in the same network),
    `jobs` sessions at a time. Without `old`, the log's own outcome is the before."""
    comparison = Comparison(against="the old configuration" if old is not None else "the log")
    distinct: dict[tuple[object, ...], tuple[LoggedDecision, int]] = {}
    for decision in decisions:
        comparison.read += 1
        if decision.stage in NOT_REPLAYABLE:
            comparison.skipped[NOT_REPLAYABLE[decision.stage]] += 1
            continue
        if decision.tls:
            comparison.skipped[OVER_TLS] += 1
            continue
        # Against the log, one decision logged two ways (deferred, then accepted) is two.
        key = decision.key if old is not None else (*decision.key, decision.outcome)
        first, count = distinct.get(key, (decision, 0))
        # The first of each kept, without its line: a log of many distinct decisions
        # must not keep them all whole.
        distinct[key] = (dataclasses.replace(first, line="") if count == 0 else first, count + 1)

    def both(item: tuple[LoggedDecision, int]) -> Compared:
        decision, count = item
        before = replay(old, decision) if old is not None else from_log(decision)
        return Compared(decision, count, before, replay(new, decision))

    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="eximunit replay") as pool:
        comparison.compared = list(pool.map(both, distinct.values()))
    return comparison
