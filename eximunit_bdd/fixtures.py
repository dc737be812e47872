"""behave fixtures: the per-scenario sessions, cleaned up whatever happens."""

from __future__ import annotations

from typing import Any, Iterator

from behave import fixture

from .scenario import ScenarioSessions
from .settings import options_from_userdata

__all__ = ["eximunit_scenario"]


@fixture
def eximunit_scenario(context: Any) -> Iterator[ScenarioSessions]:
    """`context.eximunit` for one scenario; every session closed when it ends."""
    options = getattr(context, "eximunit_options", None)
    if options is None:  # the user's before_all did not call ours
        options = context.eximunit_options = options_from_userdata(context.config.userdata)
    state = ScenarioSessions(options)
    context.eximunit = state
    try:
        yield state
    finally:
        state.close_all()
