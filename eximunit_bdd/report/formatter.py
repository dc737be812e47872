"""The behave formatter `html`: `behave -f html -o report.html` writes the page of
`report.page` for the run. Register it in behave.ini (`eximunit-bdd init` does)::

    [behave.formatters]
    html = eximunit_bdd.report:HtmlFormatter
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from behave.formatter.base import Formatter
from behave.model import Rule

from ..bdd.coverage import CoverageReport, coverage_reports
from ..bdd.run import TRANSCRIPTS_HEADING, run_state
from ..errors import EximUnitError, SmtpAssertionError
from .page import Conversation, FeatureReport, ScenarioReport, StepReport, render_report

__all__ = ["HtmlFormatter", "feature_report"]


class HtmlFormatter(Formatter):
    """Collects the features as they run; writes the page when behave closes it, so
    that the last scenario's sessions (kept by `after_scenario`) are in it. The ACL
    coverage is the one the hooks counted for the run (`bdd.run.RunState`)."""

    name = "html"
    description = "One self-contained HTML page: verdicts, and every Exim session as a chat."

    def __init__(self, stream_opener: Any, config: Any) -> None:
        super().__init__(stream_opener, config)
        self._features: list[Any] = []
        run = run_state(config)  # behave makes formatters before before_all
        run.coverage_wanted = run.sessions_wanted = True

    def feature(self, feature: Any) -> None:
        self._features.append(feature)

    def close(self) -> None:
        config = self.config.userdata.get("exim_config") or "the system configuration"
        about = f"Exim configuration: {config}. Run on {datetime.now():%Y-%m-%d at %H:%M}."
        features = [feature_report(feature) for feature in self._features]
        not_run = run_state(self.config).not_run
        page = render_report(features, about=about, coverage=self._coverage(), not_run=not_run)
        self.open().write(page)
        self.close_stream()

    def _coverage(self) -> list[CoverageReport]:
        """The run's ACL coverage as the hooks counted it, a report for each
        configuration used; none if they did not run."""
        coverage = run_state(self.config).coverage
        return coverage_reports(coverage) if coverage is not None else []


def feature_report(feature: Any) -> FeatureReport:
    """A behave Feature (after its run) as the report's values."""
    scenarios = []
    rule: tuple[str, str, tuple[str, ...]] | None = None
    for item in feature.walk_scenarios(with_rules=True):
        if isinstance(item, Rule):
            rule = (item.keyword, item.name, tuple(item.tags))
        else:
            scenarios.append(_scenario_report(item, rule))
    return FeatureReport(
        name=feature.name,
        status=feature.status.name,
        description=tuple(feature.description),
        location=str(feature.location),
        scenarios=scenarios,
        keyword=feature.keyword,
        tags=tuple(feature.tags),
    )


def _scenario_report(scenario: Any, rule: tuple[str, str, tuple[str, ...]] | None) -> ScenarioReport:
    sessions = getattr(scenario, "eximunit_sessions", ())
    row = getattr(scenario, "_row", None)  # an Outline's row (what allure-behave reads too)
    name = scenario.name
    values: tuple[tuple[str, str], ...] = ()
    if row is not None:
        name = name.split(" -- @", 1)[0]  # behave's "-- @1.2 Examples" annotation
        values = tuple(zip(row.headings, row.cells))
    steps = [_step_report(step) for step in scenario.all_steps]
    failed = next((step for step in scenario.all_steps if step.status.name in _FAILED), None)
    return ScenarioReport(
        keyword=scenario.keyword,
        name=name,
        status=scenario.status.name,
        steps=steps,
        conversations=[Conversation(session.client_ip, session.transcript) for session in sessions],
        location=str(scenario.location),
        tags=tuple(scenario.tags),
        rule=rule,
        row=values,
        policy_failure=None if failed is None else _is_policy_failure(failed),
    )


_FAILED = ("failed", "error", "hook_error", "undefined")


def _is_policy_failure(step: Any) -> bool:
    """A step that failed on an assertion: the policy is not as the spec says. An
    undefined step or any other error (a missing table) is a fault of the spec."""
    return step.status.name == "failed" and isinstance(step.exception, AssertionError)


def _step_report(step: Any) -> StepReport:
    table: tuple[tuple[str, ...], ...] = ()
    if step.table is not None:
        table = (tuple(step.table.headings), *(tuple(row.cells) for row in step.table.rows))
    return StepReport(
        keyword=step.keyword,
        text=step.name,
        status=step.status.name,
        error=_error_text(step),
        failing_reply=step.exception.reply if isinstance(step.exception, SmtpAssertionError) else None,
        docstring=step.text,
        table=table,
    )


def _error_text(step: Any) -> str | None:
    """eximunit's own messages as they are (they are written for people); anything
    else with behave's traceback. The conversation is shown apart, as a chat."""
    if step.status.name not in ("failed", "error", "hook_error", "undefined"):
        return None
    if step.status.name == "undefined":
        closest = [f"“{phrase}”" for phrase in getattr(step, "eximunit_closest", None) or ()]
        did_you_mean = f" Did you mean {' or '.join(closest)}?" if closest else ""
        return f"No step matches this sentence.{did_you_mean} (`eximunit-bdd steps` lists every phrase.)"
    whole = getattr(step, "eximunit_error_text", None)  # the hooks cut it to its headline for Allure
    if isinstance(whole, str):
        return whole
    if isinstance(step.exception, (EximUnitError, AssertionError)):
        return str(step.exception)
    message = str(step.error_message or step.exception or "")
    return message.partition(TRANSCRIPTS_HEADING)[0].rstrip()
