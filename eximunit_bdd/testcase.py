"""`EximTestCase`: unittest integration, after the original eximunit."""

from __future__ import annotations

import os
import unittest
from typing import Any, ClassVar, Mapping

from .exim import EximOptions
from .session import EximSession

__all__ = ["EximTestCase"]


class EximTestCase(unittest.TestCase):
    """A TestCase whose sessions are closed after each test, passed or failed.

    Set the class attributes to choose Exim and its configuration::

        class RelayPolicy(EximTestCase):
            exim_config = "examples/coop/exim4.conf"

            def test_no_open_relay(self):
                self.new_session("203.0.113.9").mail_from("a@example.net") \\
                    .assert_rcpt_to_rejected("x@other.test", 550)
    """

    exim_config: ClassVar[str | os.PathLike[str] | None] = None
    exim_binary: ClassVar[str | None] = None
    exim_macros: ClassVar[Mapping[str, str | None]] = {}
    exim_callouts: ClassVar[bool] = True
    exim_timeout: ClassVar[float] = 10.0

    def exim_options(self) -> EximOptions:
        """The options every `new_session` of this test uses."""
        return EximOptions(
            self.exim_binary, self.exim_config, dict(self.exim_macros), self.exim_callouts, self.exim_timeout
        )

    def new_session(self, client_ip: str = "127.0.0.1", **connection: Any) -> EximSession:
        """Start a session from `client_ip`; it is closed when the test ends.

        `connection` takes EximSession's keyword arguments (client_port, server_ip, ...).
        """
        session = EximSession(client_ip, options=self.exim_options(), **connection)
        self.addCleanup(session.close)
        return session
