"""Reading a configuration file's lines, once per version of the file."""

from __future__ import annotations

import functools
from pathlib import Path

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
    try:
        return tuple(Path(file).read_text(errors="replace").splitlines())
    except OSError:
        return ()
