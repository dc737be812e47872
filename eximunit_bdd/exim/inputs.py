"""Checks on what a spec gives eximunit before anything reaches Exim: command lines,
addresses, IP addresses, ports, macro names."""

from __future__ import annotations

import ipaddress
import math
import re

from ..errors import InvalidInputError

__all__ = ["check_line", "check_address", "check_ip", "check_port", "check_macro_name", "check_timeout"]

#: Exim reads macro names in ASCII: an upper-case letter, then letters, digits, `_`.
_MACRO_NAME = re.compile(r"[A-Z][A-Za-z0-9_]*")


def check_line(value: str, what: str) -> str:
    """Refuse CR, LF and NUL: they would smuggle extra SMTP commands in."""
    for char, name in (("\r", "CR"), ("\n", "LF"), ("\0", "NUL")):
        if char in value:
            raise InvalidInputError(f"{what} {value!r} contains {name}; nothing was sent.")
    return value


def check_address(address: str) -> str:
    """A mail address as given, without surrounding <>; refused if it holds CR/LF/NUL
    or brackets inside."""
    address = check_line(address.strip(), "address")
    if address.startswith("<") and address.endswith(">"):
        address = address[1:-1]
    if "<" in address or ">" in address:
        raise InvalidInputError(f"address {address!r} contains < or >; give it without brackets.")
    return address


def check_ip(value: str, what: str = "client IP") -> str:
    """A valid IPv4 or IPv6 address, normalised; InvalidInputError otherwise."""
    if "%" in value:
        raise InvalidInputError(
            f"{what} {value!r} names an interface (%...), which means nothing to Exim's -bh "
            "and makes it fail: write the address alone (fe80::1)."
        )
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise InvalidInputError(
            f"{what} {value!r} is not an IP address; write it as 192.0.2.1 or 2001:db8::1."
        ) from None


def check_port(port: int | str | None, what: str) -> int | None:
    """A port number 1-65535 (None stays None); InvalidInputError otherwise."""
    if port is None:
        return None
    try:
        number = int(port)
    except (TypeError, ValueError):
        number = -1
    if not 0 < number < 65536:
        raise InvalidInputError(f"{what} {port!r} is not a port number (1-65535).")
    return number


def check_macro_name(name: str) -> str:
    """Exim macro names start with an upper-case letter: `HUB_PORT`."""
    if not _MACRO_NAME.fullmatch(name):
        raise InvalidInputError(
            f"macro name {name!r} is not valid: Exim macro names start with an upper-case "
            "letter and contain only letters, digits and underscores (HUB_PORT)."
        )
    return name


def check_timeout(timeout: float | str, what: str = "timeout") -> float:
    """A number of seconds above 0 and finite (`inf` would wait for ever)."""
    try:
        seconds = float(timeout)
    except (TypeError, ValueError):
        seconds = math.nan
    if not (seconds > 0 and math.isfinite(seconds)):
        raise InvalidInputError(f"{what}={timeout!r}: write a number of seconds above 0, such as 10.")
    return seconds
