"""behavex (`--parallel-processes N`) runs behave many times in each of its workers:
every worker's coverage is added up, the private network of a worker's first run
serves its later runs (issue 19, item 7), and a failing scenario's session is in
behavex's own report (issue 20, item 3: the README's recipe)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..conftest import ROOT

BIN = Path(sys.executable).parent
#: A DNS feature (the private network's fake DNS) and plain ones, against the co-op
#: example. (Not the live one: as root its daemon runs as Exim's user, who cannot read
#: the co-op's files under pytest's private temporary directory.)
FEATURES = ["dns.feature", "helo.feature", "relaying.feature"]


def _suite(tmp_path: Path, features: list[str] = FEATURES) -> Path:
    suite = tmp_path / "suite"
    (suite / "features").mkdir(parents=True)
    for name in features:
        shutil.copy(ROOT / "features" / name, suite / "features" / name)
    shutil.copytree(ROOT / "steps", suite / "steps")
    shutil.copy(ROOT / "environment.py", suite / "environment.py")
    shutil.copytree(ROOT / "examples", suite / "examples")
    (suite / "behave.ini").write_text(
        "[behave]\npaths = features\n[behave.userdata]\nexim_config = examples/coop/exim4.conf\n"
    )
    return suite


def _coverage(suite: Path, *runner: str) -> tuple[subprocess.CompletedProcess[str], dict[str, object]]:
    output = suite / f"coverage-{Path(runner[0]).name}.txt"
    run = subprocess.run(
        [str(BIN / "eximunit-bdd"), "coverage", "--output", str(output), "--", *runner],
        cwd=suite, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    summary = re.search(r"over (\d+) scenarios: (\d+) of (\d+) statements", run.stdout + run.stderr)
    assert summary, run.stdout + run.stderr
    return run, {"scenarios": int(summary[1]), "reached": int(summary[2]), "report": output.read_text()}


def test_behavex_workers_add_up_to_what_behave_counts(tmp_path):
    suite = _suite(tmp_path)
    plain, counted = _coverage(suite, str(BIN / "behave"), "-f", "null", "features")
    assert plain.returncode == 0, plain.stdout + plain.stderr
    # behavex's output folder holds its TEMP, where multiprocessing makes a Unix socket:
    # a short path, since pytest's are too long for one (108 bytes) for a long user name.
    out = Path(tempfile.mkdtemp(prefix="bx-"))
    try:
        parallel, merged = _coverage(
            suite, str(BIN / "behavex"), "features", "--parallel-processes", "3", "-o", str(out)
        )
    finally:
        shutil.rmtree(out, ignore_errors=True)
    said = parallel.stdout + parallel.stderr
    assert parallel.returncode == 0, said
    assert re.search(r"\d+ scenarios passed, 0 failed, 0 skipped", said), said
    assert "cannot make a private network" not in said, said  # a worker's later runs use its first's
    assert merged == counted, (merged, counted)  # per statement too: the same report
    assert int(str(merged["scenarios"])) > 20


FALSE_CLAIM = """Feature: A false claim
  Scenario: A stranger relays (false: the co-op refuses)
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <bob@other.example> is accepted
"""


def test_a_failing_scenario_s_session_is_in_behavex_s_report(tmp_path):
    suite = _suite(tmp_path, ["relaying.feature"])
    (suite / "features" / "false_claim.feature").write_text(FALSE_CLAIM)
    out = Path(tempfile.mkdtemp(prefix="bx-"))  # a short path, as above
    try:
        command = [str(BIN / "behavex"), "features", "--parallel-processes", "2",
                   "--parallel-scheme", "feature", "-o", str(out)]  # fmt: skip
        run = subprocess.run(command, cwd=suite, capture_output=True, text=True, timeout=600)
        report = json.loads((out / "report.json").read_text())
        html = (out / "report.html").read_text()
    finally:
        shutil.rmtree(out, ignore_errors=True)
    assert run.returncode != 0, run.stdout + run.stderr
    scenarios = [scenario for feature in report["features"] for scenario in feature["scenarios"]]
    failed = [scenario for scenario in scenarios if scenario["status"] == "failed"]
    assert [scenario["name"] for scenario in failed] == ["A stranger relays (false: the co-op refuses)"]
    assert len(scenarios) > 1 and all(s["status"] == "passed" for s in scenarios if s not in failed)
    message = "\n".join(failed[0]["error_msg"])
    assert "Expected RCPT TO:<bob@other.example> to be accepted." in message
    assert 'Decided by the "deny" statement of ACL "acl_check_rcpt"' in message
    assert "C: RCPT TO:<bob@other.example>\n" in message and "S: 550 relay not permitted" in message
    assert "C: RCPT TO:&lt;bob@other.example&gt;<br>" in html  # behavex's HTML page shows it too
