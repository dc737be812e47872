"""`RunState`: what eximunit's hooks and the HTML report share for one behave run.

It lives on behave's configuration object, which the hooks see as `context.config`
and a formatter as `self.config`, so neither imports the other: the report reads the
one coverage count the hooks keep, and runs no Exim of its own.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..errors import EximUnitError
from ..exim.options import EximOptions
from ..exim.sandbox import remove_stale_sandboxes
from ..oneshot.options import configuration_file
from .coverage import Coverage, configuration_facts
from .early_start import EarlyStarts
from .scenario import ScenarioState
from .settings import (
    early_start_from_userdata,
    network_from_userdata,
    options_from_userdata,
    server_from_userdata,
)

__all__ = ["RunState", "run_state", "TRANSCRIPTS_HEADING"]

#: Where a failed scenario's conversations begin in its failing step's message.
TRANSCRIPTS_HEADING = "Exim sessions of this scenario (C: client, S: server, L: Exim's log):"
_ATTRIBUTE = "eximunit_run"


@dataclass
class RunState:
    """The run's options, read once from the userdata, and its ACL coverage."""

    options: EximOptions | None = None
    #: The server address and port connections arrive at unless a step says otherwise.
    server: tuple[str | None, int | None] = (None, None)
    #: `private`: every scenario in the private network of the fake DNS; `host`: only
    #: those that declare DNS records.
    network: str = "private"
    #: Counted by `after_scenario` when the userdata names a coverage file or a
    #: report wants it; None otherwise (the count costs a parse of every trace).
    coverage: Coverage | None = None
    #: Set by a formatter that shows coverage (the HTML report), before the run starts.
    coverage_wanted: bool = False
    #: Set by a formatter that shows every scenario's sessions (the HTML report): the
    #: hooks then keep a passed scenario's too, not only a failed one's.
    sessions_wanted: bool = False
    #: Why the run stopped in `before_all` (a wrong `exim_config`, Exim missing, bad
    #: userdata), for the report to say that nothing was tested; None when it started.
    not_run: str | None = None
    #: The next scenario's Exim, started while one runs (`early_start`).
    early: EarlyStarts = field(default_factory=EarlyStarts)

    def start(self, userdata: Mapping[str, str]) -> EximOptions:
        """Remove the sandboxes of earlier runs that were killed; read the options
        (failing fast on a bad value) and, if wanted, start the coverage count, naming
        the configuration file once (`-bP` for the system one)."""
        if self.options is not None:
            return self.options
        remove_stale_sandboxes()  # those of runs killed before they could (kill -9)
        options = options_from_userdata(userdata)
        self.server = server_from_userdata(userdata)
        self.network = network_from_userdata(userdata)
        self.early.enabled = early_start_from_userdata(userdata)
        if userdata.get("coverage"):
            self.coverage = Coverage(configuration_file(options))
        elif self.coverage_wanted:
            try:
                self.coverage = Coverage(configuration_file(options))
            except EximUnitError:
                pass  # the report goes without coverage; the sessions will say what is wrong
        self.options = options
        return options

    def count_coverage(self, scenario: ScenarioState) -> None:
        """Add a finished scenario's sessions and routing checks to the coverage (if
        counted), each session to the configuration it ran; ask Exim about each
        configuration the first time one is used, with the run's macros."""
        coverage = self.coverage
        if coverage is None or self.options is None:
            return
        sessions = [(_named(session.options), session) for session in scenario.sessions]
        coverage.add_scenario(sessions, scenario.routings, _named(scenario.options))
        for file in coverage.counts.keys() - coverage.facts.keys():
            installed = file == coverage.config and self.options.config is None
            options = self.options if installed else dataclasses.replace(self.options, config=Path(file))
            coverage.facts[file] = configuration_facts(options)


def _named(options: EximOptions) -> str | None:
    """The configuration file the options name; None for the installed one."""
    try:
        path = options.config_path()
    except EximUnitError:
        return None if options.config is None else str(options.config)
    return None if path is None else str(path)


def run_state(config: Any) -> RunState:
    """The run's state, made at the first call for behave's configuration `config`."""
    state = getattr(config, _ATTRIBUTE, None)
    if not isinstance(state, RunState):
        state = RunState()
        setattr(config, _ATTRIBUTE, state)
    return state
