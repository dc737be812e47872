"""`EximOptions`: which Exim, which configuration, and how every run of it is started."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Protocol, Sequence

from ..errors import EximConfigError, InvalidInputError
from .binary import find_exim
from .inputs import check_line, check_macro_name, check_timeout
from .sandbox_check import check_sandbox_used

__all__ = ["EximOptions", "MAX_MACROS", "Network"]

#: Exim refuses more -D options than this ("too many -D options"): MAX_CLMACROS.
MAX_MACROS = 10

class Network(Protocol):
    """Where Exim runs, when not on the machine's own network: a command prefix
    (`network.netns.PrivateNetwork` is one)."""

    def command(self, argv: Sequence[str]) -> list[str]:
        """`argv` run inside the network."""
        ...


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
    network: Network | None = None

    def __post_init__(self) -> None:
        # The same checks as the userdata's, for the Python API.
        object.__setattr__(self, "timeout", check_timeout(self.timeout))
        for name in self.macros:
            check_macro_name(name)

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
        -D would make a non-root Exim drop privileges and fail at DATA. A configuration
        that ignores the sandbox's spool is refused (once per configuration: see
        `sandbox_check`).
        """
        argv = [self.binary()]
        config = self.config_path()
        if config is None:
            return argv + self.macro_args()
        argv += ["-C", str(config), *self.macro_args(sandbox_macros)]
        if "EXIMUNIT_SPOOL" in sandbox_macros:
            check_sandbox_used(argv, config, sandbox_macros["EXIMUNIT_SPOOL"], self.launch, self.timeout)
        return argv

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
