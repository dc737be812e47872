"""How eximunit's steps are registered: parameter types, step decorators, helpers.

The types are prefixed with `Exim` so that they cannot clash with a user's own.
The decorators are behave's, except that eximunit's own errors reach the report
without the library's stack frames: their message already says what to do.
"""

from __future__ import annotations

import contextlib
import functools
from typing import Any, Callable, Iterator, TypeVar

import behave
from behave.matchers import ParseMatcher, get_step_matcher_factory
from parse import with_pattern

from ..bdd.scenario import ScenarioState, scenario_state
from ..errors import EximUnitError, StepUsageError
from ..fakes.peer import KINDS as PEER_KINDS
from ..oneshot.build import KINDS

__all__ = [
    "given",
    "when",
    "then",
    "Context",
    "scenario_state",
    "ScenarioState",
    "table_column",
    "session_of",
]

#: behave's Context, which has no type information: steps reach eximunit's typed
#: state through `scenario_state(context)`.
Context = Any
Step = TypeVar("Step", bound=Callable[..., None])
#: The name suites' own steps used before `scenario_state` was public.
session_of = scenario_state


def _code(text: str) -> int:
    return int(text)


def _mailbox(text: str) -> str:
    # With or without brackets: in a Scenario Outline, "<address>" is a placeholder,
    # so `mail for <address>` arrives as `mail for anna@coop.test`.
    return text[1:-1] if text.startswith("<") else text


def _score(text: str) -> float:
    return float(text)


def _matching(pattern: str) -> Callable[[str], str]:
    """A type that takes the text matching `pattern` as it is."""

    def as_is(text: str) -> str:
        return text

    converter: Callable[[str], str] = with_pattern(pattern)(as_is)  # parse marks the function
    return converter


# On parse's own registry (PrefixedParseMatcher's too), whichever matcher the suite
# chose before importing these steps (behave's `register_type` uses the current one).
ParseMatcher.TYPE_REGISTRY.register_type(
    EximCode=with_pattern(r"\d{3}")(_code),
    EximMailbox=with_pattern(r"<[^<>\r\n]*>|[^<>\s\"]+")(_mailbox),
    EximScore=with_pattern(r"-?\d+(?:\.\d+)?")(_score),
    EximAddress=_matching(r"[^<>\r\n]*"),
    EximName=_matching(r"[^\"\s]+"),
    EximWord=_matching(r"\S+"),
    EximText=_matching(r".*?"),
    EximOptionState=_matching(r"set|unset|true|false"),
    EximDriverKind=_matching(r"router|transport|authenticator"),
    EximCapabilityKind=_matching("|".join(KINDS)),
    # The kinds a "the fake KIND "NAME" is down" step may name.
    EximPeerKind=_matching("|".join(PEER_KINDS.values())),
)


def table_column(context: Context, *names: str) -> list[dict[str, str]]:
    """The step's table as dicts, after checking it has the named columns."""
    table = getattr(context, "table", None)
    if table is None or any(name not in table.headings for name in names):
        raise StepUsageError(
            "this step needs a table with the columns "
            + ", ".join(f"'{n}'" for n in names)
            + (f"; it has {list(table.headings)}" if table is not None else "; it has none")
        )
    return [{name: row[name].strip() for name in names} for row in table]


def _readable_errors(func: Step) -> Callable[..., None]:
    @functools.wraps(func)  # behave follows __wrapped__ for the step's location
    def step(context: Context, *args: Any, **kwargs: Any) -> None:
        try:
            func(context, *args, **kwargs)
        except EximUnitError as error:
            # Re-raised from here, the traceback holds this frame and behave's, not
            # the dozen inside eximunit that would bury the message.
            raise error.with_traceback(None) from None

    return step


class PrefixedParseMatcher(ParseMatcher):  # type: ignore[misc]  # behave has no types
    """behave's parse matcher that first compares the pattern's words before its
    first parameter: behave tries every pattern of a step's type in turn, and a
    suite's every step against eximunit's 130 Then patterns was a tenth of a run's
    Python time. Same matches, same types (the parse type registry is shared)."""

    NAME = "eximunit-parse"

    def __init__(self, func: Any, pattern: str, step_type: Any = None, custom_types: Any = None) -> None:
        super().__init__(func, pattern, step_type, custom_types)
        self._prefix = pattern.split("{", 1)[0]

    def check_match(self, step_text: str) -> Any:
        if not step_text.startswith(self._prefix):
            return None
        return super().check_match(step_text)


_MATCHERS = get_step_matcher_factory()
_MATCHERS.register_step_matcher_class(PrefixedParseMatcher.NAME, PrefixedParseMatcher, override=True)


@contextlib.contextmanager
def _prefixed_matcher() -> Iterator[None]:
    """eximunit's steps registered with `PrefixedParseMatcher`; the suite's own with
    whatever matcher it chose, as before."""
    previous = _MATCHERS.current_matcher
    _MATCHERS.use_step_matcher(PrefixedParseMatcher.NAME)
    try:
        yield
    finally:
        names = [name for name, known in _MATCHERS.step_matcher_class_mapping.items() if known is previous]
        if names:
            _MATCHERS.use_step_matcher(names[0])
        else:  # a matcher class the suite made current without registering it
            _MATCHERS._current_matcher = previous


def _decorator(
    register: Callable[[str], Callable[[Callable[..., None]], object]],
) -> Callable[[str], Callable[[Step], Step]]:  # noqa: E501
    def decorator(pattern: str) -> Callable[[Step], Step]:
        def add(func: Step) -> Step:
            with _prefixed_matcher():
                register(pattern)(_readable_errors(func))
            return func

        return add

    return decorator


given = _decorator(behave.given)
when = _decorator(behave.when)
then = _decorator(behave.then)
