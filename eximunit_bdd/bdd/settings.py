"""Reading eximunit's settings from behave userdata (`-D name=value`, behave.ini)."""

from __future__ import annotations

from typing import Mapping

from ..errors import InvalidInputError
from ..exim.binary import find_exim
from ..exim.inputs import check_timeout
from ..exim.options import EximOptions

__all__ = ["options_from_userdata", "USERDATA_KEYS"]

#: The userdata names eximunit reads, with what each means.
USERDATA_KEYS = {
    "exim_config": "the Exim configuration to test (absent: the installed system configuration)",
    "exim": "the Exim binary (absent: exim4, then exim, on PATH or in /usr/sbin)",
    "callouts": "yes (default): sessions run -bhc and do callouts; no: -bh",
    "timeout": "seconds to wait for any single reply (default 10)",
    "coverage": "a file to write the run's ACL coverage to (JSON; eximunit-bdd coverage reads it)",
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
        callouts=callouts in _YES,
        timeout=timeout,
    )
    options.config_path()  # fail now, once, rather than in every scenario
    return options
