"""A replay's result in words, for the console: what was read, replayed and skipped,
and each decision that would change, with the statement that decided before and after."""

from __future__ import annotations

from ..text import counted
from .comparison import Compared, Comparison

__all__ = ["summary_text", "who"]


def who(compared: Compared) -> str:
    """`192.0.2.1 (HELO client.example) <alice@example.net> -> <bob@other.example>`"""
    decision = compared.decision
    parts = [decision.client_ip + (f" to port {decision.server_port}" if decision.server_port else "")]
    if decision.helo:
        parts.append(f"(HELO {decision.helo})")
    if decision.sender is not None:
        parts.append(f"<{decision.sender}>")
    if decision.recipient is not None:
        parts.append(f"-> <{decision.recipient}>")
    return " ".join(parts)


def summary_text(comparison: Comparison, new: str, skipped_lines: dict[str, int] | None = None) -> str:
    """The summary, then every difference."""
    skipped = ", ".join(f"{counted(count, 'line')} {why}" for why, count in (skipped_lines or {}).items())
    lines = [
        f"Read {counted(comparison.read, 'decision')} from the logs"
        + (f" ({skipped})" if skipped else "")
        + ".",
        f"Replayed {comparison.replayed} of them ({len(comparison.compared)} distinct) against {new}, "
        f"compared with {comparison.against}.",
    ]
    for why, count in comparison.skipped.items():
        lines.append(f"Not replayed: {count} {why}.")
    for each in comparison.errors:
        failed = each.after if each.after.outcome == "error" else each.before
        lines.append(f"Exim could not replay {who(each)}: {failed.text}")
    differences = comparison.differences
    lines.append(f"Decisions that would change: {len(differences)}.")
    for each in differences:
        seen = f" (seen {each.count} times)" if each.count > 1 else ""
        lines += [
            "",
            f"{each.decision.when or 'time not logged'}  {who(each)}{seen}",
            f"  before: {each.before}" + (f"  [{each.before.decided_by}]" if each.before.decided_by else ""),
            f"  after:  {each.after}" + (f"  [{each.after.decided_by}]" if each.after.decided_by else ""),
        ]
    return "\n".join(lines) + "\n"
