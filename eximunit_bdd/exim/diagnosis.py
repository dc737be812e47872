"""Turning Exim's last words, when it exits unexpectedly, into an error that says what to do."""

from __future__ import annotations

import re
import shlex

from ..errors import ConfigPermissionError, EximConfigError, EximCrashedError, EximUnitError
from ..trace.log import log_lines
from .config_file import config_lines

__all__ = ["startup_error", "crash_error"]

_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? (?:\[\d+\] )?")
_CONFIG_ERROR = re.compile(r"configuration error in line (\d+) of (.+?):\s*(.*)$")


def startup_error(
    stderr_lines: list[str], argv: list[str], before: str = "it greeted the client"
) -> EximUnitError:
    """The error for an Exim that exited before its greeting (or, for the one-shot
    modes, `before` it printed anything)."""
    logs, said = _what_exim_said(stderr_lines)
    for line in logs:
        if "has the wrong owner, group, or mode" in line:
            path = line.split("configuration file ", 1)[-1].split(" has the wrong", 1)[0]
            return ConfigPermissionError(
                f"Exim refused the configuration file {path} because of its owner or mode.\n"
                "Run as root, Exim only accepts a configuration owned by root and not "
                "writable by others. Fix it with:\n"
                f"  chown root {path} && chmod go-w {path}\n"
                "or run the tests as an unprivileged user.\nExim said:\n" + said,
                line,
            )
        match = _CONFIG_ERROR.search(line)
        if match:
            number, path, detail = int(match.group(1)), match.group(2), match.group(3)
            return EximConfigError(
                f"Exim rejected its configuration: {detail or line}\n"
                f"  at line {number} of {path}:\n"
                f"  {number:>5} | {_line_of(path, number)}\n"
                f"Fix the configuration ({_check_command(argv)} shows the same error).",
                line,
            )
        if "non-existent configuration file" in line:
            return EximConfigError(f"Exim could not find its configuration: {line}", line)
    return EximCrashedError(
        f"Exim exited before {before}. Command:\n  " + " ".join(argv) + "\nExim said:\n" + said,
        "\n".join(stderr_lines),
    )


def crash_error(command: str, stderr_lines: list[str]) -> EximCrashedError:
    """The error for an Exim that exited, failing, without answering `command`."""
    logs, said = _what_exim_said(stderr_lines)
    hint = ""
    if any("chown(" in line and "failed" in line for line in logs):
        hint = (
            "\nExim could not give its spool files to its own user: run unprivileged, the "
            "test configuration must say\n  .ifdef EXIMUNIT_USER\n  exim_user = EXIMUNIT_USER\n"
            "  exim_group = EXIMUNIT_GROUP\n  .endif\n"
            "(eximunit-bdd defines both macros when it runs Exim unprivileged)."
        )
    return EximCrashedError(
        f"Exim exited without answering {command}. Exim said:\n{said}{hint}", "\n".join(stderr_lines)
    )


def _what_exim_said(stderr_lines: list[str]) -> tuple[list[str], str]:
    """Exim's log lines (else its other stderr), and the last ten indented for a message."""
    logs = log_lines(stderr_lines) or _joined(stderr_lines)
    return logs, "\n".join("  " + line for line in logs[-10:]) or "  (nothing)"


def _joined(stderr_lines: list[str]) -> list[str]:
    """Stderr without LOG: prefixes (the one-shot modes): timestamps dropped and
    indented continuation lines joined to the line they continue."""
    joined: list[str] = []
    for line in stderr_lines:
        if line.startswith("  ") and joined:
            joined[-1] += " " + line.strip()
        elif line.strip():
            joined.append(_TIMESTAMP.sub("", line))
    return joined


def _line_of(path: str, number: int) -> str:
    lines = config_lines(path)
    return lines[number - 1].strip() if 0 < number <= len(lines) else "(line not readable)"


def _check_command(argv: list[str]) -> str:
    """The command that shows the error again: the binary, `-C` and the `-D` macros of
    this run (a macro can switch the failing line on), then `-bV`."""
    setup = [argv[0]] if argv else ["exim"]
    rest = argv[1:]
    while rest and (rest[0].startswith("-D") or rest[0] == "-C"):
        setup += rest[:2] if rest[0] == "-C" else rest[:1]
        rest = rest[2:] if rest[0] == "-C" else rest[1:]
    return shlex.join([*setup, "-bV"])
