"""Starting Exim so that no Ctrl-C can orphan it.

`subprocess.Popen` forks, then waits for the child's exec to succeed. A Ctrl-C (or the
SIGTERM that eximunit's hooks turn into one) arriving in that wait raises out of
`Popen()` with the child already running and no `Popen` to kill it with: an Exim that
outlives the test run. `start_process` holds both signals back while the `Popen` is
made; if one came, the new process is killed and reaped before the signal is passed on.
"""

from __future__ import annotations

import signal
import subprocess
import threading
from types import FrameType
from typing import IO, Sequence, Union

__all__ = ["start_process"]

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
        process.kill()
        process.wait()
        for signum in dict.fromkeys(held):
            signal.raise_signal(signum)  # now its own handler runs (KeyboardInterrupt, ...)
    return process
