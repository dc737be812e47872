"""`eximunit-bdd replay` on logs recorded from a real Exim (tests/recorded/replay/, made
by its record.py): a configuration change with known effects lists exactly those
decisions, an unchanged one none; the written features pass; bad input is refused."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import EXAMPLE_CONFIG, ROOT

RECORDED = ROOT / "tests" / "recorded" / "replay"
LOGS = [str(RECORDED / "default.mainlog"), str(RECORDED / "default.rejectlog")]


_MAIN = "import sys; from eximunit_bdd.cli import main; sys.exit(main())"


def _replay(*arguments: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _MAIN, "replay", *arguments],
        cwd=ROOT, capture_output=True, text=True, input=stdin, timeout=300,
    )  # fmt: skip


def _changed(tmp_path: Path, change: str) -> Path:
    """A copy of the co-op example with one change whose effects the test knows."""
    copy = tmp_path / change
    shutil.copytree(EXAMPLE_CONFIG.parent, copy)
    config = copy / "exim4.conf"
    text = config.read_text()
    if change == "relay host removed":
        text = text.replace(
            "hostlist office_hosts = 127.0.0.1 : 198.51.100.0/24", "hostlist office_hosts = 127.0.0.1"
        )
    elif change == "stricter HELO":
        text = text.replace(
            "acl_check_helo:\n  accept  hosts = +office_hosts\n",
            "acl_check_helo:\n  accept  hosts = +office_hosts\n"
            "  deny    condition = ${if match{$sender_helo_name}{\\N\\.example\\.org$\\N}}\n"
            "          message = HELO names in example.org are not trusted here\n",
        )
    elif change == "alias renamed":
        aliases = copy / "aliases"
        aliases.write_text(aliases.read_text().replace("board@coop.test:", "council@coop.test:"))
    elif change == "host blocked":
        with open(copy / "blocked_hosts", "a") as blocked:
            blocked.write("192.0.2.15\n")
    config.write_text(text)
    return config


def _changed_decisions(output: str) -> set[str]:
    """`CLIENT <SENDER> -> <RECIPIENT>` of each difference listed."""
    found = re.findall(
        r"^\S+ \S+  (\S+)(?: port \d+)? \(HELO [^)]*\) (<[^>]*>(?: -> <[^>]*>)?)", output, re.M
    )
    return {f"{client} {who}" for client, who in found}


BUSY = {
    "192.0.2.15 <news3@example.org>",
    "192.0.2.15 <news4@example.org>",
    "192.0.2.15 <news0@example.org> -> <anna@coop.test>",
    "192.0.2.15 <news1@example.org> -> <anna@coop.test>",
    "192.0.2.15 <news2@example.org> -> <anna@coop.test>",
}


@pytest.mark.parametrize(
    "change, expected",
    [
        ("relay host removed", {"198.51.100.7 <bob@coop.test> -> <friend@elsewhere.example>"}),
        ("alias renamed", {"192.0.2.10 <alice@example.org> -> <board@coop.test>"}),
        ("host blocked", BUSY),
        (
            "stricter HELO",
            BUSY
            | {
                "192.0.2.10 <alice@example.org> -> <erik@choir.test>",
                "192.0.2.10 <alice@example.org> -> <board@coop.test>",
            },
        ),
    ],
)
def test_a_change_lists_exactly_the_decisions_it_changes(tmp_path, change, expected):
    run = _replay("--config", str(_changed(tmp_path, change)), "--against", str(EXAMPLE_CONFIG), *LOGS)
    assert run.returncode == 1, run.stdout + run.stderr
    assert _changed_decisions(run.stdout) == expected, run.stdout
    # Each difference names the statement that decided, before and after.
    befores = re.findall(r"^  before: .*\[(.+:\d+ \w+)\]$", run.stdout, re.M)
    afters = re.findall(r"^  after: .*\[(.+:\d+ \w+)\]$", run.stdout, re.M)
    assert len(befores) == len(afters) == len(expected), run.stdout


def test_an_unchanged_configuration_changes_nothing(tmp_path):
    report = tmp_path / "replay.html"
    run = _replay(
        "--config", str(EXAMPLE_CONFIG), "--against", str(EXAMPLE_CONFIG), "--report", str(report), *LOGS
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Decisions that would change: 0." in run.stdout
    assert "Not replayed: 2 decided after DATA" in run.stdout and "made over TLS" in run.stdout
    assert "NO DECISION WOULD CHANGE" in report.read_text()


def test_the_written_features_pass_against_the_kept_configuration(tmp_path):
    new = _changed(tmp_path, "stricter HELO")
    suite = tmp_path / "suite"
    report = tmp_path / "replay.html"
    run = _replay(
        "--config", str(new), "--against", str(EXAMPLE_CONFIG), "--features", str(suite), "--all",
        "--report", str(report), *LOGS,
    )  # fmt: skip
    assert run.returncode == 1 and "Wrote 26 scenarios" in run.stdout, run.stdout + run.stderr
    assert "7 DECISIONS WOULD CHANGE" in report.read_text()
    behave = subprocess.run(
        [sys.executable, "-m", "behave", "--no-color", "-f", "progress", str(suite)],
        capture_output=True, text=True, timeout=300, cwd=suite,
    )  # fmt: skip
    assert behave.returncode == 0 and "26 scenarios passed, 0 failed" in behave.stdout, behave.stdout
    kept_old = tmp_path / "old-suite"
    run = _replay(
        "--config",
        str(new),
        "--against",
        str(EXAMPLE_CONFIG),
        "--features",
        str(kept_old),
        "--keep",
        "old",
        *LOGS,
    )
    command = [sys.executable, "-m", "behave", "--no-color", "-f", "progress", "-D", f"exim_config={new}"]
    behave = subprocess.run(
        command + [str(kept_old)], capture_output=True, text=True, timeout=300, cwd=kept_old
    )
    assert "7 scenarios passed" in behave.stdout, behave.stdout


def test_gzipped_damaged_and_standard_input_logs_are_read(tmp_path):
    gz = _replay(
        "--config",
        str(EXAMPLE_CONFIG),
        "--against",
        str(EXAMPLE_CONFIG),
        str(RECORDED / "default.mainlog.gz"),
    )
    assert gz.returncode == 0 and "Read 2" in gz.stdout, gz.stdout + gz.stderr
    damaged = _replay(
        "--config", str(EXAMPLE_CONFIG), "--against", str(EXAMPLE_CONFIG), str(RECORDED / "damaged.mainlog")
    )
    assert damaged.returncode == 0 and "Traceback" not in damaged.stderr, damaged.stdout + damaged.stderr
    piped = _replay(
        "--config", str(EXAMPLE_CONFIG), "--against", str(EXAMPLE_CONFIG), "-",
        stdin=(RECORDED / "default.mainlog").read_text(),
    )  # fmt: skip
    assert piped.returncode == 0 and "Decisions that would change: 0." in piped.stdout
    renamed = tmp_path / "mainlog.2"  # rotated and gzipped, without the .gz
    shutil.copyfile(RECORDED / "default.mainlog.gz", renamed)
    sniffed = _replay("--config", str(EXAMPLE_CONFIG), "--against", str(EXAMPLE_CONFIG), str(renamed))
    assert sniffed.returncode == 0 and sniffed.stdout.split("\n")[0] == gz.stdout.split("\n")[0], (
        sniffed.stdout
    )


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--config", str(EXAMPLE_CONFIG), "no-such.log"], "no-such.log"),
        (["--config", "no-such.conf", LOGS[0]], "no-such.conf"),
        (["--config", str(EXAMPLE_CONFIG), "--all", LOGS[0]], "--all is for --features DIR"),
        (["--config", str(EXAMPLE_CONFIG), "--keep", "old", LOGS[0]], "--keep old needs --against OLD"),
        (["--config", str(EXAMPLE_CONFIG), "--network", "moon", LOGS[0]], "invalid choice: 'moon'"),
        (["--config", str(EXAMPLE_CONFIG), "-j", "0", LOGS[0]], "'0' is not a number of sessions"),
        (
            ["--config", str(EXAMPLE_CONFIG), "--report", "/no/such/dir/r.html", LOGS[0]],
            "its directory does not exist",
        ),
        (["--config", str(ROOT / "tests" / "configs" / "broken.conf"), LOGS[0]], "message_size_limt"),
    ],
)
def test_a_usage_error_exits_2_saying_what_to_write(arguments, message):
    run = _replay(*arguments)
    assert run.returncode == 2, run.stdout + run.stderr
    assert message in run.stderr and "Traceback" not in run.stderr
