"""The README's tutorial works as written (its glue, behave.ini and features), and so
do the Python examples of docs/api.md."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from ..conftest import EXAMPLE_CONFIG, ROOT


def _readme() -> str:
    return (ROOT / "README.md").read_text()


def _blocks(language: str, document: str = "README.md") -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", (ROOT / document).read_text(), re.S)


def _write_glue(suite):
    """The tutorial's two glue files."""
    (suite / "environment.py").write_text("from eximunit_bdd.environment import *\n")
    (suite / "steps").mkdir()
    (suite / "steps" / "eximunit.py").write_text("from eximunit_bdd.steps import *\n")


def test_the_tutorial_suite_runs_and_passes(tmp_path):
    ini = next(block for block in _blocks("ini") if "[behave.userdata]" in block)
    feature = next(block for block in _blocks("gherkin") if "Feature: Nobody outside" in block)
    ini = ini.replace("/home/me/mailpolicy/exim4-test.conf", str(EXAMPLE_CONFIG))
    (tmp_path / "behave.ini").write_text(ini)
    _write_glue(tmp_path)
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "relaying.feature").write_text(feature)
    run = subprocess.run([sys.executable, "-m", "behave"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 scenarios passed, 0 failed" in run.stdout


def _run_against_the_example(tmp_path, feature: str) -> str:
    """Run one README feature in a fresh suite (the two glue lines) against the example."""
    _write_glue(tmp_path)
    (tmp_path / "examples").symlink_to(ROOT / "examples")  # the filter files it names
    (tmp_path / "readme.feature").write_text(feature)
    run = subprocess.run(
        [sys.executable, "-m", "behave", "-D", f"exim_config={EXAMPLE_CONFIG}", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


@pytest.mark.parametrize(
    "marker, scenarios",
    [
        ("Given a fake SMTP server", 2),
        ("Feature: Where the co-op's mail goes", 6),
        ("Feature: The garden co-op's DNS checks", 3),
        ("Feature: Which rule of the configuration decided\n", 1),
        ("Feature: Members log in to send their mail", 4),
        ("Feature: What the filters do with a message", 2),
        ("Feature: Addresses the world sees", 1),
        ("Feature: What only a running server shows", 2),
    ],
)
def test_each_tutorial_feature_runs_against_the_example(tmp_path, marker, scenarios):
    feature = next(block for block in _blocks("gherkin") if marker in block)
    output = _run_against_the_example(tmp_path, feature)
    assert re.search(rf"^{scenarios} scenarios? passed, 0 failed", output, re.M), output


@pytest.mark.parametrize(
    "first_line",
    [
        r"\.ifdef HUB_PORT",
        r"  deny    domains = \+dns_checking_domains",
        r"\.ifdef DOVECOT_PORT",
        r"\.ifdef EXIMUNIT_LIVE",
    ],
)
def test_the_configuration_shown_is_the_example_s(first_line):
    block = re.search(rf"^```\n({first_line}\n.*?)^```", _readme(), re.S | re.M)
    assert block, f"the README shows no configuration starting {first_line}"
    example = EXAMPLE_CONFIG.read_text()
    for line in block[1].splitlines():
        assert line in example, line


@pytest.mark.parametrize(
    "marker, printed",
    [
        (
            "EximConfig(",
            ["routed anna@coop.test ('postmaster@coop.test', 'board@coop.test')", "True 20M", "4."],
        ),
        ("DnsNetwork()", ["('2.2.0.192.bl.coop.test', 'A')"]),
        ("ScriptedChannel(script)", ["421 False", r"['EHLO client.example\r\n', 'MAIL FROM:<a@ex"]),
    ],
)
def test_the_python_api_examples_run(marker, printed):
    code = next(block for block in _blocks("python", "docs/api.md") if marker in block)
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    for text in printed:
        assert text in run.stdout, run.stdout
