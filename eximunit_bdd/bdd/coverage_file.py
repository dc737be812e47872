"""Writing a run's coverage to `-D coverage=FILE`, merged with the other workers' of
the same behavex run.

behavex runs behave once per feature or scenario, in worker processes it forks
(`--parallel-processes N`; measured with behavex 4.6: a worker runs several behave
runs one after another, each calling `after_all`). Each run writing the file would
leave only the last run's counts. So the file records which run wrote it: a behavex
run is its topmost behavex process (pid and start time), which every worker
descends from; a plain behave run is its own process. A run of the same key adds its
counts to the file's, under an exclusive lock; any other overwrites it, so an old
file never leaks into a new run.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
from pathlib import Path

from .coverage import Coverage

__all__ = ["save_coverage", "run_key"]


def save_coverage(path: Path, coverage: Coverage) -> None:
    """Write `coverage` to `path`, adding it to what the same run's other workers wrote."""
    key = run_key()
    with open(path, "a+", encoding="utf-8") as file:
        fcntl.flock(file, fcntl.LOCK_EX)  # released when the file closes
        file.seek(0)
        before = file.read()
        total = Coverage(coverage.config)
        total.merge(coverage)
        if before.strip():
            try:
                data = json.loads(before)
            except ValueError:
                data = None
            if isinstance(data, dict) and data.get("run") == key:
                total.merge(Coverage.from_json(before))
        written = json.loads(total.to_json())
        written["run"] = key
        file.seek(0)
        file.truncate()
        file.write(json.dumps(written, indent=1, sort_keys=True))


def run_key() -> str:
    """`pid:start` of the process that is the whole run: the topmost of a chain of
    behavex processes (and multiprocessing's helpers between them) when behavex runs
    this one, else this process."""
    pid = os.getpid()
    if "behavex" in sys.modules:
        parent = _parent(pid)
        while parent > 1 and _is_behavex(parent):
            pid, parent = parent, _parent(parent)
    return f"{pid}:{_start_time(pid)}"


def _stat_fields(pid: int) -> list[str]:
    """/proc/PID/stat's fields after the command name (which may hold spaces)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return []


def _parent(pid: int) -> int:
    fields = _stat_fields(pid)
    return int(fields[1]) if len(fields) > 1 else 0


def _start_time(pid: int) -> str:
    fields = _stat_fields(pid)
    return fields[19] if len(fields) > 19 else "?"


def _is_behavex(pid: int) -> bool:
    """Whether process `pid` runs behavex (`behavex ...`, `python -m behavex ...`, the
    console script as its `#!` line runs it: `python /venv/bin/behavex ...`) or is
    one of multiprocessing's helpers (`python -c 'from multiprocessing...'`): by its
    program and first arguments, never by a word further on (`sh -c 'behavex ...'`)."""
    try:
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[:4]
    except OSError:
        return False
    program = [os.path.basename(argument) for argument in arguments[:1]]
    if program and program[0].startswith(b"behavex"):
        return True
    if program and program[0].startswith(b"python"):
        rest = arguments[1:]
        script = os.path.basename(rest[0]) if rest else b""
        return (
            script.startswith(b"behavex")  # the console script, run by its #! line
            or rest[:2] == [b"-m", b"behavex"]
            or any(argument.startswith(b"from multiprocessing") for argument in rest)
        )
    return False
