"""Comparing a reply with what the spec expects; failures read like a mail admin thinks."""

from __future__ import annotations

from typing import Literal, TypeVar

from ..acl.decision import describe_decision
from ..errors import SmtpAssertionError, UnexpectedReplyError
from ..text import appears_in, shortened, visible
from .reply import Reply
from .transcript import Transcript

__all__ = [
    "Verdict",
    "matches",
    "expect_reply",
    "describe_expectation",
    "failure_message",
    "smtp_failure",
    "what",
    "SESSION_HEADING",
]

Verdict = Literal["accepted", "deferred", "rejected"]
Failure = TypeVar("Failure", bound=SmtpAssertionError)

#: Where a failure message's copy of the session begins (the HTML report shows it apart).
SESSION_HEADING = "Session so far (C: client, S: server, L: Exim's log):"


def describe_expectation(verdict: Verdict | None, code: int | None, text: str | None) -> str:
    """`"rejected with 550 \\"no such user\\""`, `"answered 250"`, ..."""
    words: str = verdict or "answered"
    if code is not None:
        words += f" with {code}" if verdict else f" {code}"
    if text is not None:
        words += f' containing "{text}"' if code is None else f' "{text}"'
    return words


def matches(reply: Reply, verdict: Verdict | None, code: int | None, text: str | None) -> bool:
    """Does the reply satisfy the expectation? Text matches case-insensitively."""
    if verdict is not None and reply.verdict != verdict:
        return False
    if code is not None and reply.code != code:
        return False
    return text is None or appears_in(text, reply.text)


def what(reply: Reply) -> str:
    """How a failure names the step: `RCPT TO:<a@b>`, `the connection`, `the message`."""
    if reply.command is None:
        return "the connection"
    if reply.command == ".":
        return "the message"
    return shortened(reply.command)


def failure_message(headline: str, reply: Reply | None, transcript: Transcript) -> str:
    """A headline, the actual reply with Exim's log for it (when there is one to show),
    then the whole session."""
    parts = [headline]
    if reply is not None:
        parts.append("The server replied:\n" + "\n".join("  " + line for line in str(reply).split("\n")))
        if reply.log_lines:
            parts.append("Exim logged:\n" + "\n".join("  " + line for line in reply.log_lines))
        if reply.decision is not None:
            parts.append(describe_decision(reply.decision))
    parts.append(f"{SESSION_HEADING}\n" + transcript.render())
    return visible("\n\n".join(parts))  # what Exim or the spec said may hold control characters


def smtp_failure(
    error: type[Failure],
    headline: str,
    reply: Reply | None,
    transcript: Transcript,
    *,
    show_reply: bool = True,
) -> Failure:
    """The one way an SMTP assertion error is made: it carries `reply` (which a report
    marks) and the transcript, its message built by failure_message. `show_reply`
    False leaves the reply out of the message, for claims about the whole session."""
    message = failure_message(headline, reply if show_reply else None, transcript)
    return error(message, reply, transcript.render())


def expect_reply(
    reply: Reply,
    transcript: Transcript,
    verdict: Verdict | None = None,
    code: int | None = None,
    text: str | None = None,
) -> Reply:
    """Return the reply if it is as expected, else raise UnexpectedReplyError."""
    if matches(reply, verdict, code, text):
        return reply
    headline = f"Expected {what(reply)} to be {describe_expectation(verdict, code, text)}."
    raise smtp_failure(UnexpectedReplyError, headline, reply, transcript)
