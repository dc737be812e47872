"""Fake peers with the real Exim: the Python API, nothing outliving a scenario, and
two suites on one machine at the same time."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import unittest
from pathlib import Path

import pytest

from eximunit_bdd import EximOptions, EximSession, EximTestCase, ScenarioState, StepUsageError
from eximunit_bdd.fakes import FakeClamd, FakeSmtpServer, FakeSpamd

from ..conftest import EXAMPLE_CONFIG, ROOT

SPECS = ROOT / "tests" / "specs"


def test_a_callout_reaches_the_fake_hub(private_tmp):
    with FakeSmtpServer("hub", recipients=["bob@shop.test"]) as hub:
        with EximSession("192.0.2.1", config=EXAMPLE_CONFIG, macros=hub.macros()) as session:
            session.mail_from("alice@example.net").assert_rcpt_to_accepted("bob@shop.test")
            session.assert_rcpt_to_rejected("nobody@shop.test", 550, "no such user")
        assert [(e.mail_from, e.accepted, e.refused) for e in hub.envelopes] == [
            ("<>", ["bob@shop.test"], []),
            ("<>", [], ["nobody@shop.test"]),
        ]


def test_without_callouts_the_hub_is_not_asked(private_tmp):
    with FakeSmtpServer("hub", recipients=[]) as hub:
        with EximSession("192.0.2.1", config=EXAMPLE_CONFIG, macros=hub.macros(), callouts=False) as session:
            session.mail_from("alice@example.net").assert_rcpt_to_accepted("nobody@shop.test")
        assert hub.envelopes == []


def test_the_scanners_see_the_message_exim_scans(private_tmp):
    with FakeSpamd("spamd", [("pills", 4.0)]) as spamd, FakeClamd("clamd") as clamd:
        macros = {**spamd.macros(), **clamd.macros()}
        with EximSession("192.0.2.1", config=EXAMPLE_CONFIG, macros=macros) as session:
            session.mail_from("alice@example.net").rcpt_to("bea@bakery.test")
            reply = session.send_message("Subject: pills\n\nbelow the threshold\n")
        assert reply.accepted, reply
        assert len(spamd.scanned) == 1 and b"Subject: pills" in spamd.scanned[0]
        assert len(clamd.scanned) == 1 and b"below the threshold" in clamd.scanned[0]


def test_eximtestcase_starts_peers_for_its_sessions_and_stops_them(private_tmp):
    peers = []

    class HubPolicy(EximTestCase):
        exim_config = EXAMPLE_CONFIG

        def test_unknown_mailbox(self):
            peers.append(self.start_peer(FakeSmtpServer("hub", recipients=["bob@shop.test"])))
            session = self.new_session("192.0.2.1").mail_from("a@example.net")
            session.assert_rcpt_to_rejected("nobody@shop.test", 550)

    result = unittest.TextTestRunner(stream=open(os.devnull, "w")).run(
        unittest.defaultTestLoader.loadTestsFromTestCase(HubPolicy)
    )
    assert result.wasSuccessful(), result.failures + result.errors
    assert peers[0].asked_about("nobody@shop.test") and not peers[0].running


# ---- nothing outlives its scenario -------------------------------------------------------

LEAKY_STEP = """
from behave import given
from eximunit_bdd.fakes import FakeSmtpServer

@given("a fake SMTP server that nobody stops")
def step_leak(context):
    context.leaked = FakeSmtpServer("leaked").start()
"""


def _suite(tmp_path: Path, *features: Path, extra_steps: str = "") -> Path:
    """A copy of the features with the leak-checking hooks as environment.py."""
    suite = tmp_path / "suite"
    (suite / "steps").mkdir(parents=True)
    for feature in features:
        shutil.copy(feature, suite)
    (suite / "environment.py").write_text("from tests.leakcheck import *  # noqa\n")
    (suite / "steps" / "eximunit.py").write_text("from eximunit_bdd.steps import *  # noqa\n" + extra_steps)
    return suite


def _run_with_leak_report(suite: Path, private_tmp: Path) -> tuple[int, str, list[str]]:
    report = suite / "leaks.txt"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "behave",
            "--no-color",
            "-f",
            "progress",
            "-D",
            f"exim_config={EXAMPLE_CONFIG}",
            "-D",
            f"leak_report={report}",
            str(suite),
        ],
        cwd=ROOT,
        env=dict(os.environ, TMPDIR=str(private_tmp)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    return run.returncode, run.stdout + run.stderr, report.read_text().splitlines()


def test_no_fake_peer_thread_socket_or_exim_outlives_its_scenario(tmp_path, private_tmp):
    features = sorted((ROOT / "features").glob("*.feature")) + [
        SPECS / "wrong_peer_claims.feature",  # failed scenarios
        SPECS / "usage_errors.feature",  # scenarios ended by an error
    ]
    code, output, report = _run_with_leak_report(_suite(tmp_path, *features), private_tmp)
    summary = re.search(r"^(\d+) scenarios passed, (\d+) failed, (\d+) error", output, re.M)
    assert code == 1 and summary and int(summary[2]) > 0 and int(summary[3]) > 0, output
    # One check before each scenario (passed, failed or errored), each for the one before.
    assert len([line for line in report if line.startswith("clean before")]) == sum(
        map(int, summary.groups())
    )
    assert not [line for line in report if line.startswith("LEAK")], "\n".join(report)


def test_the_leak_check_finds_a_peer_left_running(tmp_path, private_tmp):
    feature = tmp_path / "leaky.feature"
    feature.write_text(
        "Feature: leaky\n  Scenario: leaks\n    Given a fake SMTP server that nobody stops\n"
        "  Scenario: after it\n    Given a connection from 192.0.2.1\n"
    )
    code, output, report = _run_with_leak_report(
        _suite(tmp_path, feature, extra_steps=LEAKY_STEP), private_tmp
    )
    assert code == 0, output
    assert report[0] == "clean before leaks"
    assert report[1].startswith("LEAK before after it: threads: ") and "sockets: socket:[" in report[1], (
        report
    )


# ---- two suites at once ---------------------------------------------------------------


def test_two_suites_on_one_machine_at_the_same_time_do_not_collide(private_tmp):
    """Both run every example spec, fake peers included, at the same moment."""
    env = dict(os.environ, TMPDIR=str(private_tmp))
    command = [sys.executable, "-m", "behave", "--no-color", "-f", "progress", "features/"]
    runs = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    for run, output in zip(runs, outputs):
        assert run.returncode == 0, output
        assert " 0 failed, 0 skipped" in output, output


def test_macro_clashes_are_refused_where_they_are_declared(tmp_path, private_tmp):
    config = tmp_path / "clash.conf"
    backup = "RECIPIENTS_MAX = 50\nRELAY_PORT_BACKUP = 26"
    text = EXAMPLE_CONFIG.read_text().replace("RECIPIENTS_MAX = 50", backup)
    config.write_text(text.replace("$config_dir/", str(EXAMPLE_CONFIG.parent) + "/"))
    state = ScenarioState(EximOptions(config=config))
    try:
        with pytest.raises(StepUsageError, match="Exim substitutes RELAY_PORT inside RELAY_PORT_BACKUP"):
            state.add_peer(FakeSmtpServer("relay"))  # its macro is the start of the configuration's
        state.add_peer(FakeSmtpServer("hub"))
        with pytest.raises(StepUsageError, match='carries the port of the fake SMTP server "hub"'):
            state.define_macro("HUB_PORT", "25")
        state.add_peer(FakeSmtpServer("hub", recipients=["bob@shop.test"]))  # declared again: replaced
        assert list(state.peers) == ["HUB_PORT"]
    finally:
        state.close_all()
