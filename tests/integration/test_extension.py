"""A suite that extends eximunit as a user would (tests/extension): a fake peer of its
own (a StreamFake on a free port, its port as QUOTA_PORT, stopped after the
scenario) and steps that reach the scenario's state through scenario_state()."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .test_behave_specs import scenarios

EXTENSION = Path(__file__).resolve().parent.parent / "extension"


def _behave(suite: Path, private_tmp: Path, *args: str) -> tuple[int, str]:
    run = subprocess.run(
        [sys.executable, "-m", "behave", "--no-color", "-f", "plain", *args],
        cwd=suite,
        env=dict(os.environ, TMPDIR=str(private_tmp)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    return run.returncode, run.stdout + run.stderr


def test_a_suites_own_fake_peer_and_steps_work_like_eximunits_own(private_tmp):
    code, output = _behave(EXTENSION, private_tmp, "features/quota.feature")
    assert code == 0, output
    assert "2 scenarios passed, 0 failed" in output, output


def test_its_false_claims_fail_with_the_evidence(private_tmp):
    code, output = _behave(EXTENSION, private_tmp, "features/wrong.feature")
    assert code == 1 and "0 scenarios passed, 2 failed" in output, output
    found = scenarios(output)
    full = found["claims a full mailbox is accepted"]
    assert "Expected RCPT TO:<anna@test.example> to be accepted." in full
    assert "550 anna@test.example is over quota" in full
    asked = found["claims the service was asked about a relayed address"]
    assert "Expected quota to be asked about <someone@other.example>; it was asked []" in asked


def test_its_peer_is_stopped_after_each_scenario(tmp_path, private_tmp):
    suite = tmp_path / "suite"
    shutil.copytree(EXTENSION, suite)
    (suite / "environment.py").write_text("from tests.leakcheck import *  # noqa\n")
    report = suite / "leaks.txt"
    root = str(EXTENSION.parent.parent)
    run = subprocess.run(
        [sys.executable, "-m", "behave", "-f", "null", "-D", f"leak_report={report}", "features/"],
        cwd=suite,
        env=dict(os.environ, TMPDIR=str(private_tmp), PYTHONPATH=root),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stdout + run.stderr  # wrong.feature fails, as it must
    lines = report.read_text().splitlines()
    assert [line for line in lines if line.startswith("clean before")] and not [
        line for line in lines if line.startswith("LEAK")
    ], lines


def test_docs_extending_shows_the_suite_as_it_is():
    doc = (EXTENSION.parent.parent / "docs" / "extending.md").read_text()
    steps = (EXTENSION / "steps" / "quota.py").read_text()
    assert f"```python\n{steps.rstrip()}\n```" in doc
    assert f"```gherkin\n{(EXTENSION / 'features' / 'quota.feature').read_text().rstrip()}\n```" in doc
    config = (EXTENSION / "quota.conf").read_text()
    assert config[config.index("acl_rcpt:") :].rstrip() in doc
