"""behave hooks that wrap eximunit's and record what each scenario left behind:
threads, sockets and child processes of the behave process.

A scenario's fixtures are cleaned up before the next scenario starts, so the check
runs in before_scenario (for the scenario before) and after each feature. Results go
to the file named by the userdata `leak_report`, one line per check:
`clean WHERE` or `LEAK WHERE: WHAT`.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, NamedTuple

from eximunit_bdd import environment as eximunit
from eximunit_bdd.bdd.run import run_state
from eximunit_bdd.fakes.dns_network import shared_dns_network

__all__ = ["before_all", "before_scenario", "after_scenario", "after_feature", "after_all"]


class Snapshot(NamedTuple):
    threads: frozenset[str]
    sockets: frozenset[str]
    children: frozenset[int]


def snapshot() -> Snapshot:
    threads = frozenset(f"{t.name} ({t.ident})" for t in threading.enumerate())
    sockets = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # the fd of the listing itself, already closed
            continue
        if target.startswith("socket:"):
            sockets.add(target)
    return Snapshot(threads, frozenset(sockets), frozenset(_children()))


def _children() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid():
                pids.append(int(entry.name))
    return pids


def leftovers(before: Snapshot, after: Snapshot) -> list[str]:
    """What `after` has that `before` had not, described."""
    found = []
    for field in Snapshot._fields:
        extra = sorted(map(str, getattr(after, field) - getattr(before, field)))
        if extra:
            found.append(f"{field}: {', '.join(extra)}")
    return found


def _check(context: Any, where: str) -> None:
    now = snapshot()
    # The next scenario's Exim, started early on purpose (eximunit_bdd.bdd.early_start),
    # is not a leftover: its process (and its pipes, which are not sockets) belong to it.
    early = run_state(context.config).early.pids()
    now = now._replace(children=now.children - early)
    found = leftovers(context.leak_baseline, now)
    line = f"LEAK {where}: {'; '.join(found)}" if found else f"clean {where}"
    with open(context.config.userdata["leak_report"], "a") as report:
        report.write(line + "\n")


def before_all(context: Any) -> None:
    eximunit.before_all(context)
    # The fake DNS's network lives for the whole run (made at the first DNS scenario):
    # made now, it is part of the baseline, and only what scenarios leave counts.
    shared_dns_network(own_process=run_state(context.config).network == "private")  # as the hooks do
    context.leak_baseline = snapshot()


def before_scenario(context: Any, scenario: Any) -> None:
    _check(context, f"before {scenario.name}")
    eximunit.before_scenario(context, scenario)


def after_scenario(context: Any, scenario: Any) -> None:
    eximunit.after_scenario(context, scenario)


def after_feature(context: Any, feature: Any) -> None:
    _check(context, f"after {feature.name}")


def after_all(context: Any) -> None:
    _check(context, "at the end")
    eximunit.after_all(context)
