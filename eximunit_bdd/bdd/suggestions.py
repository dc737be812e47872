"""The closest phrases for a step nobody defined: "did you mean ...", instead of
behave's Python snippet, which tells a policy writer nothing.

Phrases come from behave's step registry (eximunit's steps and the suite's own),
written as the catalog writes them: parameters in CAPITALS. A step's values and a
pattern's parameters are both blurred to one mark before comparing, so that
`RCPT TO <bob@x.test> is rejectd with 550` is close to
`RCPT TO <ADDRESS> is rejected with CODE`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["phrase_of", "closest_phrases", "registered_patterns", "suggestions_text"]

_PARAMETER = re.compile(r"\{(\w+)(?::(\w+))?\}")
#: What a step's value or a phrase's parameter is blurred to.
_ADDRESS, _QUOTED, _WORD = "<A>", '"Q"', "W"
_STEP_VALUES = [
    (re.compile(r"<[^<>\s]*>"), _ADDRESS),
    (re.compile(r'"[^"]*"'), _QUOTED),
    (re.compile(r"(?<![\w.:])[\d.:/]*\d[\d.:/]*(?![\w.:])"), _WORD),  # codes, IPs, counts
]
_PATTERN_PARAMETER = re.compile(r'<\{\w+(?::\w+)?\}>|"\{\w+(?::\w+)?\}"|\{\w+(?::(\w+))?\}')
#: How close (difflib's ratio, 0..1) a phrase must be to be offered.
CLOSE_ENOUGH = 0.6


def phrase_of(pattern: str) -> str:
    """A step pattern as a reader writes it: `mail for {address:EximMailbox} is ...`
    as `mail for <ADDRESS> is ...`, `{code:d}` as `CODE`.

    >>> phrase_of('RCPT TO <{address}> is rejected with {code:d} "{text}"')
    'RCPT TO <ADDRESS> is rejected with CODE "TEXT"'
    """

    def capital(match: re.Match[str]) -> str:
        name = match.group(1).upper()
        return f"<{name}>" if match.group(2) == "EximMailbox" else name

    return _PARAMETER.sub(capital, pattern)


def closest_phrases(step_text: str, patterns: Iterable[str], most: int = 3) -> list[str]:
    """Up to `most` phrases close to `step_text`, closest first. Both start with their
    keyword; `patterns` are behave's (`Then it is rejected with {code:d}`).

    >>> closest_phrases('Then RCPT TO <bob@x.test> is rejectd with 550',
    ...                 ['Then RCPT TO <{address}> is rejected with {code:d}', 'Then it is accepted'])
    ['Then RCPT TO <ADDRESS> is rejected with CODE']
    """
    step = _blurred_step(step_text)
    scored = []
    for pattern in dict.fromkeys(patterns):
        matcher = difflib.SequenceMatcher(None, step, _blurred_pattern(pattern), autojunk=False)
        if matcher.real_quick_ratio() >= CLOSE_ENOUGH and matcher.quick_ratio() >= CLOSE_ENOUGH:
            ratio = matcher.ratio()
            if ratio >= CLOSE_ENOUGH:
                scored.append((ratio, phrase_of(pattern)))
    scored.sort(key=lambda pair: -pair[0])
    return list(dict.fromkeys(phrase for _, phrase in scored))[:most]


def registered_patterns(registry: Any = None) -> list[str]:
    """Every step in behave's `registry` (the run's: `context._runner.step_registry`;
    by default the module's) as `Keyword pattern`; a step registered with `@step` is
    offered under each keyword."""
    if registry is None:
        from behave import step_registry

        registry = step_registry.registry
    patterns = []
    for keyword, matchers in registry.steps.items():
        names = ["Given", "When", "Then"] if keyword == "step" else [keyword.capitalize()]
        for matcher in matchers:
            patterns += [f"{name} {matcher.pattern}" for name in names]
    return patterns


def suggestions_text(undefined_steps: Sequence[Any], patterns: Sequence[str]) -> str:
    """What to print after a run for behave's undefined steps: each one, where it is,
    and the closest of `patterns` (or where the catalog is); "" when there are none."""
    if not undefined_steps:
        return ""
    seen: set[str] = set()
    out = []
    for step in undefined_steps:
        text = f"{step.keyword.strip()} {step.name}"
        if text in seen:
            continue
        seen.add(text)
        out.append(f"  {step.location}: {text}")
        close = closest_phrases(text, patterns)
        if close:
            out += [f"    did you mean: {close[0]}"] + [f"              or: {other}" for other in close[1:]]
        else:
            out.append("    no phrase is close: `eximunit-bdd steps` lists them all")
    count = len(seen)
    heading = f"eximunit: {count} step{'s are' if count != 1 else ' is'} not defined (a misspelt phrase?):"
    return "\n".join([heading] + out)


def _blurred_step(text: str) -> str:
    for pattern, mark in _STEP_VALUES:
        text = pattern.sub(mark, text)
    return text


def _blurred_pattern(pattern: str) -> str:
    def mark(match: re.Match[str]) -> str:
        found = match.group(0)
        if found.startswith("<") or match.group(1) == "EximMailbox":
            return _ADDRESS
        return _QUOTED if found.startswith('"') else _WORD

    return _PATTERN_PARAMETER.sub(mark, pattern)
