"""How eximunit's steps are registered: parameter types, step decorators, helpers.

The types are prefixed with `Exim` so that they cannot clash with a user's own.
The decorators are behave's, except that eximunit's own errors reach the report
without the library's stack frames: their message already says what to do.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import behave
from behave import register_type
from parse import with_pattern

from ..errors import EximUnitError, StepUsageError
from ..fakes import FakeClamd, FakeGreylistd, FakeSmtpServer, FakeSpamd
from ..oneshot.build import KINDS

__all__ = ["given", "when", "then", "session_of", "table_column"]

StepFunction = Callable[..., None]


@with_pattern(r"\d{3}")
def _code(text: str) -> int:
    return int(text)


@with_pattern(r"<[^<>\r\n]*>|[^<>\s\"]+")
def _mailbox(text: str) -> str:
    # With or without brackets: in a Scenario Outline, "<address>" is a placeholder,
    # so `mail for <address>` arrives as `mail for anna@coop.test`.
    return text[1:-1] if text.startswith("<") else text


@with_pattern(r"-?\d+(?:\.\d+)?")
def _score(text: str) -> float:
    return float(text)


def _matching(pattern: str) -> Callable[[str], str]:
    """A type that takes the text matching `pattern` as it is."""

    @with_pattern(pattern)
    def convert(text: str) -> str:
        return text

    return convert


register_type(
    EximCode=_code,
    EximMailbox=_mailbox,
    EximScore=_score,
    EximAddress=_matching(r"[^<>\r\n]*"),
    EximName=_matching(r"[^\"\s]+"),
    EximWord=_matching(r"\S+"),
    EximText=_matching(r".*?"),
    EximOptionState=_matching(r"set|unset|true|false"),
    EximDriverKind=_matching(r"router|transport"),
    EximCapabilityKind=_matching("|".join(KINDS)),
    # The kinds a "the fake KIND "NAME" is down" step may name.
    EximPeerKind=_matching(
        "|".join(cls.kind for cls in (FakeSmtpServer, FakeSpamd, FakeClamd, FakeGreylistd))
    ),
)


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
            "this step needs a table with the columns "
            + ", ".join(f"'{n}'" for n in names)
            + (f"; it has {list(table.headings)}" if table is not None else "; it has none")
        )
    return [{name: row[name].strip() for name in names} for row in table]


def _readable_errors(func: StepFunction) -> StepFunction:
    @functools.wraps(func)  # behave follows __wrapped__ for the step's location
    def step(context: Any, *args: Any, **kwargs: Any) -> None:
        try:
            func(context, *args, **kwargs)
        except EximUnitError as error:
            # Re-raised from here, the traceback holds this frame and behave's, not
            # the dozen inside eximunit that would bury the message.
            raise error.with_traceback(None) from None

    return step


def _decorator(register: Callable[[str], Callable[[StepFunction], StepFunction]]):
    def decorator(pattern: str) -> Callable[[StepFunction], StepFunction]:
        def add(func: StepFunction) -> StepFunction:
            register(pattern)(_readable_errors(func))
            return func

        return add

    return decorator


given = _decorator(behave.given)
when = _decorator(behave.when)
then = _decorator(behave.then)
