"""eximunit-bdd: test an Exim configuration with real `exim -bhc` sessions.

For behave: `from eximunit_bdd.steps import *` in a steps file and
`from eximunit_bdd.environment import *` in environment.py.
For unittest/pytest: `EximSession` and `EximTestCase` for SMTP sessions, `EximConfig` for
routing, verification, expansions, options and the build.
"""

from .buildinfo import EximBuild
from .config_checks import EximConfig, Expansion
from .errors import (
    ConfigAssertionError,
    ConfigPermissionError,
    ConnectionClosedError,
    EximConfigError,
    EximCrashedError,
    EximNotFoundError,
    EximUnitError,
    InvalidInputError,
    ReasonHiddenError,
    ReplyTimeoutError,
    SmtpAssertionError,
    UnexpectedOutputError,
    UnexpectedReplyError,
)
from .exim import EximOptions, find_exim
from .message import build_message, random_body
from .optionvalues import OptionValue
from .reply import Reply
from .routing import Delivery, Failure, Host, Routing, Verification
from .session import DEFAULT_HELO_NAME, EximSession
from .testcase import EximTestCase
from .trace import Header

__all__ = [
    "EximSession",
    "EximTestCase",
    "EximOptions",
    "EximConfig",
    "Routing",
    "Delivery",
    "Failure",
    "Host",
    "Verification",
    "Expansion",
    "OptionValue",
    "EximBuild",
    "Reply",
    "Header",
    "find_exim",
    "build_message",
    "random_body",
    "DEFAULT_HELO_NAME",
    "EximUnitError",
    "SmtpAssertionError",
    "UnexpectedReplyError",
    "ConnectionClosedError",
    "InvalidInputError",
    "EximNotFoundError",
    "EximConfigError",
    "ConfigPermissionError",
    "EximCrashedError",
    "ReplyTimeoutError",
    "UnexpectedOutputError",
    "ConfigAssertionError",
    "ReasonHiddenError",
]
