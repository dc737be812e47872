"""behave hooks. In your environment.py: `from eximunit_bdd.environment import *`.

With hooks of your own, call these from them::

    from eximunit_bdd import environment as eximunit

    def before_scenario(context, scenario):
        eximunit.before_scenario(context, scenario)
        ...
"""

from __future__ import annotations

import importlib
import os
import re
import signal
import sys
from pathlib import Path
from typing import Any

from behave.fixture import use_fixture

from ..errors import EximUnitError, NetworkUnavailableError
from ..fakes.dns_network import close_shared_dns_network, shared_dns_network
from .coverage_file import save_coverage
from .dns_scenarios import runs_live, uses_fake_dns
from .fixtures import eximunit_scenario
from .live import close_shared_ca
from .run import TRANSCRIPTS_HEADING, run_state
from .suggestions import closest_phrases, registered_patterns, suggestions_text

__all__ = ["before_all", "before_scenario", "after_scenario", "after_all"]

_SAID: set[str] = set()


#: Said once a run as root: a spec is code (`${run{...}}`, `${readfile{...}}` in an
#: expansion step run as whoever runs behave).
ROOT_WARNING = (
    "eximunit: running as root, so every Exim this suite starts runs as root, and so does "
    "anything a spec asks Exim to expand (${run...}, ${readfile...}): review specs like code, "
    "or run the suite as an ordinary user."
)


def before_all(context: Any) -> None:
    """Read the userdata (exim, exim_config, callouts, timeout, network) once, failing fast.
    Run as root, say once that the suite runs Exim as root.
    With `coverage=FILE`, or the HTML report, count the run's ACL coverage. When the
    run cannot start, the reason is kept for the HTML report (`RunState.not_run`)."""
    run = run_state(context.config)
    try:
        run.start(context.config.userdata)
    except Exception as error:
        run.not_run = str(error) if isinstance(error, EximUnitError) else f"{type(error).__name__}: {error}"
        raise
    if os.geteuid() == 0:
        _say_once(ROOT_WARNING)
    _stop_cleanly_on_sigterm()


def before_scenario(context: Any, scenario: Any) -> None:
    """Give the scenario its own sessions (`context.eximunit`), closed after it, and
    start the next scenario's Exim now if it can be told (`early_start`). The
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
    run.early.discard(keep=scenario)  # those of scenarios that did not run
    state = use_fixture(eximunit_scenario, context, dns_network)
    run.early.start_next(context, scenario, state.options, run.server)


def after_scenario(context: Any, scenario: Any) -> None:
    """Close the scenario's sessions now, so that their transcripts are complete, and
    keep the closed sessions on the scenario (`scenario.eximunit_sessions`) for the
    HTML report (a passed scenario's only when the report is written).
    When the scenario failed, add the transcripts its failure message
    lacks to that message, which is what `behave --junit` writes as the failure text
    (the console has shown the step's message already). Attach each session's
    transcript to the scenario for the formatters that take attachments (behave's
    attachment API, behave-html-pretty-formatter's `embed`, Allure), and under Allure
    make the failure's message its one-line headline, so that Allure's categories
    group failures by it (the whole message, sessions with their times, is attached).
    A step no phrase matched gets the closest phrases (`step.eximunit_closest`), which
    the HTML report offers."""
    _note_closest_phrases(context, scenario)
    state = getattr(context, "eximunit", None)
    if state is None:
        return
    scenario.eximunit_sessions = list(state.sessions)
    try:
        state.close_all()
    finally:
        _add_transcripts_to_failure(scenario)
        formatters = list(getattr(getattr(context, "_runner", None), "formatters", None) or ())
        _attach_sessions(formatters, scenario)
        if any(type(formatter).__module__.startswith("allure_behave") for formatter in formatters):
            _headline_only(scenario)
    run = run_state(context.config)
    run.count_coverage(state)
    if not run.sessions_wanted and not scenario.status.has_failed():
        scenario.eximunit_sessions = []  # a long run's memory stays flat without the report


def after_all(context: Any) -> None:
    """Write the ACL coverage (with `coverage=FILE`, added to the other workers' under
    behavex); stop the fake DNS network and remove the throwaway CA, if scenarios
    needed them. For each step no phrase matched, print the closest phrases."""
    run_state(context.config).early.discard()  # before the network they run in
    close_shared_dns_network()
    close_shared_ca()
    coverage = run_state(context.config).coverage
    if coverage is not None and context.config.userdata.get("coverage"):
        save_coverage(Path(context.config.userdata["coverage"]), coverage)
    _suggest_phrases(context)


def _note_closest_phrases(context: Any, scenario: Any) -> None:
    undefined = [step for step in scenario.all_steps if step.status.name == "undefined"]
    if undefined:
        patterns = registered_patterns(context._runner.step_registry)
        for step in undefined:
            step.eximunit_closest = closest_phrases(f"{step.keyword.strip()} {step.name}", patterns)


def _suggest_phrases(context: Any) -> None:
    """'did you mean' for each undefined step, before behave's Python snippets."""
    runner = context._runner
    undefined = getattr(runner, "undefined_steps", None) or ()
    if undefined:
        print(
            suggestions_text(list(undefined), registered_patterns(runner.step_registry)), file=sys.__stderr__
        )


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


def _attach_sessions(formatters: list[Any], scenario: Any) -> None:
    """Each session's transcript, as text, to every formatter that takes attachments."""
    sessions = getattr(scenario, "eximunit_sessions", ())
    for number, session in enumerate(sessions, 1):
        caption = f"Exim session {number} of {len(sessions)}: as if {session.client_ip} had connected"
        text = f"{caption} (C: client, S: server, L: Exim's log)\n{session.transcript.render()}\n"
        for formatter in formatters:
            _attach(formatter, caption, text)
        _attach_to_allure(caption, text)


def _attach(formatter: Any, caption: str, text: str) -> None:
    if hasattr(formatter, "embedding"):  # behave's attachment API: what `context.attach` calls
        try:
            formatter.embedding("text/plain", text.encode("utf-8", "surrogateescape"))
        except (IndexError, KeyError):
            pass  # behave's JSON formatter takes attachments only while a step runs
    elif callable(getattr(formatter, "embed", None)):  # behave-html-pretty-formatter
        formatter.embed("text", text, caption)


def _attach_to_allure(caption: str, text: str) -> None:
    """Through allure-python-commons, which allure-behave's formatter listens to
    (it has no `embedding`); nothing when Allure is not installed or not reporting."""
    try:
        allure = importlib.import_module("allure")
    except ImportError:
        return
    allure.attach(text, name=caption, attachment_type=allure.attachment_type.TEXT)


_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?(?: ?[-+]\d\d:?\d\d)? ?")


def failure_headline(message: str) -> str:
    """A failure message's first line, without times: the same for the same failure
    in every run (`Expected RCPT TO:<a@b> to be accepted.`)."""
    first = message.strip().split("\n", 1)[0] if message.strip() else ""
    return _TIMESTAMP.sub("", first).strip()


def _headline_only(scenario: Any) -> None:
    """Make eximunit's failure of the scenario say only its headline, for reports
    that read the exception after the scenario (Allure); the whole message stays on
    the step (`eximunit_error_text`) for the HTML report, and is attached."""
    failed = next((step for step in scenario.all_steps if step.status.has_failed()), None)
    exception = getattr(failed, "exception", None)
    if failed is None or not isinstance(exception, EximUnitError):
        return
    whole = str(exception)
    headline = failure_headline(whole)
    if headline == whole:
        return
    failed.eximunit_error_text = whole
    _attach_to_allure("The whole failure message", failed.error_message or whole)
    exception.args = (headline,)


def _stop_cleanly_on_sigterm() -> None:
    """A CI timeout sends SIGTERM; make it unwind like Ctrl-C so that cleanup runs."""
    try:
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    except ValueError:  # not the main thread: leave signals alone
        pass


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")
