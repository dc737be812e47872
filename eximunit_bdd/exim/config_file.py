"""Reading a configuration file's lines, once per version of the file."""

from __future__ import annotations

import functools
from pathlib import Path

from ..text import decoded

__all__ = ["config_lines"]


def config_lines(file: str) -> tuple[str, ...]:
    """The lines of a configuration file, () if unreadable. Read once per version of
    the file: a suite quotes the same statements many times, and may edit the file."""
    try:
        modified = Path(file).stat().st_mtime_ns
    except OSError:
        return ()
    return _read_lines(file, modified)


@functools.lru_cache(maxsize=64)
def _read_lines(file: str, modified: int) -> tuple[str, ...]:
    """Split at newlines only, as Exim counts lines (str.splitlines would also split
    at characters such as Latin-1's NEL); each line UTF-8 or, failing that, Latin-1."""
    try:
        lines = decoded(Path(file).read_bytes()).split("\n")
    except OSError:
        return ()
    if lines and lines[-1] == "":
        lines.pop()
    return tuple(line.rstrip("\r") for line in lines)
