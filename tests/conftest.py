"""Shared fixtures: recorded Exim output and the bundled example configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RECORDED = Path(__file__).resolve().parent / "recorded"
EXAMPLE_CONFIG = ROOT / "examples" / "coop" / "exim4.conf"


@pytest.fixture
def recorded():
    """Read a file of real Exim output recorded under tests/recorded/."""

    def read(name: str) -> str:
        return (RECORDED / name).read_text()

    return read


#: The machine's own Exim logs: no test may write to them (Exim logs there before it
#: has read a configuration's own log_file_path, e.g. about a file's wrong mode).
MACHINE_LOGS = [Path("/var/log/exim4") / name for name in ("mainlog", "paniclog", "rejectlog")]
#: Where sandboxes are made.
SANDBOX_PLACES = [Path("/dev/shm"), Path("/tmp")]


def _log_sizes() -> dict[Path, int]:
    """Each log's size, for those this user may see (an ordinary user may not, and
    Exim run by one drops the privilege to write there)."""
    sizes = {}
    for log in MACHINE_LOGS:
        try:
            sizes[log] = log.stat().st_size
        except OSError:
            continue
    return sizes


def _sandboxes() -> set[Path]:
    return {path for place in SANDBOX_PLACES if place.is_dir() for path in place.glob("eximunit-*")}


@pytest.fixture(scope="session", autouse=True)
def nothing_left_on_the_machine():
    """After all the tests: the machine's Exim logs are as they were, and no sandbox
    directory made during the run is left in /dev/shm or /tmp."""
    logs, sandboxes = _log_sizes(), _sandboxes()
    yield
    grown = {
        str(log): (before, _log_sizes().get(log))
        for log, before in logs.items()
        if _log_sizes().get(log) != before
    }
    assert not grown, f"the tests wrote to the machine's Exim logs (bytes before, after): {grown}"
    left = sorted(str(path) for path in _sandboxes() - sandboxes)
    assert not left, f"the tests left sandbox directories behind: {left}"
