"""behave hooks. In your environment.py: `from eximunit_bdd.environment import *`.

With hooks of your own, call these from them::

    from eximunit_bdd import environment as eximunit

    def before_scenario(context, scenario):
        eximunit.before_scenario(context, scenario)
        ...
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import Any

from behave.fixture import use_fixture

from ..errors import NetworkUnavailableError
from ..fakes.dns_network import close_shared_dns_network, shared_dns_network
from .dns_scenarios import runs_live, uses_fake_dns
from .fixtures import eximunit_scenario
from .live import close_shared_ca
from .run import TRANSCRIPTS_HEADING, run_state

__all__ = ["before_all", "before_scenario", "after_scenario", "after_all"]

_SAID: set[str] = set()


def before_all(context: Any) -> None:
    """Read the userdata (exim, exim_config, callouts, timeout, network) once, failing fast.
    With `coverage=FILE`, or the HTML report, count the run's ACL coverage."""
    run_state(context.config).start(context.config.userdata)
    _stop_cleanly_on_sigterm()


def before_scenario(context: Any, scenario: Any) -> None:
    """Give the scenario its own sessions (`context.eximunit`), closed after it. The
    scenario runs in the private network of the fake DNS (an empty zone unless it
    declares records), unless the userdata says `network = host` and it declares none.
    Where no private network can be made, a scenario with DNS steps is skipped, saying
    why, and the others run on the machine's network, with one notice a run."""
    run = run_state(context.config)
    options = run.start(context.config.userdata)
    needs_dns = uses_fake_dns(scenario)
    live = runs_live(scenario)
    dns_network = None
    if needs_dns or live or run.network == "private":
        try:
            # Every scenario private: this process moves in, and Exim starts without nsenter.
            dns_network = shared_dns_network(options.timeout, own_process=run.network == "private")
        except NetworkUnavailableError as error:
            if needs_dns or live:
                which, what = (
                    ("with a live server", "a live Exim server") if live else ("with DNS steps", "a fake DNS")
                )
                _say_once(f"eximunit: scenarios {which} are skipped: {error}")
                scenario.skip(f"it needs {what}, and {error}")
                return
            _say_once(
                f"eximunit: scenarios run on the machine's network, not a private one: {error} "
                "Exim's own DNS lookups (client names, blocklists, MX hosts) reach the "
                "machine's resolver. Say network=host in the userdata to run so on purpose."
            )
    use_fixture(eximunit_scenario, context, dns_network)


def after_scenario(context: Any, scenario: Any) -> None:
    """Close the scenario's sessions now, so that their transcripts are complete, and
    keep the closed sessions on the scenario (`scenario.eximunit_sessions`) for the
    HTML report. When the scenario failed, add the transcripts its failure message
    lacks to that message, which is what `behave --junit` writes as the failure text
    (the console has shown the step's message already)."""
    state = getattr(context, "eximunit", None)
    if state is None:
        return
    scenario.eximunit_sessions = list(state.sessions)
    try:
        state.close_all()
    finally:
        _add_transcripts_to_failure(scenario)
    run_state(context.config).count_coverage(state)


def after_all(context: Any) -> None:
    """Write the ACL coverage (with `coverage=FILE`); stop the fake DNS network and
    remove the throwaway CA, if scenarios needed them."""
    close_shared_dns_network()
    close_shared_ca()
    coverage = run_state(context.config).coverage
    if coverage is not None and context.config.userdata.get("coverage"):
        Path(context.config.userdata["coverage"]).write_text(coverage.to_json())


def _say_once(message: str) -> None:
    """To the real stderr, past behave's capture: a reason the summary cannot give."""
    if message not in _SAID:
        _SAID.add(message)
        print(message, file=sys.__stderr__)


def _add_transcripts_to_failure(scenario: Any) -> None:
    sessions = getattr(scenario, "eximunit_sessions", ())
    failed = next((step for step in scenario.all_steps if step.status.has_failed()), None)
    if failed is None or not sessions:
        return
    message = failed.error_message or ""
    if all(session.transcript.render() in message for session in sessions):
        return  # the step's own message has the one session already
    shown = [f"Session with {session.client_ip}:\n{session.transcript.render()}" for session in sessions]
    failed.error_message = f"{message.rstrip()}\n\n{TRANSCRIPTS_HEADING}\n" + "\n\n".join(shown)


def _stop_cleanly_on_sigterm() -> None:
    """A CI timeout sends SIGTERM; make it unwind like Ctrl-C so that cleanup runs."""
    try:
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    except ValueError:  # not the main thread: leave signals alone
        pass


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")
