"""Which statement decided a reply, told with its text from the configuration."""

from __future__ import annotations

from ..trace.acl_runs import AclRun
from .source import quoted

__all__ = ["describe_decision"]


def describe_decision(run: AclRun) -> str:
    """Which statement decided `run`, where, and its text, for a failure message:

    Decided by the "deny" statement of ACL "acl_check_rcpt" (exim4.conf, line 140):
      140 |   deny    message = relay not permitted
    """
    chain = run.decision_chain
    if not chain:
        return (
            f'Decided by the end of ACL "{run.acl}": no statement ended it, so Exim '
            f"answered {run.verdict or 'nothing'}."
        )
    parts = []
    for depth, statement in enumerate(chain):
        lead = "Decided by" if depth == 0 else f"{'  ' * depth}which ran an ACL decided by"
        where = f'the "{statement.verb}" statement of ACL "{statement.acl}" '
        where += f"({statement.file}, line {statement.line})"
        if statement.untestable:
            why = "a condition failed with an error" if statement.outcome == "error" else "a lookup deferred"
            parts.append(f"{lead} no statement's verb: Exim could not test {where} ({why}), so it deferred:")
        else:
            parts.append(f"{lead} {where}:")
        parts += quoted(statement.file, statement.line, "  " * depth + "  ")
    return "\n".join(parts)
