"""behave fixtures: the per-scenario sessions, cleaned up whatever happens."""

from __future__ import annotations

from typing import Any, Iterator

from ..exim.options import EximOptions
from ..network.dns_network import DnsNetwork
from .scenario import ScenarioState
from .settings import options_from_userdata

__all__ = ["eximunit_scenario", "eximunit_options"]


def eximunit_options(context: Any) -> EximOptions:
    """The run's options, read from the userdata once (by before_all, or here if the
    user's before_all did not call ours)."""
    options = getattr(context, "eximunit_options", None)
    if options is None:
        options = context.eximunit_options = options_from_userdata(context.config.userdata)
    return options


def eximunit_scenario(context: Any, dns_network: DnsNetwork | None = None) -> Iterator[ScenarioState]:
    """`context.eximunit` for one scenario; every session closed when it ends (a
    behave fixture: `use_fixture(eximunit_scenario, context)`). With `dns_network`, the
    scenario's Exims and fake peers run inside it."""
    state = ScenarioState(eximunit_options(context), dns_network)
    context.eximunit = state
    try:
        yield state
    finally:
        state.close_all()
