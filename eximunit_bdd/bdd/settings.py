"""Reading eximunit's settings from behave userdata (`-D name=value`, behave.ini)."""

from __future__ import annotations

import os
from typing import Mapping

from ..errors import InvalidInputError
from ..exim.binary import find_exim
from ..exim.inputs import check_ip, check_macro_name, check_port, check_timeout
from ..exim.options import EximOptions

__all__ = ["options_from_userdata", "server_from_userdata", "network_from_userdata", "USERDATA_KEYS"]

#: The userdata names eximunit reads, with what each means.
USERDATA_KEYS = {
    "exim_config": "the Exim configuration to test (absent: the installed system configuration)",
    "exim": "the Exim binary (absent: exim4, then exim, on PATH or in /usr/sbin)",
    "callouts": "yes (default): sessions run -bhc and do callouts; no: -bh",
    "timeout": "seconds to wait for any single reply (default 10)",
    "coverage": "a file to write the run's ACL coverage to (JSON; eximunit-bdd coverage reads it)",
    "server_ip": "the server address every connection arrives at (-oMi), unless a step says otherwise",
    "server_port": "the server port every connection arrives at, unless a step says otherwise",
    "network": "private (default): each scenario's Exims, fake peers and fake DNS (an empty zone unless "
    "the scenario declares records) in a private loopback-only network; host: on the machine's network, "
    "where Exim's own DNS lookups reach the machine's resolver",
    "macros": "suite-wide macros, NAME=VALUE pairs separated by spaces (a value starting ./ or ../ "
    "is a path relative to the directory behave runs in)",
}
_YES = {"yes", "true", "on", "1"}
_NO = {"no", "false", "off", "0"}


def options_from_userdata(userdata: Mapping[str, str]) -> EximOptions:
    """EximOptions from userdata, the binary already found and every value checked."""
    callouts = str(userdata.get("callouts", "yes")).strip().lower()
    if callouts not in _YES | _NO:
        raise InvalidInputError(f"userdata callouts={callouts!r}: write yes or no.")
    timeout = check_timeout(userdata.get("timeout", "10"), "userdata timeout")
    options = EximOptions(
        exim=find_exim(userdata.get("exim") or None),
        config=userdata.get("exim_config") or None,
        macros=_macros(str(userdata.get("macros", ""))),
        callouts=callouts in _YES,
        timeout=timeout,
    )
    options.config_path()  # fail now, once, rather than in every scenario
    return options


def server_from_userdata(userdata: Mapping[str, str]) -> tuple[str | None, int | None]:
    """The server address and port connections arrive at (userdata `server_ip`,
    `server_port`), checked; None for each that is not given."""
    ip = str(userdata.get("server_ip") or "").strip() or None
    port = str(userdata.get("server_port") or "").strip() or None
    return (
        check_ip(ip, "userdata server_ip") if ip else None,
        check_port(port, "userdata server_port"),
    )


def network_from_userdata(userdata: Mapping[str, str]) -> str:
    """`private` (the default) or `host` (userdata `network`), checked."""
    network = str(userdata.get("network") or "private").strip().lower()
    if network not in ("private", "host"):
        raise InvalidInputError(f"userdata network={network!r}: write private (the default) or host.")
    return network


def _macros(text: str) -> dict[str, str | None]:
    """`HUB_PORT=2525 CONFDIR=./etc MAINTENANCE`: a value starting ./ or ../ is made a
    path from the directory behave runs in (Exim runs elsewhere); a bare name is defined."""
    macros: dict[str, str | None] = {}
    for pair in text.split():
        name, equals, value = pair.partition("=")
        if value.startswith(("./", "../")):
            value = os.path.abspath(value)
        macros[check_macro_name(name)] = value if equals else None
    return macros
