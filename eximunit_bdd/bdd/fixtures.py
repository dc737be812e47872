"""behave fixtures: the per-scenario sessions, cleaned up whatever happens."""

from __future__ import annotations

from typing import Any, Iterator

from ..fakes.dns_network import DnsNetwork
from .run import run_state
from .scenario import ScenarioState

__all__ = ["eximunit_scenario"]


def eximunit_scenario(context: Any, dns_network: DnsNetwork | None = None) -> Iterator[ScenarioState]:
    """`context.eximunit` for one scenario; every session closed when it ends (a
    behave fixture: `use_fixture(eximunit_scenario, context)`). With `dns_network`, the
    scenario's Exims and fake peers run inside it. The run's options are read here if
    the suite's before_all did not call eximunit's."""
    run = run_state(context.config)
    scenario = getattr(context, "scenario", None)
    state = ScenarioState(run.start(context.config.userdata), dns_network, run.server)
    state.early = (run.early, scenario)
    context.eximunit = state
    try:
        yield state
    finally:
        state.close_all()
