"""Reading eximunit's settings from behave userdata (`-D name=value`, behave.ini)."""

from __future__ import annotations

import os
from typing import Mapping

from ..errors import InvalidInputError
from ..exim.binary import find_exim
from ..exim.inputs import check_ip, check_macro_name, check_port, check_timeout
from ..exim.options import EximOptions
from ..exim.sandbox import check_sandbox_base

__all__ = [
    "options_from_userdata",
    "server_from_userdata",
    "network_from_userdata",
    "coverage_from_userdata",
    "check_userdata_names",
    "early_start_from_userdata",
    "USERDATA_KEYS",
]

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
    "early_start": "yes (default): the next scenario's Exim starts while one runs, when nothing of "
    "eximunit's can change it; no: each starts its own when it first talks",
    "macros": "suite-wide macros, NAME=VALUE pairs separated by spaces (a value starting ./ or ../ "
    "is a path relative to the directory behave runs in)",
}
#: Userdata other tools set, never mistaken for a misspelt name (behavex's workers).
OTHERS_KEYS = frozenset({"worker_id"})
#: How many letters (added, dropped or changed) an unknown name may differ from one of
#: ours to be taken for a misspelling of it: `exim_conf`, `timout` and `macro` are;
#: a suite's own settings (`server`, `coverage_dir`, `leak_report`) are not.
_MISSPELT = 2
_YES = {"yes", "true", "on", "1"}
_NO = {"no", "false", "off", "0"}


def options_from_userdata(userdata: Mapping[str, str]) -> EximOptions:
    """EximOptions from userdata, the binary already found and every value checked
    (the coverage file's place, and the sandboxes' place and room, too). A name
    that looks like a misspelling of one of ours is refused, naming ours."""
    check_userdata_names(userdata)
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
    coverage_from_userdata(userdata)  # not after the whole run
    check_sandbox_base()  # TMPDIR missing, read-only or full: say so before any session
    return options


def check_userdata_names(userdata: Mapping[str, str]) -> None:
    """Raise InvalidInputError for a userdata name close to one of `USERDATA_KEYS` but
    not it: a misspelt `exim_config` would otherwise test the system configuration and
    pass. Other unknown names are a suite's own, or another tool's, and are left alone.

    >>> check_userdata_names({"exim_conf": "test.conf"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    eximunit_bdd.errors.InvalidInputError: userdata exim_conf=test.conf: ... did you mean exim_config? ...
    """
    for name in userdata:
        if name in USERDATA_KEYS or name in OTHERS_KEYS:
            continue
        written = name.strip().lower().replace("-", "_")
        close = [
            ours
            for ours in USERDATA_KEYS
            if _edits(written, ours) <= _MISSPELT and not written.startswith(ours + "_")
        ]
        if close:
            raise InvalidInputError(
                f"userdata {name}={userdata[name]}: eximunit has no setting {name}; did you mean "
                f"{close[0]}? ({close[0]}: {USERDATA_KEYS[close[0]]}.) A setting of your own "
                "steps needs a name further from eximunit's."
            )


def _edits(one: str, other: str) -> int:
    """Levenshtein distance: letters added, dropped or changed to make one the other."""
    previous = list(range(len(other) + 1))
    for row, letter in enumerate(one, 1):
        current = [row]
        for column, theirs in enumerate(other, 1):
            current.append(
                min(previous[column] + 1, current[-1] + 1, previous[column - 1] + (letter != theirs))
            )
        previous = current
    return previous[-1]


def coverage_from_userdata(userdata: Mapping[str, str]) -> str | None:
    """The coverage file (userdata `coverage`), checked now rather than after the whole
    run: not a directory, in a directory that exists and that this user can write."""
    value = str(userdata.get("coverage") or "").strip()
    if not value:
        return None
    path = os.path.abspath(value)
    parent = os.path.dirname(path)
    problem = None
    if os.path.isdir(path):
        problem = "that is a directory; name a file in it (coverage=DIRECTORY/coverage.json)"
    elif not os.path.isdir(parent):
        problem = f"its directory {parent} does not exist; make it, or name a file in one that does"
    elif os.path.exists(path) and not os.access(path, os.W_OK):
        problem = "this user cannot write that file"
    elif not os.path.exists(path) and not os.access(parent, os.W_OK | os.X_OK):
        problem = f"this user cannot make a file in {parent}"
    if problem:
        raise InvalidInputError(
            f"userdata coverage={value}: {problem}. The run's ACL coverage is written there when it ends."
        )
    return path


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


def early_start_from_userdata(userdata: Mapping[str, str]) -> bool:
    """Whether the next scenario's Exim may start while one runs (userdata
    `early_start`, yes by default), checked."""
    value = str(userdata.get("early_start") or "yes").strip().lower()
    if value not in _YES | _NO:
        raise InvalidInputError(f"userdata early_start={value!r}: write yes (the default) or no.")
    return value in _YES


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
