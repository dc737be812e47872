"""SMTP AUTH as a mail client does it, for PLAIN (the credentials in the command) and
LOGIN (the server prompts for each): the lines to send, and how a transcript shows
them, decoded, so that a reader sees who logged in.

>>> [shown for _, shown in auth_lines("PLAIN", "anna", "secret")]
['AUTH PLAIN AGFubmEAc2VjcmV0 (user "anna", password "secret")']
"""

from __future__ import annotations

import base64
from typing import Literal

from ..errors import InvalidInputError

__all__ = ["Mechanism", "auth_lines"]

Mechanism = Literal["PLAIN", "LOGIN"]


def auth_lines(mechanism: Mechanism, user: str, password: str) -> list[tuple[str, str]]:
    """The client's lines, each as `(sent, shown)`: for LOGIN, the second and third
    answer the server's 334 prompts for the user name and the password."""
    for what, value in (("user name", user), ("password", password)):
        if "\0" in value:
            raise InvalidInputError(f"The {what} {value!r} contains NUL, which AUTH cannot carry.")
    if mechanism == "PLAIN":
        plain = _base64(f"\0{user}\0{password}")
        return [(f"AUTH PLAIN {plain}", f"AUTH PLAIN {plain} (user {_q(user)}, password {_q(password)})")]
    return [
        ("AUTH LOGIN", "AUTH LOGIN"),
        (_base64(user), f"{_base64(user)} (AUTH LOGIN user {_q(user)})"),
        (_base64(password), f"{_base64(password)} (AUTH LOGIN password {_q(password)} for {_q(user)})"),
    ]


def _base64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
