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
