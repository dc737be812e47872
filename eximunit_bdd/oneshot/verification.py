"""Verification (`exim -bv ADDRESS`): would the address verify as a recipient (no
callouts), or with `-bvs` as a sender; parsed, asked of Exim, and checked.

    anna@coop.test verified                     exit 0
    x@y failed to verify: REASON                exit 2 (no REASON for non-admin callers)
    x@y cannot be resolved at this time: REASON exit 1
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Sequence

from ..errors import UnexpectedOutputError
from ..exim.inputs import check_address
from ..exim.options import EximOptions
from .addresses import FAILED, SYNTAX, attribute, check_reason, sender_arguments, syntax_error
from .run import answer_failure, run_exim

__all__ = [
    "Verification",
    "parse_verification",
    "verify",
    "verify_each",
    "assert_verifies",
    "assert_fails_to_verify",
    "assert_sender_fails_to_verify",
]

_VERIFIED = re.compile(r"^(?P<address>.+?) (?:verified|is deliverable)$")


@dataclass(frozen=True)
class Verification:
    """The result of `exim -bv ADDRESS` (`as_sender`: of `exim -bvs ADDRESS`)."""

    address: str
    verified: bool
    reason: str | None = None
    temporary: bool = False
    output: str = field(default="", compare=False)
    command: str = field(default="", compare=False)
    as_sender: bool = False

    @property
    def subject(self) -> str:
        """The address as a failure message names it: `<a@b>`, `the sender <a@b>`."""
        return f"the sender <{self.address}>" if self.as_sender else f"<{self.address}>"


def parse_verification(address: str, output: str, command: str = "") -> Verification:
    """Parse `exim -bv ADDRESS` output (one address)."""
    for line in output.splitlines():
        if match := SYNTAX.match(line):
            raise syntax_error(address, match.group("reason"))
        if _VERIFIED.match(line):
            return Verification(address, True, output=output, command=command)
        if match := FAILED.match(line):
            temporary = match.group("how").startswith("cannot")
            return Verification(address, False, match.group("reason"), temporary, output, command)
    raise UnexpectedOutputError(f"exim -bv printed no verdict for {address}: {output!r}")


def verify(
    options: EximOptions, address: str, sender: str | None = None, as_sender: bool = False
) -> Verification:
    """`exim -bv ADDRESS` (a recipient), or with `as_sender` `exim -bvs ADDRESS` (a
    sender: routers see `verify_sender`, not `verify_recipient`); `sender` is `-f`."""
    address = check_address(address)
    run = run_exim(options, "-bvs" if as_sender else "-bv", *sender_arguments(sender), "--", address)
    return dataclasses.replace(parse_verification(address, run.stdout, run.command), as_sender=as_sender)


def verify_each(
    options: EximOptions, addresses: Sequence[str], sender: str | None = None
) -> list[Verification]:
    """`exim -bv -- A B C` once: a Verification for each address, in the order given,
    each from the line about it (see `addresses.attribute`)."""
    asked = [check_address(address) for address in addresses]
    run = run_exim(options, "-bv", *sender_arguments(sender), "--", *asked)
    return split_verification(asked, run.stdout, run.command)


def split_verification(asked: Sequence[str], output: str, command: str = "") -> list[Verification]:
    """`-bv` output for several addresses: one line each, attributed by the address it names."""
    lines: list[tuple[str, str]] = []
    for line in output.splitlines():
        if match := SYNTAX.match(line):  # Exim does not say which address
            raise syntax_error(" or ".join(asked), match.group("reason"))
        if match := _VERIFIED.match(line) or FAILED.match(line):
            lines.append((match.group("address"), line))
        elif line.strip():
            raise UnexpectedOutputError(f"exim -bv printed a line eximunit does not know: {line!r}")
    answers = attribute(asked, lines, "-bv")
    return [parse_verification(address, "\n".join(said), command) for address, said in zip(asked, answers)]


def assert_verifies(verification: Verification) -> Verification:
    if not verification.verified:
        raise answer_failure(f"Expected {verification.subject} to verify, but it did not.", verification)
    return verification


def assert_sender_fails_to_verify(verification: Verification) -> Verification:
    """The sender does not verify, for good or for now (either fails the sender check)."""
    if verification.verified:
        raise answer_failure(
            f"Expected {verification.subject} to fail to verify, but it verified.", verification
        )
    return verification


def assert_fails_to_verify(verification: Verification, text: str | None = None) -> Verification:
    """The address fails verification for good; with `text`, the reason contains it."""
    wanted = f"Expected {verification.subject} to fail to verify" + (f' with "{text}"' if text else "")
    if verification.verified or verification.temporary:
        outcome = "it verified" if verification.verified else "it could not be verified for now"
        raise answer_failure(f"{wanted}, but {outcome}.", verification)
    if text is not None:
        check_reason(verification.address, [verification.reason], text, wanted, verification)
    return verification
