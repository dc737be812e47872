"""Rewriting (`exim -brw ADDRESS`): what the configuration's rewrite rules make of an
address in each header and envelope field; parsed, asked of Exim, and checked.

What Exim 4.96 prints (rewrite.c, rewrite_test), always exit 0::

      sender: anna.smith@coop.test         one line per field, right-aligned names:
        from: ...                          sender, from, to, cc, bcc, reply-to,
    env-from: anna@coop.test               env-from, env-to
        SMTP: x@y                          first, only if an S-flag rule changed it
    No rewrite rules are defined           the configuration has none
    Syntax error in not an address@mx.test
    Missing or malformed local part ...    not an address
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from ..errors import InvalidInputError, StepUsageError, UnexpectedOutputError
from ..exim.inputs import check_address
from ..exim.options import EximOptions
from .options import parse_option_lines
from .run import answer_failure, run_exim

__all__ = [
    "FIELDS",
    "Rewriting",
    "field_name",
    "parse_rewriting",
    "rewrite",
    "assert_rewrites",
    "assert_rewrites_nothing",
]

#: The fields -brw prints, in its order; `smtp` only when an S-flag rule changed it.
FIELDS = ("sender", "from", "to", "cc", "bcc", "reply-to", "env-from", "env-to", "smtp")
#: The fields of recipients: Exim qualifies a bare local part there with
#: `qualify_recipient`, elsewhere with `qualify_domain`.
_RECIPIENT_FIELDS = ("to", "cc", "bcc", "env-to")

_FIELD = re.compile(r"^ *(?P<field>sender|from|to|cc|bcc|reply-to|env-from|env-to|SMTP): (?P<value>.*)$")
_NO_RULES = "No rewrite rules are defined"
_SYNTAX = re.compile(r"^Syntax error in (?P<address>.*)$")


@dataclass(frozen=True)
class Rewriting:
    """The result of `exim -brw ADDRESS`: each field's address (`<>` for empty), or
    no fields when the configuration has no rewrite rules (`rules_defined` False)."""

    address: str
    fields: tuple[tuple[str, str], ...] = ()
    rules_defined: bool = True
    output: str = field(default="", compare=False)
    command: str = field(default="", compare=False)
    #: For a bare local part: the domains Exim qualifies it with, for senders and for
    #: recipients (`qualify_domain`, `qualify_recipient`).
    qualify: tuple[str, str] | None = None

    def value(self, name: str) -> str | None:
        """What the address becomes in field `name` (`env-from`, `to`, ...); None if
        Exim did not print it (an `smtp` line appears only when a rule changed it)."""
        return dict(self.fields).get(field_name(name))

    def unchanged(self, name: str, value: str) -> bool:
        """True if `value`, in field `name`, is the address asked about: as asked, or a
        bare local part qualified as Exim qualifies it in that field."""
        if value == self.address or "@" in self.address or self.qualify is None:
            return value == self.address
        domain = self.qualify[1] if field_name(name) in _RECIPIENT_FIELDS else self.qualify[0]
        return value == f"{self.address}@{domain}"


def field_name(name: str) -> str:
    """A field as -brw names it (`Env_From:` is `env-from`); StepUsageError for one it
    does not print."""
    wanted = name.strip().rstrip(":").lower().replace("_", "-").replace(" ", "-")
    wanted = {"envelope-from": "env-from", "envelope-to": "env-to", "replyto": "reply-to"}.get(wanted, wanted)
    if wanted not in FIELDS:
        raise StepUsageError(
            f"exim -brw prints no field {name!r}: it prints {', '.join(FIELDS[:-1])} "
            "(and smtp when a rule with the S flag changes the address)."
        )
    return wanted


def parse_rewriting(address: str, output: str, command: str = "") -> Rewriting:
    """Parse `exim -brw ADDRESS` output. Raises InvalidInputError when Exim says it is
    no address and UnexpectedOutputError for a line in none of the known shapes."""
    lines = output.splitlines()
    if lines and lines[0] == _NO_RULES:
        return Rewriting(address, (), False, output, command)
    if lines and (match := _SYNTAX.match(lines[0])):
        reason = lines[1] if len(lines) > 1 else "a syntax error"
        raise InvalidInputError(f"Exim says {match.group('address')!r} is not a mail address: {reason}.")
    fields: list[tuple[str, str]] = []
    for line in lines:
        if match := _FIELD.match(line):
            fields.append((match.group("field").lower(), match.group("value")))
        elif line.strip():
            raise UnexpectedOutputError(f"exim -brw printed a line eximunit does not know: {line!r}")
    if not fields:
        raise UnexpectedOutputError(f"exim -brw printed nothing about {address}: {output!r}")
    return Rewriting(address, tuple(fields), True, output, command)


def rewrite(options: EximOptions, address: str) -> Rewriting:
    """`exim -brw ADDRESS` (the last argument: -brw ends Exim's options, so no `--`)."""
    address = check_address(address)
    if not address:
        raise InvalidInputError("-brw needs an address (or a local part): none was given.")
    run = run_exim(options, "-brw", address)
    rewriting = parse_rewriting(address, run.stdout, run.command)
    if "@" in address:
        return rewriting
    qualify = parse_option_lines(run_exim(options, "-bP", "qualify_domain", "qualify_recipient").stdout)
    domains = (qualify["qualify_domain"].value or "", qualify["qualify_recipient"].value or "")
    return dataclasses.replace(rewriting, qualify=domains)


def assert_rewrites(rewriting: Rewriting, new: str, in_field: str) -> Rewriting:
    """In field `in_field` (`from`, `env-to`, ...), the address becomes `new` exactly."""
    name = field_name(in_field)
    wanted = f"Expected <{rewriting.address}> to be rewritten to {new} in {name}"
    if not rewriting.rules_defined:
        raise answer_failure(f"{wanted}, but the configuration has no rewrite rules.", rewriting)
    value = rewriting.value(name)
    if value is None:  # only smtp: Exim prints it only when a rule changed the address
        raise answer_failure(f"{wanted}, but no SMTP-time (S flag) rule changes it.", rewriting)
    if value != new.strip():
        raise answer_failure(f"{wanted}, but it is {value}.", rewriting)
    return rewriting


def assert_rewrites_nothing(rewriting: Rewriting) -> Rewriting:
    """No field changes the address (or the configuration has no rewrite rules)."""
    changed = [f"{name}: {value}" for name, value in rewriting.fields if not rewriting.unchanged(name, value)]
    if changed:
        raise answer_failure(
            f"Expected no rewriting of <{rewriting.address}>, but {'; '.join(changed)}.", rewriting
        )
    return rewriting
