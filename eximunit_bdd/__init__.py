"""eximunit-bdd: test an Exim configuration with real `exim -bhc` sessions.

For behave: `from eximunit_bdd.steps import *` in a steps file and
`from eximunit_bdd.environment import *` in environment.py.
For unittest/pytest: `EximSession` and `EximTestCase` for SMTP sessions, `EximConfig` for
routing, verification, expansions, options, the build, filters, rewriting and retry
rules. Everything public is here; `docs/api.md` describes it and `docs/architecture.md`
says where each part lives.
"""

import typing

from . import errors, lazy
from .errors import *  # noqa: F403 - every error is public: errors.__all__

# Imported when first used: `import eximunit_bdd.steps` must not load what a run may
# never use (eximunit_bdd.lazy). The same names, for type checkers:
_EXPORTS = {
    ".bdd.scenario": ("ScenarioState", "scenario_state"),
    ".exim.binary": ("find_exim",),
    ".exim.options": ("EximOptions",),
    ".oneshot.build": ("EximBuild",),
    ".oneshot.config": ("EximConfig", "Expansion"),
    ".oneshot.delivery_path": ("DeliveryPath",),
    ".oneshot.filtering": ("FilterResult",),
    ".oneshot.options": ("OptionValue",),
    ".oneshot.retry": ("Retry", "RetryRule"),
    ".oneshot.rewriting": ("Rewriting",),
    ".oneshot.routing": ("Delivery", "Failure", "Host", "Routing"),
    ".oneshot.verification": ("Verification",),
    ".smtp.bh_channel": ("BhChannel",),
    ".smtp.channel": ("Channel", "Received"),
    ".smtp.connection": ("Connection",),
    ".smtp.message": ("build_message", "random_body"),
    ".smtp.reply": ("Reply",),
    ".smtp.scripted_channel": ("ScriptedChannel",),
    ".smtp.session": ("DEFAULT_HELO_NAME", "EximSession"),
    ".testcase": ("EximTestCase",),
    ".trace.headers": ("Header",),
}
if typing.TYPE_CHECKING:  # pragma: no cover
    from .bdd.scenario import ScenarioState, scenario_state
    from .exim.binary import find_exim
    from .exim.options import EximOptions
    from .oneshot.build import EximBuild
    from .oneshot.config import EximConfig, Expansion
    from .oneshot.delivery_path import DeliveryPath
    from .oneshot.filtering import FilterResult
    from .oneshot.options import OptionValue
    from .oneshot.retry import Retry, RetryRule
    from .oneshot.rewriting import Rewriting
    from .oneshot.routing import Delivery, Failure, Host, Routing
    from .oneshot.verification import Verification
    from .smtp.bh_channel import BhChannel
    from .smtp.channel import Channel, Received
    from .smtp.connection import Connection
    from .smtp.message import build_message, random_body
    from .smtp.reply import Reply
    from .smtp.scripted_channel import ScriptedChannel
    from .smtp.session import DEFAULT_HELO_NAME, EximSession
    from .testcase import EximTestCase
    from .trace.headers import Header

_export, __dir__ = lazy.lazy_exports(__name__, _EXPORTS, globals())


def _distribution_version() -> str:
    """The installed distribution's version (wheel or editable); run from a checkout
    that was never installed, pyproject.toml's, the one place it is written."""
    import re
    from importlib import metadata
    from pathlib import Path

    try:
        return metadata.version("eximunit-bdd")
    except metadata.PackageNotFoundError:
        pass
    try:
        pyproject = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text()
    except (OSError, UnicodeDecodeError):
        return "0+unknown"  # neither installed nor in its checkout
    project = pyproject.partition("\n[project]\n")[2].partition("\n[")[0]
    found = re.search(r'^version\s*=\s*"([^"]+)"', project, re.M)
    return found.group(1) if found else "0+unknown"


def __getattr__(name: str) -> typing.Any:
    if name == "__version__":  # the version of eximunit-bdd (`eximunit-bdd --version`)
        globals()[name] = _distribution_version()
        return globals()[name]
    return _export(name)


__all__ = [
    # sessions and their channels
    "EximSession",
    "EximTestCase",
    "EximOptions",
    "Channel",
    "Received",
    "BhChannel",
    "ScriptedChannel",
    "Reply",
    "Header",
    "find_exim",
    "build_message",
    "random_body",
    "DEFAULT_HELO_NAME",
    # one-shot questions
    "EximConfig",
    "Routing",
    "Delivery",
    "Failure",
    "Host",
    "Verification",
    "Expansion",
    "OptionValue",
    "EximBuild",
    "DeliveryPath",
    "FilterResult",
    "Rewriting",
    "Retry",
    "RetryRule",
    # a suite's own steps and fakes (docs/extending.md; fakes in eximunit_bdd.fakes)
    "scenario_state",
    "ScenarioState",
    "Connection",
]
# Every error (eximunit_bdd.errors draws the tree).
__all__ += errors.__all__
