"""start_process: a Ctrl-C or SIGTERM that comes while Exim is being started never
leaves it running (without the hold, Popen would raise with the child running and no
Popen to kill it with)."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from eximunit_bdd.exim.process import kill_tree, start_process


def _interrupted_while_starting(monkeypatch, signum: int) -> list[subprocess.Popen[bytes]]:
    """Make Popen receive `signum` after the child started, before it returns."""
    started: list[subprocess.Popen[bytes]] = []
    real_popen = subprocess.Popen

    def popen(*args, **kwargs):
        child = real_popen(*args, **kwargs)
        started.append(child)
        os.kill(os.getpid(), signum)  # as a Ctrl-C during Popen's wait for the exec
        return child

    monkeypatch.setattr(subprocess, "Popen", popen)  # the module start_process calls
    return started


def test_a_ctrl_c_while_exim_starts_kills_it_and_is_passed_on(monkeypatch):
    started = _interrupted_while_starting(monkeypatch, signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        start_process(["sleep", "30"], stdin=subprocess.DEVNULL, stdout=None, stderr=None)
    (child,) = started
    assert child.returncode == -signal.SIGKILL  # killed and reaped
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handlers restored


def test_a_sigterm_turned_into_an_interrupt_is_passed_on_too(monkeypatch):
    def stop(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        started = _interrupted_while_starting(monkeypatch, signal.SIGTERM)
        with pytest.raises(KeyboardInterrupt, match="signal 15"):
            start_process(["sleep", "30"], stdin=subprocess.DEVNULL, stdout=None, stderr=None)
        assert started[0].returncode == -signal.SIGKILL
        assert signal.getsignal(signal.SIGTERM) is stop
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_without_a_signal_the_process_runs_as_started():
    process = start_process(["true"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=None)
    assert process.wait(10) == 0
    assert process.stdout is not None
    process.stdout.close()


def _running(marker: str) -> bool:
    return any(marker in path.read_text(errors="replace") for path in _cmdlines())


def _cmdlines():
    from pathlib import Path

    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (entry / "cmdline").exists():
            yield entry / "cmdline"


def test_kill_tree_ends_what_the_process_started_too():
    command = ["sh", "-c", "setsid sleep 311 & wait"]  # as Exim's ${run} children: setsid
    process = start_process(command, stdin=subprocess.DEVNULL, stdout=None, stderr=None)
    deadline = time.monotonic() + 10
    while not _running("311") and time.monotonic() < deadline:
        time.sleep(0.01)
    kill_tree(process)
    process.wait()
    while _running("311") and time.monotonic() < deadline:
        time.sleep(0.01)  # the killed child is gone once init reaps it
    assert not _running("311")
