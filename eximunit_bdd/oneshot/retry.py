"""Retry rules (`exim -brt ADDRESS_OR_DOMAIN [ERROR]`): which rule of the
configuration's retry section applies; parsed, asked of Exim, and checked.

What Exim 4.96 prints (exim.c), exit 0::

    Retry rule: *@shop.test  *  F,30m,5m; F,2d,1h;     PATTERN  ERROR  SCHEDULES
    No retry information found
    Warning: "localhost" contains no '@' and no '.' ... (two lines, then an empty one)
    unknown or malformed retry error "nosuch"           exit 1, for a bad ERROR

Times are printed as Exim reads them (`120m` as `2h`); with no ERROR only rules for
`*` match, with one (`timeout_connect`, `quota_3d`, ...) the first rule for it or `*`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import InvalidInputError, UnexpectedOutputError
from ..exim.inputs import check_address
from ..exim.options import EximOptions
from .run import answer_failure, run_exim

__all__ = [
    "RetryRule",
    "Retry",
    "parse_retry",
    "retry_rule",
    "normalized_rule",
    "assert_retry_rule",
    "assert_no_retry_rule",
]

_RULE = re.compile(r"^Retry rule: (?P<pattern>\S+)\s+(?P<error>\S+)\s+(?P<schedules>.*)$")
_NONE = "No retry information found"
_WARNING = re.compile(r'^Warning: ".*" contains no |^treated as a one-component domain')
_ERROR_NAME = re.compile(r"^[A-Za-z0-9_]+$")


@dataclass(frozen=True)
class RetryRule:
    """One retry rule: `*@shop.test  *  F,30m,5m; F,2d,1h`."""

    pattern: str
    error: str
    schedules: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.pattern} {self.error} {'; '.join(self.schedules)}"


@dataclass(frozen=True)
class Retry:
    """The result of `exim -brt ADDRESS`: the rule that applies, or None."""

    address: str
    rule: RetryRule | None
    error: str | None = None
    output: str = field(default="", compare=False)
    command: str = field(default="", compare=False)


def parse_retry(address: str, output: str, command: str = "", error: str | None = None) -> Retry:
    """Parse `exim -brt ADDRESS [ERROR]` output; InvalidInputError when Exim did not
    know the error name, UnexpectedOutputError for a line in none of the known shapes."""
    for line in output.splitlines():
        if not line.strip() or _WARNING.match(line):
            continue
        if line == _NONE:
            return Retry(address, None, error, output, command)
        if match := _RULE.match(line):
            schedules = tuple(part.strip() for part in match.group("schedules").split(";") if part.strip())
            rule = RetryRule(match.group("pattern"), match.group("error"), schedules)
            return Retry(address, rule, error, output, command)
        if line.startswith("unknown or malformed retry error"):
            raise InvalidInputError(
                f"Exim says: {line}. Use an error of retry rules (timeout_connect, quota_3d, ...)."
            )
        raise UnexpectedOutputError(f"exim -brt printed a line eximunit does not know: {line!r}")
    raise UnexpectedOutputError(f"exim -brt printed nothing about {address}: {output!r}")


def retry_rule(options: EximOptions, address: str, error: str | None = None) -> Retry:
    """`exim -brt ADDRESS [ERROR]` (the last options: -brt ends Exim's options, so no
    `--`). ADDRESS is an address or a domain; ERROR, when given, an error name of
    retry rules (`timeout_connect`, `refused_MX`, `quota_3d`, `rcpt_4xx`, ...)."""
    address = check_address(address)
    if not address:
        raise InvalidInputError("-brt needs an address or a domain: none was given.")
    extra: list[str] = []
    if error is not None:
        if not _ERROR_NAME.match(error.strip()):
            raise InvalidInputError(
                f"{error!r} is not an error name of retry rules (timeout_connect, quota_3d, ...)."
            )
        extra = [error.strip()]
    run = run_exim(options, "-brt", address, *extra)
    return parse_retry(address, run.stdout, run.command, error)


def normalized_rule(rule: str) -> str:
    """A rule compared as text: blanks collapsed, `;` parts joined by `; `, no final `;`."""
    parts = (" ".join(part.split()) for part in rule.split(";"))
    return "; ".join(part for part in parts if part)


def assert_retry_rule(retry: Retry, rule: str) -> RetryRule:
    """The rule that applies is `rule`: the whole rule as Exim prints it (`*@shop.test *
    F,30m,5m; F,2d,1h`) or its schedules alone (`F,30m,5m; F,2d,1h`), compared with
    blanks normalized and a final `;` ignored. Times are compared as Exim prints them:
    `2h`, not `120m`."""
    wanted = normalized_rule(rule)
    headline = f'Expected the retry rule for {retry.address} to be "{wanted}"'
    if retry.rule is None:
        raise answer_failure(f"{headline}, but no retry rule applies.", retry)
    found = retry.rule
    if wanted not in (normalized_rule(str(found)), normalized_rule("; ".join(found.schedules))):
        raise answer_failure(f'{headline}, but it is "{found}".', retry)
    return found


def assert_no_retry_rule(retry: Retry) -> Retry:
    """No retry rule applies (`No retry information found`)."""
    if retry.rule is not None:
        raise answer_failure(
            f'Expected no retry rule for {retry.address}, but "{retry.rule}" applies.', retry
        )
    return retry
