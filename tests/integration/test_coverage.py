"""eximunit-bdd coverage: which ACL statements a suite reached, with the real Exim."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from eximunit_bdd import find_exim
from eximunit_bdd.bdd.coverage import Coverage, coverage_report

from ..conftest import EXAMPLE_CONFIG, ROOT
from .conftest import CONFIGS

SCENARIOS = """\
Feature: What tests/configs/acl.conf answers

  Scenario: postmaster
    Given a connection from 192.0.2.1
    When I send MAIL FROM <a@ok.test>
    Then RCPT TO <postmaster@acl.test> is accepted

  Scenario: a refused sender, by the nested ACL
    Given a connection from 192.0.2.1
    When I send MAIL FROM <a@bad.test>
    Then RCPT TO <bob@acl.test> is rejected with 550 "sender a@bad.test refused"

  Scenario: later, and relaying, and a good recipient
    Given a connection from 192.0.2.1
    When I send MAIL FROM <a@ok.test>
    Then RCPT TO <later@acl.test> is deferred
    And RCPT TO <x@other.test> is rejected
    And RCPT TO <bob@acl.test> is accepted
"""
BLACKHOLE = """
  Scenario: the blackhole sender
    Given a connection from 192.0.2.1
    Then MAIL FROM <x@blackhole.test> is accepted
"""
SCRIPT = Path(sys.executable).parent / "eximunit-bdd"


def _suite(tmp_path: Path, feature: str) -> Path:
    (tmp_path / "steps").mkdir(exist_ok=True)
    (tmp_path / "steps" / "eximunit.py").write_text("from eximunit_bdd.steps import *\n")
    (tmp_path / "environment.py").write_text("from eximunit_bdd.environment import *\n")
    (tmp_path / "acl.feature").write_text(feature)
    return tmp_path


def _coverage(suite: Path, *options: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(SCRIPT),
        "coverage",
        *options,
        "--",
        "behave",
        "-f",
        "null",
        "-D",
        f"exim_config={CONFIGS / 'acl.conf'}",
    ]
    return subprocess.run(command, cwd=suite, capture_output=True, text=True, timeout=120)


def test_an_unreached_statement_is_listed_and_fails_the_threshold(tmp_path):
    run = _coverage(_suite(tmp_path, SCENARIOS), "--fail-under", "100")
    assert run.returncode == 2, run.stdout + run.stderr
    assert "over 3 scenarios: 9 of 10 statements reached (90%)" in run.stdout
    assert (
        "Never reached:\n" in run.stdout and "acl.conf:24  discard senders = *@blackhole.test" in run.stdout
    )
    assert "90% of the ACL statements were reached, under --fail-under 100" in run.stderr
    rows = {
        line.split()[0].rsplit("/", 1)[-1]: line.split()[-2:]
        for line in run.stdout.splitlines()
        if ".conf:" in line and "  " in line
    }
    assert rows["acl.conf:29"] == ["3", "1"]  # accept postmaster: reached by all, decided once
    assert rows["acl.conf:30"] == ["2", "1"]  # require: after it, decided when the nested ACL denied
    assert rows["acl_inner.conf:3"] == ["2", "1"]  # that nested deny
    assert rows["acl.conf:28"] == ["3", "0"]  # warn: reached, never decides


def test_a_scenario_that_reaches_it_changes_the_report(tmp_path):
    run = _coverage(_suite(tmp_path, SCENARIOS + BLACKHOLE), "--fail-under", "100", "--output", "report.txt")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "over 4 scenarios: 10 of 10 statements reached (100%)" in run.stdout
    assert "Never reached" not in run.stdout
    discard = next(line for line in run.stdout.splitlines() if "acl.conf:24" in line)
    assert discard.split()[-2:] == ["1", "1"]
    written = (tmp_path / "report.txt").read_text()
    assert written.startswith("ACL coverage of ") and run.stdout.endswith(written)


def test_a_failing_run_still_reports_and_keeps_behaves_status(tmp_path):
    run = _coverage(_suite(tmp_path, SCENARIOS.replace("is deferred", "is accepted")))
    assert run.returncode == 1 and "statements reached" in run.stdout


def test_routing_checks_count_their_routers(tmp_path):
    feature = (
        'Feature: routes\n  Scenario: r\n    Then mail for <anna@coop.test> is routed by router "mailboxes"\n'
    )
    suite = _suite(tmp_path, feature)
    collected = tmp_path / "coverage.json"
    subprocess.run(
        [sys.executable, "-m", "behave", "-f", "null", "-D", f"exim_config={EXAMPLE_CONFIG}",
         "-D", f"coverage={collected}"],
        cwd=suite, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    report = coverage_report(Coverage.from_json(collected.read_text()))
    assert dict(report.routers) == {"hubbed": 0, "aliases": 0, "mailboxes": 1, "remote": 0}
    assert report.scenarios == 1 and not any(row.reached for row in report.rows)


def test_without_a_behave_command_it_says_how(tmp_path):
    run = subprocess.run([str(SCRIPT), "coverage"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and "eximunit-bdd coverage -- behave features/" in run.stderr


def test_the_checked_in_coverage_of_the_example_suite_is_current():
    run = subprocess.run(
        [str(SCRIPT), "coverage", "--", "behave", "-f", "null", "features/"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    report = run.stdout[run.stdout.index("ACL coverage of ") :]
    assert report == (ROOT / "docs" / "coverage.txt").read_text(), (
        "docs/coverage.txt is out of date: regenerate it with\n"
        "  eximunit-bdd coverage --output docs/coverage.txt -- behave -f null features/"
    )


def test_the_html_report_shows_the_count_the_hooks_kept_and_runs_no_exim_at_close(tmp_path):
    suite = _suite(tmp_path, SCENARIOS)
    # The formatter closes after after_all; an Exim run from it would go through this
    # wrapper, which is the only exim the run may find, and leaves a mark.
    marks = tmp_path / "exim-runs"
    wrapper = tmp_path / "exim"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> {marks}\nexec {find_exim()} "$@"\n')
    wrapper.chmod(0o755)
    collected = tmp_path / "coverage.json"
    run = subprocess.run(
        [sys.executable, "-m", "behave", "-f", "eximunit_bdd.report:HtmlFormatter", "-o", "report.html",
         "-D", f"exim_config={CONFIGS / 'acl.conf'}", "-D", f"exim={wrapper}", "-D", f"coverage={collected}"],
        cwd=suite, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    page = (suite / "report.html").read_text()
    assert "ACL coverage: 9 of 10 statements reached (90%)" in page
    report = coverage_report(Coverage.from_json(collected.read_text()))
    assert (report.reached, len(report.rows), report.scenarios) == (9, 10, 3)
    check, *sessions = marks.read_text().splitlines()  # the sandbox check, before any session
    assert check.endswith("-bP spool_directory"), check
    assert len(sessions) == 3 and all(" -bhc 192.0.2.1" in run for run in sessions), sessions


def test_the_report_module_does_not_import_the_hooks():
    code = "import sys, eximunit_bdd.report; print('eximunit_bdd.bdd.hooks' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "False", run.stderr
