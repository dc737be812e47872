"""No Exim process or sandbox outlives its session, a failure, or an interrupt."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from eximunit_bdd import EximConfig, EximSession, EximUnitError, ReplyTimeoutError, UnexpectedReplyError
from eximunit_bdd.smtp.bh_channel import BhChannel

from ..conftest import EXAMPLE_CONFIG, ROOT
from .conftest import MINIMAL, exim_processes_mentioning, wait_for_exim

SPECS = Path(__file__).resolve().parent.parent / "specs"


def test_closed_session_leaves_nothing(private_tmp):
    session = EximSession("192.0.2.1", config=MINIMAL)
    assert isinstance(session.channel, BhChannel) and session.channel.process is not None
    assert exim_processes_mentioning(str(private_tmp)) == [session.channel.process.pid]
    session.close()
    session.close()  # idempotent
    assert session.channel.process.returncode is not None


def test_a_failed_assertion_inside_with_still_cleans_up(private_tmp):
    with pytest.raises(UnexpectedReplyError):
        with EximSession("192.0.2.1", config=MINIMAL) as session:
            session.mail_from("a@example.net").assert_rcpt_to_rejected("b@test.example")


def test_an_exception_inside_with_still_cleans_up(private_tmp):
    with pytest.raises(KeyboardInterrupt):
        with EximSession("192.0.2.1", config=MINIMAL):
            raise KeyboardInterrupt


def test_a_session_that_fails_to_start_cleans_up(private_tmp, tmp_path):
    config = tmp_path / "broken.conf"
    config.write_text("this is not exim\n")
    config.chmod(0o644)
    with pytest.raises(EximUnitError):
        EximSession("192.0.2.1", config=config)


def _behave(private_tmp: Path, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, TMPDIR=str(private_tmp))
    return subprocess.Popen(
        [sys.executable, "-m", "behave", "--no-capture", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.parametrize(
    "feature, status",
    [
        (ROOT / "features" / "messages.feature", 0),
        (SPECS / "wrong_claims.feature", 1),
        (ROOT / "features" / "dns.feature", 0),  # the fake DNS's helper and network too
        (SPECS / "wrong_dns_claims.feature", 1),
    ],
)
def test_behave_runs_passing_or_failing_leave_nothing(private_tmp, feature, status):
    run = _behave(private_tmp, str(feature))
    output, _ = run.communicate(timeout=120)
    assert run.returncode == status, output
    assert "scenarios passed" in output


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize(
    "config, feature", [(MINIMAL, "slow.feature"), (EXAMPLE_CONFIG, "slow_dns.feature")]
)
def test_behave_interrupted_mid_scenario_leaves_nothing(private_tmp, signum, config, feature):
    run = _behave(private_tmp, "-D", f"exim_config={config}", str(SPECS / feature))
    wait_for_exim(private_tmp, run)
    time.sleep(0.5)  # in the waiting step now
    run.send_signal(signum)  # to behave only: Exim itself must be stopped by eximunit
    output, _ = run.communicate(timeout=30)
    assert run.returncode != 0
    assert "KeyboardInterrupt" in output or "ABORTED" in output, output


def test_a_session_dropped_without_close_still_removes_its_sandbox_and_exim(private_tmp):
    session = EximSession("192.0.2.1", config=MINIMAL)
    session.mail_from("a@example.net")
    assert isinstance(session.channel, BhChannel) and session.channel.process is not None
    sandbox, pid = session.channel.sandbox.path, session.channel.process.pid
    assert sandbox.exists() and exim_processes_mentioning(str(private_tmp)) == [pid]
    del session
    gc.collect()  # nothing else refers to it: its finalizer runs
    assert not sandbox.exists()
    assert exim_processes_mentioning(str(private_tmp)) == []


def _sleeping(seconds: int) -> list[int]:
    """PIDs of `sleep SECONDS` processes (Exim's ${run} children)."""
    found = []
    command = f"/bin/sleep\0{seconds}\0".encode()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "cmdline").read_bytes() == command:
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _gone(seconds: int) -> bool:
    deadline = time.monotonic() + 5  # a killed child is gone once init has reaped it
    while _sleeping(seconds) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not _sleeping(seconds)


def test_what_exim_started_does_not_outlive_a_timeout(private_tmp):
    session = EximSession("192.0.2.1", config=MINIMAL, macros={"RUN_SLEEP": "317"}, timeout=1)
    session.mail_from("a@example.net")
    with pytest.raises(ReplyTimeoutError):
        session.send_rcpt_to("b@test.example")  # the ACL runs /bin/sleep 317
    assert _gone(317)
    with pytest.raises(ReplyTimeoutError):
        EximConfig(MINIMAL, timeout=1).expand("${run{/bin/sleep 318}}")
    assert _gone(318)
