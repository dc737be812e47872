"""`eximunit-bdd init`, then behave in the new suite: its run, its HTML report (looked
at in headless Chromium) and its JUnit XML."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import junitparser
import pytest
from PIL import Image, ImageColor

from eximunit_bdd.bdd.run import TRANSCRIPTS_HEADING
from eximunit_bdd.cli.starter import STARTER_FILES
from eximunit_bdd.report.page import FAILING_REPLY_BACKGROUND

from ..conftest import EXAMPLE_CONFIG, ROOT

SCRIPT = "eximunit-bdd"
WRONG_CLAIMS = """\
Feature: Claims about the co-op's MX, two of them wrong

  Scenario: Mail for the office is stamped as checked
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <anna@coop.test>
    And I send a message with subject "Hello"
    Then the header "X-Coop-Checked" is added

  Scenario: A stranger relays
    Given a connection from 192.0.2.1
    When I send MAIL FROM <someone@example.net>
    Then RCPT TO <someone@other.example> is accepted

  Scenario: A retry gets a header nobody adds
    Given a connection from 192.0.2.1
    When I send MAIL FROM <first@example.net>
    Given a connection from 192.0.2.1
    When I send MAIL FROM <second@example.net>
    Then the header "X-Nobody-Adds-This" is added
"""
FAILING_REPLY_RGB = ImageColor.getrgb(FAILING_REPLY_BACKGROUND)


def init(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / SCRIPT
    return subprocess.run([str(script), "init", *args], capture_output=True, text=True, timeout=60)


def behave(suite: Path, *args: str, namespace: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "behave", "--no-color", *args]
    if namespace:  # loopback only: the system configuration looks up every client's name
        command = ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *command]
    return subprocess.run(command, cwd=suite, capture_output=True, text=True, timeout=300)


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    """A suite written by init for the example configuration."""
    run = init(str(tmp_path / "policy"), "--config", str(EXAMPLE_CONFIG))
    assert run.returncode == 0, run.stderr
    return tmp_path / "policy"


def test_init_writes_the_suite_and_behave_passes_there(suite):
    assert sorted(str(path.relative_to(suite)) for path in suite.rglob("*") if path.is_file()) == sorted(
        STARTER_FILES
    )
    assert f"exim_config = {EXAMPLE_CONFIG}" in (suite / "behave.ini").read_text()
    assert "# Run the suite with `behave`" in (suite / "features" / "relaying.feature").read_text()
    run = behave(suite)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 scenarios passed, 0 failed" in run.stdout


@pytest.mark.skipif(
    os.geteuid() != 0,
    reason="the system configuration looks up each client's name in DNS, so it is tested only "
    "inside a loopback-only network namespace, which needs root here (in a user namespace "
    "Exim refuses the root-owned configuration); the root pass of scripts/test runs this",
)
def test_init_without_a_configuration_tests_the_system_one(tmp_path):
    run = init(str(tmp_path))
    assert run.returncode == 0, run.stderr
    assert "\nexim_config" not in (tmp_path / "behave.ini").read_text()
    run = behave(tmp_path, namespace=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 scenarios passed, 0 failed" in run.stdout


def test_init_refuses_to_overwrite_and_writes_nothing(suite):
    feature = suite / "features" / "relaying.feature"
    feature.write_text("Feature: ours\n")
    (suite / "README.md").unlink()
    run = init(str(suite))
    assert run.returncode == 1
    assert (
        "already has behave.ini, environment.py, steps/eximunit.py, features/relaying.feature" in run.stderr
    )
    assert "--force" in run.stderr and "Traceback" not in run.stderr
    assert feature.read_text() == "Feature: ours\n" and not (suite / "README.md").exists()
    run = init(str(suite), "--force")
    assert run.returncode == 0, run.stderr
    assert "Scenario: A stranger cannot relay" in feature.read_text()
    assert "exim_config =" not in (suite / "behave.ini").read_text().replace("# exim_config", "")


@pytest.mark.parametrize("problem", ["missing configuration", "a file as the directory"])
def test_bad_arguments_are_explained_and_nothing_is_written(tmp_path, problem):
    if problem == "missing configuration":
        run = init(str(tmp_path / "policy"), "--config", str(tmp_path / "nope.conf"))
        expected = "nope.conf does not exist"
    else:
        (tmp_path / "policy").write_text("")
        run = init(str(tmp_path / "policy"))
        expected = "is a file, not a directory"
    assert run.returncode == 1 and expected in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "policy").is_dir()


def _chromium() -> str:
    """Chromium is a test dependency (scripts/install installs it): missing, it fails."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    assert binary, "Chromium is not installed: run scripts/install (apt-get install chromium)"
    return binary


def _in_chromium(page: Path, profile: Path, *what: str) -> subprocess.CompletedProcess[str]:
    """Open the page in headless Chromium with nothing reaching the network."""
    command = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1280,1600",
        *what,
        page.as_uri(),
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return run


def test_the_report_of_a_failing_run_in_chromium(suite, tmp_path):
    (suite / "features" / "wrong.feature").write_text(WRONG_CLAIMS)
    run = behave(
        suite, "-f", "html", "-o", "report.html", "-f", "progress", "--junit", "--junit-directory", "junit"
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "3 scenarios passed, 2 failed" in run.stdout  # the console stays behave's own
    report = suite / "report.html"

    dom = _in_chromium(report, tmp_path / "profile", "--dump-dom").stdout
    failing = dom.split('<div class="bubble server failing">', 1)[1].split("</div>", 1)[0]
    assert "550 relay not permitted" in failing
    assert "the step “Then RCPT TO &lt;someone@other.example&gt; is accepted” failed on this reply" in failing
    assert '<div class="bubble client"><pre>RCPT TO:&lt;someone@other.example&gt;</pre></div>' in dom
    logged = "rejected RCPT &lt;someone@other.example&gt;: relay attempt for someone@other.example"
    assert logged in dom  # the log line
    assert "header added: <code>X-Coop-Checked: by mx.coop.test for [192.0.2.1]</code>" in dom
    assert "Conversation 2 of 2: Exim as if 192.0.2.1 had connected" in dom
    assert "<title>Mail policy report: failed</title>" in dom
    assert "ACL coverage of exim4.conf: " in dom and "statements reached" in dom  # at the end

    screenshot = tmp_path / "report.png"
    _in_chromium(report, tmp_path / "profile", f"--screenshot={screenshot}")
    with Image.open(screenshot) as image:
        assert image.size == (1280, 1600)
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours, "the screenshot has too many colours to count"
    marked = sum(count for count, colour in colours if colour == FAILING_REPLY_RGB)
    assert marked > 3000, f"the failing reply is not marked on screen ({marked} pixels of its colour)"


def test_junit_failures_carry_the_conversations(suite):
    (suite / "features" / "wrong.feature").write_text(WRONG_CLAIMS)
    behave(suite, "-f", "null", "--junit", "--junit-directory", "junit")
    cases = ElementTree.parse(suite / "junit" / "TESTS-wrong.xml").getroot().findall("testcase")
    failures = {case.get("name"): case.find("failure") for case in cases}
    assert failures["Mail for the office is stamped as checked"] is None
    texts = {name: failure.text if failure is not None else None for name, failure in failures.items()}
    relay = texts["A stranger relays"] or ""
    assert "  C: RCPT TO:<someone@other.example>\n  S: 550 relay not permitted" in relay
    assert TRANSCRIPTS_HEADING not in relay, "the message had the only session already"
    retry = texts["A retry gets a header nobody adds"] or ""
    assert TRANSCRIPTS_HEADING in retry
    sessions = retry.split(TRANSCRIPTS_HEADING, 1)[1]
    assert "C: MAIL FROM:<first@example.net>" in sessions and "C: MAIL FROM:<second@example.net>" in sessions


def test_the_readme_ci_recipes_run_in_a_suite_made_by_init(suite):
    documents = (ROOT / "README.md").read_text() + (ROOT / "docs" / "ci.md").read_text()
    recipes = re.findall(r"```yaml\n(.*?)```", documents, re.S)
    assert len(recipes) == 2, "the GitHub Actions and GitLab CI recipes"
    commands = {line for recipe in recipes for line in re.findall(r"\.venv/bin/(behave .*)", recipe)}
    assert len(commands) == 1, commands
    run = behave(suite, *commands.pop().split()[1:])
    assert run.returncode == 0, run.stdout + run.stderr
    assert "<title>Mail policy report: passed</title>" in (suite / "report.html").read_text()
    assert 'failures="0"' in (suite / "reports" / "TESTS-relaying.xml").read_text()
    assert "2 scenarios passed" in run.stdout


ODD_CASES = """\
Feature: Steps that cannot run
  Background:
    Given a connection from 192.0.2.1

  Scenario: A sentence no step knows
    When I dance

  Scenario: A configuration that is not there
    Given the Exim configuration "/nonexistent/exim4.conf"

  Scenario Outline: Senders <who>
    Then MAIL FROM <<who>@example.net> is accepted
    Examples:
      | who |
      | ann |
      | bob |

  Rule: Routing
    Scenario: A wrong router
      Then mail for <anna@coop.test> is routed by router "aliases"
"""


def test_the_report_says_why_steps_could_not_run(suite):
    (suite / "features" / "odd.feature").write_text(ODD_CASES)
    run = behave(suite, "-f", "html", "-o", "report.html", "features/odd.feature")
    assert run.returncode == 1, run.stdout + run.stderr
    page = (suite / "report.html").read_text()
    assert "No step matches this sentence. (`eximunit-bdd steps` lists every phrase.)" in page
    assert "Exim configuration /nonexistent/exim4.conf does not exist" in page
    assert "Senders ann" in page and "Senders bob" in page
    assert "$ exim4 -bt -- anna@coop.test" in page  # a one-shot check's failure shows Exim's answer
    for verdict in ("undefined", "error", "failed"):
        assert page.count(f'class="error verdict-{verdict}"') == 1, verdict


CONTROL_CHARACTERS = (
    "Feature: odd bytes\n"
    "  Scenario: a command with ESC, BEL and SOH\n"
    "    Given a connection from 192.0.2.1\n"
    '    When I send the command "NOOP \x1b[31mred\x07\x01"\n'
    "    Then it is rejected\n"
)


def test_control_characters_reach_every_report_visibly_and_well_formed(suite):
    (suite / "features" / "odd.feature").write_text(CONTROL_CHARACTERS)
    run = behave(
        suite, "-f", "html", "-o", "report.html", "-f", "plain", "--junit", "--junit-directory", "junit",
        "features/odd.feature",
    )  # fmt: skip
    assert run.returncode == 1, run.stdout + run.stderr
    shown = r"NOOP \x1b[31mred\x07\x01"
    message = run.stdout[run.stdout.index("ASSERT FAILED") :]  # behave echoes the step as written
    assert f"Expected {shown} to be rejected." in message and "\x1b" not in message
    (report,) = (suite / "junit").glob("*.xml")
    ElementTree.parse(report)  # well-formed: it raised before control characters were shown
    cases = [case for suite_ in junitparser.JUnitXml.fromfile(str(report)) for case in suite_]
    (failure,) = cases[0].result
    assert shown in (failure.message or "") and f"C: {shown}" in (failure.message or "")
    page = (suite / "report.html").read_text()
    assert shown in page and "\x1b" not in page and "\x07" not in page


def test_the_starter_feature_refuses_relaying_for_its_reason_where_senders_are_verified(tmp_path):
    # Debian's configuration with sender verification on: the stranger's domain must
    # resolve (the feature declares it), and the 550 must be the relay refusal.
    from .test_acl_decisions import build_debian_split_config

    config = build_debian_split_config(tmp_path, configtype="internet")  # a server on the internet
    run = init(str(tmp_path / "policy"), "--config", str(config))
    assert run.returncode == 0, run.stderr
    suite = tmp_path / "policy"
    verifying = ("-D", "macros=CHECK_RCPT_VERIFY_SENDER")
    passed = behave(suite, *verifying)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "2 scenarios passed, 0 failed" in passed.stdout
    feature = suite / "features" / "relaying.feature"
    feature.write_text(
        "\n".join(line for line in feature.read_text().splitlines() if "DNS record" not in line) + "\n"
    )
    refused = behave(suite, *verifying)  # without the sender's DNS: refused, but for another reason
    assert refused.returncode == 1 and "Sender verification failed" in refused.stdout, refused.stdout


def test_init_names_the_installed_configuration_and_on_debian_how_to_test_a_copy(tmp_path):
    suite = tmp_path / "policy"
    run = init(str(suite))
    assert run.returncode == 0, run.stderr
    assert "(it tests /var/lib/exim4/config.autogenerated,\n  the configuration installed" in run.stdout
    script = run.stdout[run.stdout.index("cp -a /etc/exim4") : run.stdout.index("\nEOF\n") + 5]
    # cp leaves out passwd.client when not run as root, and says so; the rest is copied
    subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=120)
    test_config = suite / "exim4-test.conf"
    assert f"exim_config = {test_config}" in run.stdout
    ini = suite / "behave.ini"
    named = re.sub(r"^# exim_config = .*$", f"exim_config = {test_config}", ini.read_text(), flags=re.M)
    ini.write_text(named)
    passed = behave(suite)  # the copy, its spool in the sandbox, the sender's DNS faked
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "2 scenarios passed, 0 failed" in passed.stdout
