"""Starting Exim so that no Ctrl-C can orphan it, and stopping it with all it started.

`subprocess.Popen` forks, then waits for the child's exec to succeed. A Ctrl-C (or the
SIGTERM that eximunit's hooks turn into one) arriving in that wait raises out of
`Popen()` with the child already running and no `Popen` to kill it with: an Exim that
outlives the test run. `start_process` holds both signals back while the `Popen` is
made; if one came, the new process is killed and reaped before the signal is passed on.

Exim starts programs of its own (`${run{...}}`, a pipe): killed alone on a timeout, it
would leave them running, reparented to init. They lead sessions of their own (Exim
makes them), so no process group holds them: `kill_tree` kills the process and every
process descended from it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from types import FrameType
from typing import IO, Sequence, Union

__all__ = ["start_process", "kill_tree", "descendants"]

_HELD = (signal.SIGINT, signal.SIGTERM)
Stream = Union[int, IO[bytes], None]


def start_process(
    argv: Sequence[str], *, stdin: Stream, stdout: Stream, stderr: Stream
) -> subprocess.Popen[bytes]:
    """`subprocess.Popen(argv, ...)`, safe from SIGINT and SIGTERM while it starts."""
    if threading.current_thread() is not threading.main_thread():
        return subprocess.Popen(argv, stdin=stdin, stdout=stdout, stderr=stderr)  # signals go to main
    held: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        held.append(signum)

    previous = {}
    try:
        for number in _HELD:
            handler = signal.getsignal(number)
            if handler not in (None, signal.SIG_IGN):  # None: not set from Python; leave it
                previous[number] = handler
                signal.signal(number, hold)
        process = subprocess.Popen(argv, stdin=stdin, stdout=stdout, stderr=stderr)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if held:
        # Asked to stop while it started: it must not outlive the interruption.
        kill_tree(process)
        process.wait()
        for signum in dict.fromkeys(held):
            signal.raise_signal(signum)  # now its own handler runs (KeyboardInterrupt, ...)
    return process


def kill_tree(process: subprocess.Popen[bytes]) -> None:
    """Kill the process and every process descended from it, unless it has been
    reaped already (its pid, and so its descendants', may then be someone else's)."""
    if process.returncode is not None:
        return
    for pid in [*descendants(process.pid), process.pid]:  # found while they still hang off it
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def descendants(pid: int) -> list[int]:
    """The processes descended from `pid`, by their parents in /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as stat:
                    parent = int(stat.read().rsplit(b")", 1)[1].split()[1])  # after the name
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found: list[int] = []
    pending = [pid]
    while pending:
        for child in children.get(pending.pop(), ()):
            found.append(child)
            pending.append(child)
    return found
