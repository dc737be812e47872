"""ACL variables as the ACLs set them, read from the `>>> check set` lines of the trace.

Exim traces `set acl_m_x = VALUE` as written, then, when expanding changed it, the
expanded value on a line of its own (`>>>      = yes for bakery.test`).

>>> acl_variables([
...     '>>> check set acl_m_spam = yes for $domain',
...     '>>>                    = yes for bakery.test',
...     '>>> check set acl_c_seen = 1',
... ])
{'acl_m_spam': 'yes for bakery.test', 'acl_c_seen': '1'}
"""

from __future__ import annotations

import re
from typing import Iterable

__all__ = ["acl_variables"]

_SET = re.compile(r"^>>>\s+check set (acl_\w+) = ?(.*)$")
_EXPANDED = re.compile(r"^>>>\s+= ?(.*)$")


def acl_variables(trace: Iterable[str]) -> dict[str, str]:
    """Each ACL variable the trace shows set, with the last value it was given."""
    values: dict[str, str] = {}
    name: str | None = None
    for line in trace:
        if name is not None and (expanded := _EXPANDED.match(line)):
            values[name] = expanded.group(1)
            name = None
        elif match := _SET.match(line):
            name = match.group(1)
            values[name] = match.group(2)
        else:
            name = None
    return values
