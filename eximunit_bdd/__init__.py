"""eximunit-bdd: test an Exim configuration with real `exim -bhc` sessions.

For behave: `from eximunit_bdd.steps import *` in a steps file and
`from eximunit_bdd.environment import *` in environment.py.
For unittest/pytest: `EximSession` and `EximTestCase` for SMTP sessions, `EximConfig` for
routing, verification, expansions, options, the build, filters, rewriting and retry
rules. Everything public is here; `docs/api.md` describes it and `docs/architecture.md`
says where each part lives.
"""

from . import errors
from .bdd.scenario import ScenarioState, scenario_state
from .errors import *  # noqa: F403 - every error is public: errors.__all__
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


#: The version of eximunit-bdd (`eximunit-bdd --version` says it too).
__version__ = _distribution_version()

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
