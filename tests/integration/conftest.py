"""Integration fixtures: the real Exim, private temp dirs, leak detection."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest

from eximunit_bdd import EximSession, find_exim
from eximunit_bdd.network.ports import LOOPBACK

CONFIGS = Path(__file__).resolve().parent.parent / "configs"
MINIMAL = CONFIGS / "minimal.conf"


@pytest.fixture(scope="session", autouse=True)
def real_exim() -> str:
    """These tests need Exim; its absence is a failure, never a silent skip."""
    return find_exim()


def marking_exim(directory: Path, mark: str) -> tuple[Path, Path]:
    """An `exim` (for userdata `exim=`) that appends a line to a marks file, `mark`
    as the shell expands it (`"$@"`: its arguments), then runs the real Exim.
    Returns the wrapper and the marks file."""
    marks = directory / "exim-marks"
    wrapper = directory / "exim"
    wrapper.write_text(f'#!/bin/sh\necho {mark} >> {marks}\nexec {find_exim()} "$@"\n')
    wrapper.chmod(0o755)
    return wrapper, marks


def exim_processes_mentioning(text: str) -> list[int]:
    """PIDs of running processes whose command line contains `text`."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in cmdline and "exim" in cmdline:
                pids.append(int(entry.name))
    return pids


@pytest.fixture
def private_tmp(tmp_path, monkeypatch) -> Iterator[Path]:
    """A temp dir of this test's own for sandboxes; checked to be empty afterwards."""
    directory = tmp_path / "tmp"
    directory.mkdir()
    directory.chmod(0o755)
    monkeypatch.setenv("TMPDIR", str(directory))
    yield directory
    assert list(directory.iterdir()) == [], "a sandbox directory was left behind"
    assert exim_processes_mentioning(str(directory)) == [], "an exim process was left behind"


@pytest.fixture
def session_factory(private_tmp):
    """Start sessions against the minimal test configuration; all closed afterwards."""
    sessions: list[EximSession] = []

    def start(client_ip: str = "192.0.2.1", **kwargs) -> EximSession:
        kwargs.setdefault("config", MINIMAL)
        session = EximSession(client_ip, **kwargs)
        sessions.append(session)
        return session

    yield start
    for session in sessions:
        session.close()


def running_as_root() -> bool:
    return os.geteuid() == 0


@pytest.fixture
def silent_port():
    """A loopback port that accepts connections and never answers, like a stuck peer."""
    with socket.create_server((LOOPBACK, 0)) as listener:
        yield listener.getsockname()[1]


def wait_for_exim(private_tmp: Path, run: subprocess.Popen[str]) -> None:
    """Wait (30 s at most) until `run` has an Exim working in `private_tmp`."""
    deadline = time.monotonic() + 30
    while not exim_processes_mentioning(str(private_tmp)):
        assert time.monotonic() < deadline and run.poll() is None, "Exim never started"
        time.sleep(0.05)
