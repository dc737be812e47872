"""The next scenario's Exim, started while this one runs.

An `exim -bh` session spends most of its time starting: exec, reading the
configuration, the connect ACL, the greeting. Started when the scenario asks for it,
Python waits for all of that. Started one scenario ahead, it happens on another core
while this scenario talks to its own Exim, and the next scenario finds its greeting
ready.

Only what cannot differ is started early: a scenario whose first step is a plain
`Given a connection from IP` and whose second is one of eximunit's steps that talk
at once (an SMTP command or a reply check: nothing of the suite's own can run in
between), when neither it nor the scenario running meanwhile uses the fake DNS (Exim
may look something up before its greeting, and the zone then is the running
scenario's). The scenario takes the early session only if the connection and the
Exim options it would start with are equal to those it was started with, and the
session is fresh (at most `FRESH` seconds old, its Exim still waiting: a slow
scenario before it would otherwise hand over a greeting near Exim's
smtp_receive_timeout). Otherwise, and for a scenario that does not run (skipped, the
run stopped), it is closed and its sandbox removed, unused.

What it cannot see: the scenario before changing what Exim reads at its connect
time from outside eximunit (a file the configuration reads, changed by a step of the
suite's own). A suite that does so says `early_start = no` in the userdata.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from ..exim.options import EximOptions
from ..exim.sandbox import Sandbox
from ..smtp.bh_channel import BhChannel
from ..smtp.connection import Connection
from .dns_scenarios import uses_fake_dns

__all__ = ["EarlyStart", "EarlyStarts", "first_connection"]

#: The step whose connection can be started early: `Given a connection from IP`.
_CONNECTION_STEP = ("eximunit_bdd.steps.smtp", "step_connection")
#: The step modules whose every step talks to Exim at once.
_TALKING_MODULES = ("eximunit_bdd.steps.smtp", "eximunit_bdd.steps.replies")
#: How old, in seconds, an early session may be when its scenario takes it.
FRESH = 1.0
_CONNECTION_TEXT = re.compile(r"a connection from \S+$")


@dataclass
class EarlyStart:
    """An Exim started for `connection` with `options`, in a sandbox of its own that
    becomes the scenario's when the scenario takes it."""

    connection: Connection
    options: EximOptions
    sandbox: Sandbox
    channel: BhChannel
    started: float = field(default_factory=time.monotonic)

    def fresh(self) -> bool:
        """Young enough, and its Exim still waiting for the client."""
        process = self.channel.process
        alive = process is not None and process.poll() is None
        return alive and time.monotonic() - self.started <= FRESH

    def close(self) -> None:
        try:
            self.channel.close()
        finally:
            self.sandbox.cleanup()


class EarlyStarts:
    """The run's early sessions, by the scenario each was started for (at most two:
    the running scenario's, not taken yet, and the next one's)."""

    def __init__(self) -> None:
        self._started: dict[int, EarlyStart] = {}
        #: Each feature's scenarios, in the order behave runs them (walked once).
        self._orders: dict[int, dict[int, Any]] = {}
        #: How many were started, and how many of those a scenario took (the rest were
        #: closed unused): for the bench, and to show that it works.
        self.started = 0
        self.taken = 0
        #: Off with the userdata `early_start = no`.
        self.enabled = True

    def start_next(
        self, context: Any, scenario: Any, options: EximOptions, server: tuple[str | None, int | None]
    ) -> None:
        """Start the session of the scenario after `scenario` (which is starting, with
        `options`), if it can be told now; never raises (the scenario itself will)."""
        if not self.enabled:
            return
        following = self._next_scenario(scenario)
        if following is None or uses_fake_dns(scenario) or uses_fake_dns(following):
            return
        client_ip = first_connection(context, following)
        if client_ip is None:
            return
        sandbox: Sandbox | None = None
        try:
            connection = Connection(client_ip, None, server[0], server[1])  # checks the IP
            sandbox = Sandbox()
            channel = BhChannel(options, connection.bh_arguments(options.callouts), sandbox)
        except Exception:  # noqa: BLE001 - the scenario starts its own and says what is wrong
            if sandbox is not None:
                sandbox.cleanup()
            return
        self._started[id(following)] = EarlyStart(connection, options, sandbox, channel)
        self.started += 1

    def take(self, scenario: Any, connection: Connection, options: EximOptions) -> EarlyStart | None:
        """The session started early for `scenario`, if it was started for exactly this
        connection and these options (it is then the caller's); None otherwise."""
        early = self._started.pop(id(scenario), None)
        if early is None:
            return None
        if early.connection == connection and early.options == options and early.fresh():
            self.taken += 1
            return early
        early.close()
        return None

    def _next_scenario(self, scenario: Any) -> Any:
        """The scenario behave runs after `scenario` in its feature, or None."""
        feature = getattr(scenario, "feature", None)
        if feature is None:
            return None
        order = self._orders.get(id(feature))
        if order is None:
            scenarios = list(feature.walk_scenarios())
            order = {id(one): following for one, following in zip(scenarios, scenarios[1:])}
            self._orders = {id(feature): order}  # one feature at a time
        return order.get(id(scenario))

    def pids(self) -> set[int]:
        """The processes of the early sessions waiting for their scenarios."""
        processes = (early.channel.process for early in self._started.values())
        return {process.pid for process in processes if process is not None}

    def discard(self, keep: Any = None) -> None:
        """Close every early session but `keep`'s (a scenario about to run)."""
        for key in [key for key in self._started if key != id(keep)]:
            self._started.pop(key).close()


def first_connection(context: Any, scenario: Any) -> str | None:
    """The client IP of the scenario's first step, if that is a plain `Given a
    connection from IP` and the next one of eximunit's steps that talk at once; else
    None."""
    steps = list(scenario.all_steps)
    if len(steps) < 2 or steps[0].step_type != "given" or not _CONNECTION_TEXT.match(steps[0].name):
        return None  # (cheaply: most first steps are not)
    registry = getattr(getattr(context, "_runner", None), "step_registry", None)
    if registry is None:
        return None
    first, second = registry.find_match(steps[0]), registry.find_match(steps[1])
    if first is None or second is None or _step_of(first) != _CONNECTION_STEP:
        return None
    if _step_of(second)[0] not in _TALKING_MODULES:
        return None
    values = {argument.name: argument.value for argument in first.arguments or ()}
    ip = values.get("ip")
    return ip if isinstance(ip, str) else None


def _step_of(match: Any) -> tuple[object, object]:
    """The step function's module and name (behave's Match holds the function)."""
    func = getattr(match, "func", None)
    return getattr(func, "__module__", None), getattr(func, "__name__", None)
