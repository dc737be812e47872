"""Catching a configuration that ignores the sandbox.

Every run gets `-DEXIMUNIT_SPOOL=DIR`, a spool of its scenario's own. A configuration
that does not make it its `spool_directory` has Exim read and write the live spool's
callout cache and rate-limit database, and scenarios leak into each other: the suite
would be green on state that is not the policy's. Once per configuration (and its
version and macros), `exim -bP spool_directory` under the test macros says which.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Callable, Sequence

from ..errors import EximConfigError
from .config_file import config_lines
from .sandbox import SPOOL_SPACE_DEFAULT, check_free_space, free_space, logs_hidden

__all__ = ["check_sandbox_used", "spool_space"]

_BLOCK = "  .ifdef EXIMUNIT_SPOOL\n  spool_directory = EXIMUNIT_SPOOL\n  .endif"
_DEBIAN_BLOCK = "  .ifdef EXIMUNIT_SPOOL\n  SPOOLDIR = EXIMUNIT_SPOOL\n  .endif"
_checked: dict[tuple[object, ...], bool] = {}
#: Per configuration (and version, and macros): its check_spool_space, in bytes, asked
#: only when the sandbox's filesystem has less than `_ASK_BELOW` free.
_spool_space: dict[tuple[object, ...], int] = {}
_ASK_BELOW = 1024 * 1024 * 1024


def check_sandbox_used(
    argv: Sequence[str], config: Path, spool: str, launch: Callable[[list[str]], list[str]], timeout: float
) -> None:
    """Raise EximConfigError, showing the block to add, unless Exim run as `argv` (the
    binary, `-C`, the macros, the sandbox's included) keeps its spool in `spool`; raise
    SandboxError unless the spool's filesystem has the room the configuration's
    check_spool_space asks (with less, Exim answers every MAIL FROM `452 Space shortage`).

    Asked once per configuration file version and macros; a configuration Exim cannot
    read is left to the run itself, which says what is wrong with it.
    """
    # By the names of the suite's macros: their values (a fake peer's port) vary.
    macros = tuple(argument.partition("=")[0] for argument in argv if argument.startswith("-D"))
    key = (argv[0], str(config), config.stat().st_mtime_ns, macros)
    if not _checked.get(key):
        value = _ask(argv, "spool_directory", launch, timeout)
        if value is None or not value or "$" in value:
            return  # Exim cannot read the configuration (the run says why), or it cannot be told
        if value != spool:
            raise EximConfigError(_message(config, value))
        _checked[key] = True
    if free_space(spool) >= _ASK_BELOW:
        return  # room for any check_spool_space worth having: no need to ask
    if key not in _spool_space:
        asked = _ask(argv, "check_spool_space", launch, timeout)
        _spool_space[key] = SPOOL_SPACE_DEFAULT if asked is None else spool_space(asked)
    check_free_space(spool, _spool_space[key])


def _ask(
    argv: Sequence[str], option: str, launch: Callable[[list[str]], list[str]], timeout: float
) -> str | None:
    """The value of one main option as -bP prints it; None if Exim did not answer."""
    try:
        done = subprocess.run(
            launch(logs_hidden([*argv, "-bP", option])), capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return None  # the run itself will time out, and say so
    if done.returncode != 0:
        return None
    return done.stdout.partition("=")[2].strip()


def spool_space(value: str) -> int:
    """Bytes for Exim's check_spool_space as -bP prints it (`10M`, `1536K`, `2G`, or a
    plain number of kilobytes); 0 (nothing checked) if it cannot be read."""
    value = value.strip().upper()
    scale = {"K": 1, "M": 1024, "G": 1024 * 1024}.get(value[-1:], 1)
    number = value.rstrip("KMG")
    return int(number) * scale * 1024 if number.isdigit() else 0


def _message(config: Path, spool: str) -> str:
    debian = any("SPOOLDIR" in line for line in config_lines(str(config)))
    head = (
        f"The configuration {config} does not keep Exim's spool in the test sandbox: under test "
        f"its spool_directory is still {spool}. Sessions would read and write that spool's "
        "callout cache and rate-limit database, and scenarios would leak into each other."
    )
    if debian:
        return (
            f"{head}\nIt is Debian's configuration, which sets spool_directory = SPOOLDIR (setting it "
            "again is fatal): define the macro before it is read,\n"
            f"{_DEBIAN_BLOCK}\n"
            "in conf.d/main/000_localmacros of the copy you build it from (split), then rebuild it "
            "with update-exim4.conf -d COPY -o FILE; or, split or not, in a test configuration that "
            "then .includes the built file (eximunit-bdd init prints one). A copy's "
            "exim4.conf.localmacros does not work: update-exim4.conf -d COPY ignores it."
        )
    return f"{head}\nAdd at the top of the configuration:\n{_BLOCK}"
