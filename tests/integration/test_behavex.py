"""behavex (`--parallel-processes N`) runs behave many times in each of its workers:
every worker's coverage is added up, and the private network of a worker's first run
serves its later runs (issue 19, item 7)."""

from __future__ import annotations

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


def _suite(tmp_path: Path) -> Path:
    suite = tmp_path / "suite"
    (suite / "features").mkdir(parents=True)
    for name in FEATURES:
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
