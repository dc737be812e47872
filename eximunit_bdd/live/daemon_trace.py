"""A live daemon's stderr (`exim -bdf -d-all+acl`), read as it comes and told apart by
connection, in the shape of `-bh`'s trace so that the same parsers read it.

Every line after start-up begins with the pid of the process that wrote it:

        2 Connection request from 192.0.2.1 port 46629
        2 daemon forked for daemon-accept: 4
        4 using ACL "acl_rcpt"
        4   message: relay not permitted
        4 LOG: MAIN REJECT
        4   H=(x.test) [192.0.2.1] F=<a@b.test> rejected RCPT <x@other.test>: relay not permitted

The daemon's pair of lines maps a client's address and port to the pid serving it.
A line of that pid becomes `>>> using ACL ...` (as `-bh` writes it); a logged line,
which the daemon writes as `LOG: MAIN REJECT` and the text indented below, becomes
`LOG: H=(x.test) ...`, as in `-bh`. Exim writes a command's trace before its
reply, so once a reply has arrived, what is in the pipe is all of its trace: `take`
reads the pipe to its end first (a thread keeps it from filling up meanwhile).
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import termios
import threading
import time
from array import array
from typing import IO

__all__ = ["DaemonTrace"]

_PID_LINE = re.compile(r"^\s*(\d+) (.*)$")
_REQUEST = re.compile(r"^Connection request from (\S+) port (\d+)$")
_FORKED = re.compile(r"^daemon forked for daemon-accept: (\d+)$")
#: Which logs a logged line goes to (`LOG: smtp_connection MAIN`), its text below.
_LOG_HEADER = re.compile(r"^LOG:(?: [a-z_]+)*(?: (?:MAIN|PANIC|REJECT))+$")
_READ_SIZE = 65536


class DaemonTrace:
    """The daemon's stderr, split by the process that wrote each line."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._fd = stream.fileno()
        self._stream = stream
        os.set_blocking(self._fd, False)
        self._lock = threading.Lock()
        self._pending = b""
        self._ended = False
        #: Lines without a pid: what Exim said before the daemon started (errors).
        self.startup: list[str] = []
        self._lines: dict[int, list[str]] = {}
        #: Per pid: "header" after `LOG: MAIN`, whose next line is the logged text.
        self._in_log: dict[int, str] = {}
        self._requests: dict[int, tuple[str, int]] = {}
        self._serving: dict[tuple[str, int], int | None] = {}
        self._thread = threading.Thread(target=self._follow, name="eximunit live daemon trace", daemon=True)
        self._thread.start()

    def pid_serving(self, client_ip: str, client_port: int, timeout: float) -> int | None:
        """The pid of the process serving that client, once (None if the daemon refused
        the connection itself, or named no process for it within `timeout`)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                self._read_all()
                if (client_ip, client_port) in self._serving:
                    return self._serving.pop((client_ip, client_port))
            if self._ended or time.monotonic() >= deadline:
                return None
            time.sleep(0.002)

    def take(self, pid: int | None) -> tuple[str, ...]:
        """The trace lines process `pid` wrote since the last `take`, `-bh`-shaped."""
        with self._lock:
            self._read_all()
            return tuple(self._lines.pop(pid, [])) if pid is not None else ()

    def lines_of(self, pid: int) -> list[str]:
        """What `pid` wrote and nobody took yet, without taking it."""
        with self._lock:
            self._read_all()
            return list(self._lines.get(pid, []))

    def find(self, text: str) -> str | None:
        """The first line anything wrote so far that contains `text`, if any."""
        return next((line for line in self.everything() if text in line), None)

    def everything(self) -> list[str]:
        """Every line so far: before the daemon started, then each process's."""
        with self._lock:
            self._read_all()
            return [*self.startup, *(line for lines in self._lines.values() for line in lines)]

    @property
    def ended(self) -> bool:
        return self._ended

    def close(self, timeout: float) -> None:
        """Stop following (after the daemon is gone: its stderr has ended)."""
        self._thread.join(timeout)
        with self._lock:
            self._ended = True  # the thread reads this descriptor no more
            self._stream.close()

    def _follow(self) -> None:
        while not self._ended:
            try:
                select.select([self._fd], [], [], 0.1)
            except (OSError, ValueError):
                return
            with self._lock:
                self._read_all()

    def _read_all(self) -> None:
        """Read what the pipe holds now, to its end (called with the lock held)."""
        while not self._ended:
            try:
                chunk = os.read(self._fd, _READ_SIZE)
            except BlockingIOError:
                if _waiting(self._fd) == 0:
                    return
                continue
            except OSError:
                chunk = b""
            if not chunk:
                self._ended = True
                chunk = b"\n" if self._pending else b""
            *lines, self._pending = (self._pending + chunk).split(b"\n")
            for line in lines:
                self._add(line.decode("utf-8", "replace"))

    def _add(self, line: str) -> None:
        match = _PID_LINE.match(line)
        if match is None:
            self.startup.append(line)
            return
        pid, text = int(match[1]), match[2]
        if request := _REQUEST.match(text):
            self._requests[pid] = (request[1], int(request[2]))
        elif (forked := _FORKED.match(text)) and pid in self._requests:
            self._serving[self._requests.pop(pid)] = int(forked[1])
        elif text == "Listening..." and pid in self._requests:
            self._serving[self._requests.pop(pid)] = None  # refused without a process (a limit)
        state = self._in_log.get(pid, "")
        if _LOG_HEADER.match(text):
            self._in_log[pid] = "header"
            return
        if state == "header" and text.startswith("  "):
            shaped = f"LOG: {text.strip()}"  # the logged line, below its header
            self._in_log[pid] = ""
        else:
            self._in_log[pid] = ""
            shaped = f">>> {text}"
        self._lines.setdefault(pid, []).append(shaped)


def _waiting(fd: int) -> int:
    """Bytes readable from the pipe now (FIONREAD)."""
    count = array("i", [0])
    fcntl.ioctl(fd, termios.FIONREAD, count)
    return count[0]
