"""How a spec's TEXT is found in what Exim said: the one rule every step uses."""

from __future__ import annotations

__all__ = ["appears_in"]


def appears_in(text: str, said: str) -> bool:
    """True if `text` appears in `said`, ignoring case: the rule of every
    `... "TEXT"` step (replies, reasons, log lines, headers, messages).

    >>> appears_in("Relay not permitted", "550 relay not permitted")
    True
    """
    return text.casefold() in said.casefold()
