"""What `-bt` and `-bv` say alike of an address: that it fails (and, to Exim's admins
only, why), or that it is not an address at all."""

from __future__ import annotations

import re

from ..errors import InvalidInputError, ReasonHiddenError
from ..exim.sandbox import caller_user
from ..text import appears_in
from .run import Answer, answer_failure

__all__ = ["FAILED", "SYNTAX", "syntax_error", "check_reason"]

#: An address that fails: `-bt` says undeliverable, `-bv` failed to verify.
FAILED = re.compile(
    r"^(?P<address>.+?) (?P<how>is undeliverable|failed to verify|cannot be resolved at this time)"
    r"(?:: (?P<reason>.*))?$"
)
SYNTAX = re.compile(r"^syntax error: (?P<reason>.*)$")


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
            "(or run Exim as the caller with exim_user = EXIMUNIT_USER, as examples/coop/exim4.conf "
            "does). With the system configuration, run as root or as a member of Exim's group."
        )
    if not any(appears_in(text, reason) for reason in known):
        raise answer_failure(f"{wanted}, but the reason is: {'; '.join(known)}", answer)
