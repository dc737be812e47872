"""eximunit-bdd: test an Exim configuration with real `exim -bhc` sessions.

For behave: `from eximunit_bdd.steps import *` in a steps file and
`from eximunit_bdd.environment import *` in environment.py.
For unittest/pytest: `EximSession` and `EximTestCase` for SMTP sessions, `EximConfig` for
routing, verification, expansions, options and the build.
"""

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
from .exim.binary import find_exim
from .exim.options import EximOptions
from .oneshot.build import EximBuild
from .oneshot.config import EximConfig, Expansion
from .oneshot.options import OptionValue
from .oneshot.routing import Delivery, Failure, Host, Routing, Verification
from .smtp.message import build_message, random_body
from .smtp.reply import Reply
from .smtp.session import DEFAULT_HELO_NAME, EximSession
from .testcase import EximTestCase
from .trace.headers import Header

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
