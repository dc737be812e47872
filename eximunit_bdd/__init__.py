"""eximunit-bdd: test an Exim configuration with real `exim -bhc` sessions.

For behave: `from eximunit_bdd.steps import *` in a steps file and
`from eximunit_bdd.environment import *` in environment.py.
For unittest/pytest: `EximSession` and `EximTestCase`.
"""

from .errors import (
    ConfigPermissionError,
    ConnectionClosedError,
    EximConfigError,
    EximCrashedError,
    EximNotFoundError,
    EximUnitError,
    InvalidInputError,
    ReplyTimeoutError,
    SmtpAssertionError,
    UnexpectedReplyError,
)
from .exim import EximOptions, find_exim
from .message import build_message, random_body
from .reply import Reply
from .session import DEFAULT_HELO_NAME, EximSession
from .testcase import EximTestCase
from .trace import Header

__all__ = [
    "EximSession",
    "EximTestCase",
    "EximOptions",
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
]
