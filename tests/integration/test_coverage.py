"""eximunit-bdd coverage: which ACL statements a suite reached, with the real Exim."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from eximunit_bdd import find_exim
from eximunit_bdd.acl.source import acl_statements
from eximunit_bdd.bdd.coverage import Coverage, configuration_facts, coverage_reports
from eximunit_bdd.exim.options import EximOptions
from eximunit_bdd.trace.acl_runs import VERBS

from ..conftest import EXAMPLE_CONFIG, ROOT
from .conftest import CONFIGS, marking_exim
from .test_acl_decisions import DEBIAN_TEST_BLOCK, build_debian_split_config

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
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "steps").mkdir(exist_ok=True)
    (tmp_path / "steps" / "eximunit.py").write_text("from eximunit_bdd.steps import *\n")
    (tmp_path / "environment.py").write_text("from eximunit_bdd.environment import *\n")
    (tmp_path / "acl.feature").write_text(feature)
    return tmp_path


def _eximunit_coverage(cwd: Path, *arguments: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    """`eximunit-bdd coverage ARGUMENTS` run in `cwd`."""
    return subprocess.run(
        [str(SCRIPT), "coverage", *arguments], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def _coverage(suite: Path, *options: str, behave: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """The coverage of the suite's behave run, acl.conf its configuration."""
    run = ["behave", "-f", "null", "-D", f"exim_config={CONFIGS / 'acl.conf'}", *behave]
    return _eximunit_coverage(suite, *options, "--", *run)


def test_an_unreached_statement_is_listed_and_fails_the_threshold(tmp_path):
    run = _coverage(_suite(tmp_path, SCENARIOS), "--fail-under", "100")
    assert run.returncode == 2, run.stdout + run.stderr
    assert "over 3 scenarios: 9 of 10 statements reached (90%)" in run.stdout
    assert (
        "Never reached:\n" in run.stdout and "acl.conf:24  discard senders = *@blackhole.test" in run.stdout
    )
    under = f"90% of the ACL statements of {CONFIGS / 'acl.conf'} were reached, under --fail-under 100"
    assert under in run.stderr
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
    [report] = coverage_reports(Coverage.from_json(collected.read_text()))
    assert dict(report.routers) == {"hubbed": 0, "aliases": 0, "mailboxes": 1, "remote": 0}
    assert report.scenarios == 1 and not any(row.reached for row in report.rows)


def test_without_a_behave_command_it_says_how(tmp_path):
    run = subprocess.run([str(SCRIPT), "coverage"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and "eximunit-bdd coverage -- behave features/" in run.stderr


def test_the_checked_in_coverage_of_the_example_suite_is_current():
    run = _eximunit_coverage(ROOT, "--", "behave", "-f", "null", "features/", timeout=300)
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
    wrapper, marks = marking_exim(tmp_path, '"$@"')
    collected = tmp_path / "coverage.json"
    run = subprocess.run(
        [sys.executable, "-m", "behave", "-f", "eximunit_bdd.report:HtmlFormatter", "-o", "report.html",
         "-D", f"exim_config={CONFIGS / 'acl.conf'}", "-D", f"exim={wrapper}", "-D", f"coverage={collected}"],
        cwd=suite, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    page = (suite / "report.html").read_text()
    assert "ACL coverage of acl.conf: 9 of 10 statements reached (90%)" in page
    [report] = coverage_reports(Coverage.from_json(collected.read_text()))
    assert (report.reached, len(report.rows), report.scenarios) == (9, 10, 3)
    check, *runs = marks.read_text().splitlines()  # the sandbox check, before any session
    assert check.endswith("-bP spool_directory"), check
    sessions = [run for run in runs if " -bhc 192.0.2.1" in run]
    asked = [run.split(" -bP ", 1)[1] for run in runs if " -bP " in run]
    assert len(sessions) == 3 and len(runs) == 6, runs  # Exim asked about acl.conf once, after scenario 1
    assert asked == ["macro_list", "acl_not_smtp acl_not_smtp_mime acl_not_smtp_start", "router_list"], runs
    assert runs.index(sessions[0]) < runs.index(next(run for run in runs if "macro_list" in run))
    assert runs[-1] == sessions[-1], runs  # nothing after the last session: no Exim at report time


def test_the_report_module_does_not_import_the_hooks():
    code = "import sys, eximunit_bdd.report; print('eximunit_bdd.bdd.hooks' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "False", run.stderr


CONDITIONAL = CONFIGS / "conditional.conf"
OTHER_FEATURE = f"""\
Feature: Another configuration, chosen by the feature

  Background:
    Given the Exim configuration "{CONDITIONAL}"

  Scenario: postmaster
    Given a connection from 192.0.2.1
    When I send MAIL FROM <a@ok.test>
    Then RCPT TO <postmaster@conditional.test> is accepted
"""


def _exims_active_statements(config: Path, *macros: str) -> list[tuple[str, str]]:
    """Exim's own view (`-bP config`: the configuration after its `.ifdef`s): each ACL
    statement as (ACL, verb), in order."""
    defines = [f"-D{macro}" for macro in macros]
    shown = subprocess.run(
        [find_exim(), "-C", str(config), *defines, "-bP", "config"],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    acls = shown[shown.index("\nbegin acl\n") :].split("\nbegin ", 2)[1]
    found: list[tuple[str, str]] = []
    acl = ""
    for line in acls.splitlines()[1:]:
        words = line.split()
        if len(words) == 1 and words[0].endswith(":"):
            acl = words[0][:-1]
        elif words and words[0] in VERBS:
            found.append((acl, words[0]))
    return found


def _our_active_statements(config: Path, *macros: str) -> list[tuple[str, str]]:
    options = EximOptions(config=config, macros=dict(macro.partition("=")[::2] for macro in macros))
    facts = configuration_facts(options)
    assert facts.macros is not None
    return [(s.acl, s.verb) for s in acl_statements(config, facts.macros) if s.active]


@pytest.mark.parametrize(
    "macros",
    [(), ("STRICT",), ("LENIENT", "CLAMD=1"), ("STRICT", "LENIENT", "CHECK_RCPT_LOCAL_LOCALPARTS=^[.]")],
    ids=["none", "strict", "lenient-clamd", "all"],
)
def test_the_statements_on_for_the_macros_are_those_exim_reads(macros):
    assert _our_active_statements(CONDITIONAL, *macros) == _exims_active_statements(CONDITIONAL, *macros)


@pytest.mark.parametrize("configtype", ["local", "internet"])
def test_on_debians_generated_configuration_too(tmp_path, configtype):
    localmacros = (
        DEBIAN_TEST_BLOCK + "CHECK_RCPT_IP_DNSBLS = dnsbl.test\nCHECK_DATA_LOCAL_ACL_FILE = /dev/null\n"
    )
    config = build_debian_split_config(tmp_path, localmacros, configtype)
    ours = _our_active_statements(config)
    assert ours == _exims_active_statements(config)
    everything = acl_statements(config)
    assert 0 < len(ours) < len(everything)  # some branches are off, and we know which


def test_each_configuration_used_gets_its_report_and_what_cannot_be_reached_is_not_applicable(tmp_path):
    suite = _suite(tmp_path, SCENARIOS)
    (suite / "other.feature").write_text(OTHER_FEATURE)
    run = _coverage(suite, "--fail-under", "100")
    assert run.returncode == 2, run.stdout + run.stderr
    first, second = run.stdout[run.stdout.index("ACL coverage of ") :].split("\nACL coverage of ")
    assert "acl.conf over 3 scenarios: 9 of 10 statements" in first
    assert "conditional.conf" not in first  # the feature's scenario counts for its own configuration
    assert second.startswith(
        f"{CONDITIONAL} over 1 scenario: 1 of 5 statements reached (20%), 4 not applicable"
    )
    not_applicable = second[second.index("Not applicable") :]
    for line in (26, 30, 32, 21):  # .ifdef'd out (no macros), and acl_not_smtp's ACL
        assert f"conditional.conf:{line}  " in not_applicable, (line, second)
    assert "conditional.conf:21  only mail that does not come over SMTP runs its ACL" in not_applicable
    assert "conditional.conf:26  in an .ifdef branch that is off" in not_applicable
    assert "conditional.conf:34  " in second[second.index("Never reached") :]  # the .else branch is on
    routers = second[second.index("\nrouter ") :]
    assert "mailboxes" in routers and "smarthost" not in routers  # -bP router_list: .ifdef SMARTHOST is off
    assert f"20% of the ACL statements of {CONDITIONAL} were reached, under --fail-under 100" in run.stderr
    assert "acl.conf were reached, under" in run.stderr


def test_the_runs_macros_decide_which_branches_apply(tmp_path):
    suite = _suite(tmp_path, SCENARIOS)
    (suite / "other.feature").write_text(OTHER_FEATURE)
    run = _coverage(suite, behave=("-D", "macros=LENIENT SMARTHOST=192.0.2.9"))
    report = run.stdout[run.stdout.index(f"ACL coverage of {CONDITIONAL}") :]
    assert "1 of 5 statements reached" in report and "4 not applicable" in report, report
    not_applicable = report[report.index("Not applicable") : report.index("Never reached")]
    assert "conditional.conf:32  " not in not_applicable and "conditional.conf:34  " in not_applicable
    assert "smarthost" in report[report.index("\nrouter ") :]


def test_a_statement_a_scenarios_macro_turns_on_counts_when_reached(tmp_path):
    strict = OTHER_FEATURE + (
        "\n  Scenario: strict\n    Given the macro STRICT is defined\n    And a connection from 192.0.2.1\n"
        "    When I send MAIL FROM <a@ok.test>\n"
        '    Then RCPT TO <strict@conditional.test> is rejected with 550 "Administrative prohibition"\n'
    )
    run = _coverage(_suite(tmp_path, strict))
    assert run.returncode == 0, run.stdout + run.stderr
    report = run.stdout[run.stdout.index("ACL coverage of ") :]
    assert report.startswith(f"ACL coverage of {CONDITIONAL}")  # acl.conf, named but unused, has none
    assert "over 2 scenarios: 2 of 6 statements reached (33%), 3 not applicable" in report, report
    strict_row = next(line for line in report.splitlines() if "conditional.conf:30 " in line)
    assert strict_row.split()[-2:] == ["1", "1"]


DEBIAN_FEATURE = '''\
Feature: Debian's generated configuration, every statement it can reach

  Scenario: a message for a local user
    Given a connection from 192.0.2.1
    When I send MAIL FROM <someone@example.net>
    Then RCPT TO <mail@localhost> is accepted
    When I send the message:
      """
      From: someone@example.net
      To: mail@localhost
      Subject: hello

      hi
      """
    Then it is accepted
'''


def test_debians_generated_configuration_reaches_all_it_can(tmp_path):
    config = build_debian_split_config(tmp_path / "debian")
    suite = _suite(tmp_path / "suite", DEBIAN_FEATURE)
    behave = ["behave", "-f", "null", "-D", f"exim_config={config}"]
    run = _eximunit_coverage(suite, "--fail-under", "100", "--", *behave)
    assert run.returncode == 0, run.stdout + run.stderr
    [headline] = [line for line in run.stdout.splitlines() if line.startswith("ACL coverage of ")]
    assert "(100%)" in headline and "not applicable" in headline, headline  # its .ifdef'd statements


def test_a_configuration_with_continued_first_lines_reaches_all_it_can():
    run = _eximunit_coverage(ROOT, "--", "behave", "-f", "null", "tests/specs/shapes.feature")
    assert run.returncode == 0, run.stdout + run.stderr
    assert (
        "ACL coverage of tests/configs/acl_shapes.conf over 4 scenarios: 5 of 5 statements reached (100%)"
        in run.stdout
    )
