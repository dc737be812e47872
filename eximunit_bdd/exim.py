"""Finding the Exim binary and building its command line."""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from .errors import EximConfigError, EximNotFoundError, InvalidInputError

if TYPE_CHECKING:  # pragma: no cover
    from .netns import PrivateNetwork

__all__ = [
    "find_exim",
    "EximOptions",
    "MAX_MACROS",
    "check_address",
    "check_ip",
    "check_port",
    "check_macro_name",
    "check_line",
]

_DEFAULT_NAMES = ("exim4", "exim")
#: Exim refuses more -D options than this ("too many -D options"): MAX_CLMACROS.
MAX_MACROS = 10
_SBIN = "/usr/sbin"


def find_exim(name: str | os.PathLike[str] | None = None) -> str:
    """The path of the Exim binary: `name` if given, else `exim4` then `exim`,
    each on PATH or in /usr/sbin (which an unprivileged PATH often lacks).

    Raises EximNotFoundError naming every place tried.
    """
    names = [os.fspath(name)] if name else list(_DEFAULT_NAMES)
    tried: list[str] = []
    for candidate in names:
        if os.sep in candidate:
            tried.append(candidate)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return os.path.abspath(candidate)
            continue
        found = shutil.which(candidate) or shutil.which(candidate, path=_SBIN)
        tried.append(f"{candidate} (on PATH and in {_SBIN})")
        if found:
            return found
    raise EximNotFoundError(
        "Exim was not found; tried: " + ", ".join(tried) + ". Install it "
        "(Debian/Ubuntu: apt-get install exim4-daemon-heavy) or name the binary "
        "with -D exim=/path/to/exim (Python: EximOptions(exim=...)).",
        tried,
    )


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
    if not name[:1].isupper() or not all(c.isalnum() or c == "_" for c in name):
        raise InvalidInputError(
            f"macro name {name!r} is not valid: Exim macro names start with an upper-case "
            "letter and contain only letters, digits and underscores (HUB_PORT)."
        )
    return name


@dataclass(frozen=True)
class EximOptions:
    """Which Exim, which configuration, how to run it: shared by every session.

    `config` None means the installed system configuration, used as it is.
    """

    exim: str | None = None
    config: str | os.PathLike[str] | None = None
    macros: Mapping[str, str | None] = field(default_factory=dict)
    callouts: bool = True
    timeout: float = 10.0
    #: Run Exim inside this private network (fake DNS), not the machine's.
    network: PrivateNetwork | None = None

    def binary(self) -> str:
        return find_exim(self.exim)

    def config_path(self) -> Path | None:
        """The configuration as an absolute path, checked to exist and be readable."""
        if self.config is None:
            return None
        path = Path(self.config).expanduser().absolute()
        if not path.is_file():
            raise EximConfigError(
                f"Exim configuration {path} does not exist (or is not a file); "
                "check the exim_config userdata or the 'Given the Exim configuration' step."
            )
        if not os.access(path, os.R_OK):
            raise EximConfigError(f"Exim configuration {path} is not readable by this user.")
        return path

    def with_macros(self, extra: Mapping[str, str | None]) -> EximOptions:
        merged = dict(self.macros)
        merged.update(extra)
        return dataclasses.replace(self, macros=merged)

    def launch(self, argv: list[str]) -> list[str]:
        """What to run for `argv`: itself, or `nsenter ... -- argv` inside the network."""
        return self.network.command(argv) if self.network is not None else argv

    def base_argv(self, sandbox_macros: Mapping[str, str]) -> list[str]:
        """The binary, `-C CONFIG` and every `-D` macro, before the mode's own arguments.

        The sandbox's macros go only with our own -C: given to the system configuration,
        -D would make a non-root Exim drop privileges and fail at DATA.
        """
        argv = [self.binary()]
        config = self.config_path()
        if config is None:
            return argv + self.macro_args()
        return argv + ["-C", str(config), *self.macro_args(sandbox_macros)]

    def macro_args(self, extra: Mapping[str, str | None] = {}) -> list[str]:
        """`-DNAME=VALUE` (or `-DNAME` for a value of None) for every macro."""
        macros = {**self.macros, **extra}
        if len(macros) > MAX_MACROS:
            raise InvalidInputError(
                f"Exim takes at most {MAX_MACROS} -D macros and this session has {len(macros)}: "
                + ", ".join(macros)
                + ". eximunit's own are the EXIMUNIT_* ones (with -C) and "
                "each fake peer adds its NAME_PORT; pass fewer (a value that never changes "
                "belongs in the configuration file)."
            )
        args = []
        for name, value in macros.items():
            check_macro_name(name)
            if value is None:
                args.append(f"-D{name}")
            else:
                args.append(f"-D{name}={check_line(str(value), f'value of macro {name}')}")
        return args
