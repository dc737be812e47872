"""What `exim -bP` prints for an option, parsed.

message_size_limit = 20M      a value
helo_lookup_domains =         unset (empty)
smtp_enforce_sync             a boolean, true
no_split_spool_directory      a boolean, false
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["OptionValue", "parse_option_lines"]

_VALUE = re.compile(r"^(?P<name>[A-Za-z0-9_]+) = ?(?P<value>.*)$")
_BOOLEAN = re.compile(r"^(?P<no>no_)?(?P<name>[A-Za-z0-9_]+)$")


@dataclass(frozen=True)
class OptionValue:
    """One option as Exim reports it: a `value` (possibly empty: unset), or for a
    boolean option `value` None and `boolean` True or False."""

    name: str
    value: str | None = None
    boolean: bool | None = None

    @property
    def is_boolean(self) -> bool:
        return self.boolean is not None

    @property
    def is_set(self) -> bool:
        """A non-empty value (a boolean counts as set when true)."""
        return bool(self.boolean) if self.is_boolean else bool(self.value)

    def __str__(self) -> str:
        if self.is_boolean:
            return self.name if self.boolean else f"no_{self.name}"
        return f"{self.name} = {self.value}"


def parse_option_lines(output: str) -> dict[str, OptionValue]:
    """Every `name = value` / `name` / `no_name` line of `exim -bP` output, by name
    (no Exim option's own name starts with no_)."""
    options: dict[str, OptionValue] = {}
    for line in output.splitlines():
        if match := _VALUE.match(line):
            options[match.group("name")] = OptionValue(match.group("name"), match.group("value").strip())
        elif match := _BOOLEAN.match(line.strip()):
            name = match.group("name")
            options[name] = OptionValue(name, None, not match.group("no"))
    return options
