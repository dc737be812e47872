"""What `-bt` and `-bv` say alike of an address: that it fails (and, to Exim's admins
only, why), or that it is not an address at all."""

from __future__ import annotations

import re
from typing import Sequence, TypeVar

from ..errors import InvalidInputError, ReasonHiddenError, UnexpectedOutputError
from ..exim.inputs import check_address
from ..exim.sandbox import caller_user
from ..text import appears_in
from .run import Answer, answer_failure

__all__ = ["FAILED", "SYNTAX", "syntax_error", "check_reason", "attribute", "sender_arguments"]

#: An address that fails: `-bt` says undeliverable, `-bv` failed to verify.
FAILED = re.compile(
    r"^(?P<address>.+?) (?P<how>is undeliverable|failed to verify|cannot be resolved at this time)"
    r"(?:: (?P<reason>.*))?$"
)
SYNTAX = re.compile(r"^syntax error: (?P<reason>.*)$")

Said = TypeVar("Said")


def syntax_error(address: str, reason: str) -> InvalidInputError:
    return InvalidInputError(f"Exim says {address!r} is not a mail address: {reason}.")


def check_reason(address: str, reasons: list[str | None], text: str, wanted: str, answer: Answer) -> None:
    """Raise unless TEXT appears in one of the reasons Exim gave; ReasonHiddenError
    when it gave none (the caller is not an Exim admin)."""
    known = [reason for reason in reasons if reason]
    if not known:
        raise ReasonHiddenError(
            f"Exim gave no reason why <{address}> fails: it tells only its admin users, and "
            f"{caller_user()} is not one. Make the caller an admin in the test configuration:\n"
            "  .ifdef EXIMUNIT_GROUP\n  admin_groups = EXIMUNIT_GROUP\n  .endif\n"
            "or run Exim as the caller:\n"
            "  .ifdef EXIMUNIT_USER\n  exim_user = EXIMUNIT_USER\n  exim_group = EXIMUNIT_GROUP\n  .endif\n"
            "With the system configuration, run as root or as a member of Exim's group."
        )
    if not any(appears_in(text, reason) for reason in known):
        raise answer_failure(f"{wanted}, but the reason is: {'; '.join(known)}", answer)


def attribute(asked: Sequence[str], answers: Sequence[tuple[str, Said]], mode: str) -> list[list[Said]]:
    """Each answer of one run for several addresses, given as (the address it is about,
    the answer), attributed to the address asked: by what Exim printed, never by position
    alone, since Exim may print an address in another form (`postmaster` qualified as
    `postmaster@mx.example`, a redirect's targets with it as their parent) or order.
    An address printed as it was asked is that one; among one address asked twice, the
    earliest not passed yet takes the answer.

    Raises UnexpectedOutputError for an answer about an address nobody asked for, one
    that could be about either of two addresses asked differently (`Anna@x`, `anna@x`),
    or an address with no answer: an answer is never given to the wrong address.
    """
    found: list[list[Said]] = [[] for _ in asked]
    position = 0
    for about, answer in answers:
        matching = [index for index, address in enumerate(asked) if _same_address(address, about)]
        if not matching:
            raise UnexpectedOutputError(
                f"exim {mode} answered about <{about}>, which is none of the addresses asked "
                f"({', '.join(asked)}): its answers cannot be attributed."
            )
        exact = [index for index in matching if asked[index] == about]
        candidates = exact or matching
        if len({asked[index] for index in candidates}) > 1:
            raise UnexpectedOutputError(
                f"exim {mode} answered about <{about}>, which may be any of "
                f"{', '.join(asked[index] for index in candidates)}: ask them in runs of their own."
            )
        index = next((index for index in candidates if index >= position), candidates[-1])
        found[index].append(answer)
        position = index
    silent = [address for address, answers_ in zip(asked, found) if not answers_]
    if silent:
        raise UnexpectedOutputError(f"exim {mode} said nothing about {', '.join(silent)}.")
    return found


def _same_address(asked: str, printed: str) -> bool:
    """Exim compares local parts without case by default and qualifies an address
    without a domain with its own (`postmaster` printed as `postmaster@mx.example`)."""
    asked, printed = asked.casefold(), printed.casefold()
    if "@" not in asked:
        return printed.rpartition("@")[0] == asked
    return asked == printed


def sender_arguments(sender: str | None) -> list[str]:
    """`-f SENDER` for -bt and -bv (`<>` for the empty sender of bounces); none for None."""
    if sender is None:
        return []
    return ["-f", check_address(sender) or "<>"]
