"""Parameter types for the step patterns (registered with behave's parse matcher).

Prefixed with `Exim` so that they cannot clash with a user's own types.
"""

from __future__ import annotations

from typing import Any

from behave import register_type
from parse import with_pattern

from ..errors import StepUsageError

__all__ = ["session_of", "table_column"]


@with_pattern(r"\d{3}")
def _code(text: str) -> int:
    return int(text)


@with_pattern(r"[^<>\r\n]*")
def _address(text: str) -> str:
    return text


@with_pattern(r"\S+")
def _word(text: str) -> str:
    return text


@with_pattern(r".*?")
def _text(text: str) -> str:
    return text


register_type(EximCode=_code, EximAddress=_address, EximWord=_word, EximText=_text)


def session_of(context: Any):  # -> ScenarioSessions
    """The scenario's eximunit state, or a clear error if the hooks are missing."""
    state = getattr(context, "eximunit", None)
    if state is None:
        raise StepUsageError(
            "eximunit's hooks did not run: put 'from eximunit_bdd.environment import *' "
            "in features/environment.py (or call its before_scenario from yours)."
        )
    return state


def table_column(context: Any, *names: str) -> list[dict[str, str]]:
    """The step's table as dicts, after checking it has the named columns."""
    table = getattr(context, "table", None)
    if table is None or any(name not in table.headings for name in names):
        raise StepUsageError(
            "this step needs a table with the columns " + ", ".join(f"'{n}'" for n in names)
            + (f"; it has {list(table.headings)}" if table is not None else "; it has none")
        )
    return [{name: row[name].strip() for name in names} for row in table]
