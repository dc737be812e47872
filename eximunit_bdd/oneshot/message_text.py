"""A test message given as text (for `exim -bf`, `-bF`, `-bem`), checked before Exim
reads it: Exim takes every line up to the first empty one as a header, so a body
line without the empty line before it silently becomes part of the headers
(measured: `$message_body` then is empty)."""

from __future__ import annotations

import re

from ..errors import InvalidInputError

__all__ = ["check_message"]

#: `Name: value` (RFC 5322: printable ASCII but the colon, then optional blanks).
_HEADER = re.compile(r"^[!-9;-~]+[ \t]*:")
#: The mbox separator Exim accepts as the first line (`From sender date`).
_FROM_LINE = re.compile(r"^From \S")


def check_message(text: str) -> str:
    """The message as Exim should read it: line ends as LF and a final newline.

    A message is header lines (`Name: value`, continuations indented), then an empty
    line, then the body; headers alone, or nothing, are fine too. Raises
    InvalidInputError, naming the line, when a line that is no header comes before
    the empty line.
    """
    text = text.replace("\r\n", "\n")
    if text and not text.endswith("\n"):
        text += "\n"
    for number, line in enumerate(text.split("\n")[:-1], 1):
        if not line:
            break
        if _HEADER.match(line) or (number == 1 and _FROM_LINE.match(line)):
            continue
        if line[0] in " \t" and number > 1:
            continue  # a folded header's continuation
        raise InvalidInputError(
            f"Line {number} of the test message, {line!r}, is neither a header (Name: value) "
            "nor the empty line that ends the headers: Exim would read it as a header. Write "
            "the headers, then an empty line, then the body (start with an empty line for a "
            "message without headers)."
        )
    return text
