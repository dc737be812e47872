"""Expansion (`exim -be STRING`): what a string expands to with the configuration's
lists, macros and lookups, or why it fails; asked of Exim and checked."""

from __future__ import annotations

from dataclasses import dataclass

from ..exim.options import EximOptions
from ..text import appears_in
from .run import answer_failure, run_exim

__all__ = ["Expansion", "expand", "assert_expands", "assert_expansion_fails"]

_FAILED = "Failed: "


@dataclass(frozen=True)
class Expansion:
    """The result of `exim -be STRING`: `result`, or `error` if the expansion failed."""

    string: str
    result: str | None
    error: str | None
    command: str = ""

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def output(self) -> str:
        """What Exim printed."""
        return self.result if self.result is not None else f"{_FAILED}{self.error}"


def expand(options: EximOptions, string: str) -> Expansion:
    """`exim -be STRING`: the expanded string, or Exim's reason for failing (a broken
    expansion prints `Failed: ...` and still exits 0)."""
    run = run_exim(options, "-be", "--", string)
    output = run.stdout[:-1] if run.stdout.endswith("\n") else run.stdout
    if output.startswith(_FAILED):
        return Expansion(string, None, output[len(_FAILED) :], run.command)
    return Expansion(string, output, None, run.command)


def assert_expands(expansion: Expansion, result: str) -> Expansion:
    """The string expands to exactly `result`."""
    if expansion.result != result:
        actual = f"failed: {expansion.error}" if expansion.failed else f"gave {expansion.result!r}"
        raise answer_failure(
            f"Expected {expansion.string!r} to expand to {result!r}, but it {actual}.",
            expansion,
        )
    return expansion


def assert_expansion_fails(expansion: Expansion, text: str | None = None) -> Expansion:
    """Expanding fails; with `text`, Exim's reason contains it."""
    wanted = f"Expected expanding {expansion.string!r} to fail" + (f' with "{text}"' if text else "")
    if not expansion.failed:
        raise answer_failure(f"{wanted}, but it gave {expansion.result!r}.", expansion)
    if text is not None and not appears_in(text, expansion.error or ""):
        raise answer_failure(f"{wanted}, but it failed with: {expansion.error}", expansion)
    return expansion
