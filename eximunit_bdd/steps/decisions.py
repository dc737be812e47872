"""Steps that check what Exim decided besides the reply: added headers, log lines."""

from __future__ import annotations

from typing import Any

from ..checks import failure_message
from ..errors import UnexpectedReplyError
from .registry import session_of, then


def _fail(context: Any, headline: str) -> None:
    session = session_of(context).session
    raise UnexpectedReplyError(
        failure_message(headline, None, session.transcript), session.last_reply, session.transcript.render()
    )


def _check_header(context: Any, name: str, text: str | None) -> None:
    headers = session_of(context).session.added_headers
    for header in headers:
        if header.name.lower() == name.lower() and (text is None or text.lower() in header.value.lower()):
            return
    wanted = f'"{name}"' + (f' containing "{text}"' if text is not None else "")
    added = "\n".join(f"  {header}" for header in headers) or "  (none)"
    _fail(context, f"Expected the ACLs to add the header {wanted}. Headers they added:\n{added}")


@then('the header "{name:EximText}" is added')
def step_header_added(context: Any, name: str) -> None:
    """Check that an ACL of this session added the header (`add_header`), whatever
    its value.

    Example: Then the header "X-Coop-Checked" is added
    """
    _check_header(context, name, None)


@then('the header "{name:EximText}" is added with "{text:EximText}"')
def step_header_added_with(context: Any, name: str, text: str) -> None:
    """Check that an ACL added the header and that TEXT appears in its expanded
    value (case-insensitive).

    Example: Then the header "X-Coop-Checked" is added with "192.0.2.1"
    """
    _check_header(context, name, text)


@then('the log contains "{text:EximText}"')
def step_log_contains(context: Any, text: str) -> None:
    """Check that a line Exim logged during this session contains TEXT
    (case-insensitive). Nothing is written to the real log files.

    Example: Then the log contains "rejected RCPT <nobody@coop.test>"
    """
    lines = session_of(context).session.log_lines
    if any(text.lower() in line.lower() for line in lines):
        return
    logged = "\n".join(f"  {line}" for line in lines) or "  (nothing)"
    _fail(context, f'Expected the log to contain "{text}". Exim logged:\n{logged}')
