"""Expansion (`exim -be STRING`): what a string expands to with the configuration's
lists, macros and lookups, or why it fails; with a message (`exim -bem FILE STRING`),
also with its headers, body and size (`$h_subject:`, `$message_body`); asked of Exim
and checked. Both print the result (several lines if it has newlines) or `Failed: ...`,
and exit 0 either way."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass

from ..exim.options import EximOptions
from ..exim.sandbox import sandbox_base
from ..text import appears_in
from .message_text import check_message
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


def expand(options: EximOptions, string: str, message: str | None = None) -> Expansion:
    """`exim -be STRING`: the expanded string, or Exim's reason for failing (a broken
    expansion prints `Failed: ...` and still exits 0). With `message` (checked first:
    headers, an empty line, the body), `exim -oi -bem FILE STRING`, FILE a temporary
    copy of it, always removed (`-oi`: a lone `.` line is text, not the end)."""
    if message is None:
        run = run_exim(options, "-be", "--", string)
    else:
        text = check_message(message)
        descriptor, path = tempfile.mkstemp(prefix="eximunit-message.", suffix=".eml", dir=sandbox_base())
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8", errors="surrogateescape") as file:
                file.write(text)
            run = run_exim(options, "-oi", "-bem", path, "--", string)
        finally:
            os.unlink(path)
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
