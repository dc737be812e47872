"""behave hooks. In your environment.py: `from eximunit_bdd.environment import *`.

With hooks of your own, call these from them::

    from eximunit_bdd import environment as eximunit

    def before_scenario(context, scenario):
        eximunit.before_scenario(context, scenario)
        ...
"""

from __future__ import annotations

import signal
from typing import Any

from behave.fixture import use_fixture

from .fixtures import eximunit_scenario
from .settings import options_from_userdata

__all__ = ["before_all", "before_scenario", "after_scenario"]


def before_all(context: Any) -> None:
    """Read the userdata (exim, exim_config, callouts, timeout) once, failing fast."""
    context.eximunit_options = options_from_userdata(context.config.userdata)
    _stop_cleanly_on_sigterm()


def before_scenario(context: Any, scenario: Any) -> None:
    """Give the scenario its own sessions (`context.eximunit`), closed after it."""
    use_fixture(eximunit_scenario, context)


def after_scenario(context: Any, scenario: Any) -> None:
    """Close the scenario's sessions now, so that their transcripts are complete,
    and keep the transcripts on the scenario (`scenario.eximunit_transcripts`)."""
    state = getattr(context, "eximunit", None)
    if state is None:
        return
    state.close_all()
    scenario.eximunit_transcripts = [session.transcript for session in state.sessions]


def _stop_cleanly_on_sigterm() -> None:
    """A CI timeout sends SIGTERM; make it unwind like Ctrl-C so that cleanup runs."""
    try:
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    except ValueError:  # not the main thread: leave signals alone
        pass


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")
