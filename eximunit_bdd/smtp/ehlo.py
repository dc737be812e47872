"""What the server offers: the SMTP extensions of its EHLO reply.

>>> reply = Reply(250, ("mx Hello", "SIZE 52428800", "AUTH PLAIN LOGIN", "HELP"), "EHLO x")
>>> offers(reply, "AUTH PLAIN"), offers(reply, "auth cram-md5"), offers(reply, "SIZE")
(True, False, True)
"""

from __future__ import annotations

from typing import Iterable

from .reply import Reply

__all__ = ["extensions", "offers", "last_ehlo_reply"]


def extensions(reply: Reply) -> dict[str, list[str]]:
    """Each extension the EHLO reply names (its first line greets), by its keyword in
    capitals, with its parameters: `{"AUTH": ["PLAIN", "LOGIN"], "SIZE": ["52428800"]}`."""
    offered: dict[str, list[str]] = {}
    for line in reply.lines[1:]:
        keyword, *parameters = line.split()
        offered[keyword.upper()] = parameters
    return offered


def offers(reply: Reply, extension: str) -> bool:
    """Does the reply offer `extension`: its keyword, and each word after it among the
    extension's parameters (`"AUTH PLAIN"`: AUTH with PLAIN among its mechanisms)?"""
    keyword, *wanted = extension.upper().split()
    offered = extensions(reply)
    parameters = [parameter.upper() for parameter in offered.get(keyword, [])]
    return keyword in offered and all(word in parameters for word in wanted)


def last_ehlo_reply(replies: Iterable[Reply]) -> Reply | None:
    """The accepted EHLO reply that holds now: None before one, or after a HELO or a
    STARTTLS, which end what the last EHLO offered."""
    current: Reply | None = None
    for reply in replies:
        verb = (reply.command or "").split(" ", 1)[0].upper()
        if verb == "EHLO" and reply.accepted:
            current = reply
        elif (verb == "HELO" and reply.accepted) or (verb == "STARTTLS" and reply.code == 220):
            current = None
    return current
