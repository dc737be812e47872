"""The next scenario's Exim, started while one runs (issue 20): taken only by the
scenario it was started for, when nothing could differ; closed unused otherwise, with
nothing left behind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from eximunit_bdd.bdd.early_start import EarlyStart, EarlyStarts
from eximunit_bdd.exim.options import EximOptions
from eximunit_bdd.exim.sandbox import Sandbox
from eximunit_bdd.smtp.bh_channel import BhChannel
from eximunit_bdd.smtp.connection import Connection

from ..conftest import EXAMPLE_CONFIG
from .conftest import exim_processes_mentioning

FEATURE = """\
Feature: early starts

  Scenario: the first (nothing before it to start it)
    Given a connection from 192.0.2.1
    Then MAIL FROM <alice@example.net> is accepted

  Scenario: a plain one, started during the first
    Given a connection from 192.0.2.2
    When I send EHLO client.example
    Then MAIL FROM <alice@example.net> is accepted
    And RCPT TO <someone@other.example> is rejected with 550

  Scenario: a macro after the connection: not started early
    Given a connection from 192.0.2.3
    And the macro MAINTENANCE is defined
    Then the connection is deferred with 451

  @excluded
  Scenario: not run (--tags): its early session is closed unused
    Given a connection from 192.0.2.4
    Then MAIL FROM <alice@example.net> is accepted

  Scenario: a blocked host (not started early: the excluded one was to start it)
    Given a connection from 203.0.113.66
    Then the connection is rejected with 550

  Scenario: a plain one again, started during the blocked one
    Given a connection from 192.0.2.7
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <anna@coop.test> is accepted

  Scenario: DNS records: neither it nor the next is started early
    Given a connection from 192.0.2.5
    And the DNS record example.net MX "10 mail.example.net"
    When I send MAIL FROM <someone@example.net>
    Then it is accepted

  Scenario: after a DNS scenario
    Given a connection from 192.0.2.6
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <someone@other.example> is rejected with 550

  Scenario: a step of the suite's own second: not started early (it may change what Exim reads)
    Given a connection from 192.0.2.8
    When the suite does something of its own
    Then MAIL FROM <alice@example.net> is accepted

  Scenario: a slow one: the next one's early session is too old to be taken
    Given a connection from 192.0.2.9
    When the suite waits 1.5 seconds
    Then MAIL FROM <alice@example.net> is accepted

  Scenario: after the slow one: started early, closed unused, started again
    Given a connection from 192.0.2.10
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <anna@coop.test> is accepted
"""
OWN_STEPS = """\
import time

from behave import when


@when("the suite does something of its own")
def step_own(context):
    pass


@when("the suite waits 1.5 seconds")
def step_wait(context):
    time.sleep(1.5)
"""
ENVIRONMENT = """\
from eximunit_bdd.environment import *
from eximunit_bdd import environment as eximunit
from eximunit_bdd.bdd.run import run_state


def after_scenario(context, scenario):
    eximunit.after_scenario(context, scenario)
    # Without the HTML report, a passed scenario's sessions are not kept (memory).
    with open("kept.txt", "a") as kept:
        kept.write(f"{len(getattr(scenario, 'eximunit_sessions', []))}\\n")


def after_all(context):
    early = run_state(context.config).early
    with open("counts.txt", "w") as counts:
        counts.write(f"{early.started} {early.taken}\\n")
    eximunit.after_all(context)
"""


def test_only_what_cannot_differ_is_started_early_and_the_rest_leaves_nothing(tmp_path, private_tmp):
    (tmp_path / "steps").mkdir()
    (tmp_path / "steps" / "eximunit.py").write_text("from eximunit_bdd.steps import *\n")
    (tmp_path / "steps" / "own.py").write_text(OWN_STEPS)
    (tmp_path / "environment.py").write_text(ENVIRONMENT)
    (tmp_path / "early.feature").write_text(FEATURE)
    run = subprocess.run(
        [sys.executable, "-m", "behave", "--tags=~@excluded", "-f", "plain",
         "-D", f"exim_config={EXAMPLE_CONFIG}", "early.feature"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "10 scenarios passed" in run.stdout, run.stdout
    started, taken = map(int, (tmp_path / "counts.txt").read_text().split())
    # Started: the two plain ones, the excluded one (closed unused) and the one after
    # the slow one (too old: closed unused); taken: the two plain ones. Not: the first,
    # the macro one (a Given after its connection), the blocked one (the scenario before
    # it did not run), the DNS one and the one after it, the one with a step of its own.
    assert (started, taken) == (4, 2), (started, taken)
    assert (tmp_path / "kept.txt").read_text().split() == ["0"] * 10
    (tmp_path / "kept.txt").unlink()
    off = subprocess.run(
        [sys.executable, "-m", "behave", "--tags=~@excluded", "-f", "null", "-D", "early_start=no",
         "-D", f"exim_config={EXAMPLE_CONFIG}", "early.feature"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert off.returncode == 0, off.stdout + off.stderr
    assert (tmp_path / "counts.txt").read_text().split() == ["0", "0"]  # early_start = no
    assert exim_processes_mentioning(str(private_tmp)) == []  # private_tmp: no sandbox left either


def test_an_early_session_for_another_connection_is_closed_unused(private_tmp):
    options = EximOptions(config=EXAMPLE_CONFIG)
    connection = Connection("192.0.2.1")
    sandbox = Sandbox()
    channel = BhChannel(options, connection.bh_arguments(options.callouts), sandbox)
    starts = EarlyStarts()
    scenario = object()
    starts._started[id(scenario)] = EarlyStart(connection, options, sandbox, channel)
    assert starts.take(scenario, Connection("192.0.2.2"), options) is None
    process = channel.process
    assert process is not None and process.poll() is not None, "closed, its Exim ended"
    assert not Path(sandbox.path).exists() and starts.taken == 0
