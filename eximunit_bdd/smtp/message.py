"""Test messages: building them and putting them on the wire."""

from __future__ import annotations

import secrets
from email.utils import formatdate, make_msgid

from ..exim.inputs import check_line

__all__ = ["build_message", "random_body", "message_lines"]


def random_body(lines: int = 5) -> str:
    """A few lines of random text, different every time (defeats duplicate checks)."""
    return "\n".join(f"Test line {i + 1}: {secrets.token_hex(16)}" for i in range(lines))


def build_message(
    sender: str = "",
    recipients: list[str] | None = None,
    subject: str | None = None,
    body: str | None = None,
) -> str:
    """A minimal well-formed message: From, To, Subject, Date, Message-ID, body.

    >>> "Subject: hello" in build_message("a@example.net", ["b@coop.test"], "hello")
    True
    """
    if subject is not None:
        check_line(subject, "subject")  # a CR or LF would start headers of its own
    from_ = sender or "eximunit@client.example"
    to = ", ".join(recipients or []) or "undisclosed-recipients:;"
    domain = from_.rsplit("@", 1)[-1] or "client.example"
    headers = [
        f"From: <{from_}>",
        f"To: {to}",
        f"Subject: {subject if subject is not None else 'eximunit-bdd test message'}",
        f"Date: {formatdate(localtime=False)}",
        f"Message-ID: {make_msgid(domain=domain)}",
    ]
    return "\n".join(headers) + "\n\n" + (body if body is not None else random_body()) + "\n"


def message_lines(message: str) -> list[str]:
    """The message as SMTP lines: any line ending accepted, leading dots doubled."""
    text = message.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    return ["." + line if line.startswith(".") else line for line in text.split("\n")]
