"""The `LOG:` lines Exim writes to stderr in its test modes: what it would have logged."""

from __future__ import annotations

from typing import Iterable

__all__ = ["log_lines"]

_LOG_PREFIX = "LOG: "
#: Noise Exim logs for every unprivileged run with -C; nothing a policy decides.
_LOG_NOISE = ("exim user lost privilege for using -C option",)


def log_lines(trace: Iterable[str]) -> list[str]:
    """The `LOG:` lines, continuation lines joined, prefix and known noise removed."""
    result: list[str] = []
    in_log = False
    for line in trace:
        if line.startswith(_LOG_PREFIX):
            result.append(line[len(_LOG_PREFIX) :])
            in_log = True
        elif in_log and line.startswith("  "):
            result[-1] += " " + line.strip()
        else:
            in_log = False
    return [line for line in result if line not in _LOG_NOISE]
