"""`EximTestCase`: unittest integration, after the original eximunit."""

from __future__ import annotations

import os
import unittest
from typing import Any, ClassVar, Mapping, TypeVar

from .exim.options import EximOptions
from .fakes import FakePeer
from .oneshot.config import EximConfig
from .smtp.session import EximSession

__all__ = ["EximTestCase"]

Peer = TypeVar("Peer", bound=FakePeer)


class EximTestCase(unittest.TestCase):
    """A TestCase whose sessions are closed after each test, passed or failed.

    Set the class attributes to choose Exim and its configuration::

        class RelayPolicy(EximTestCase):
            exim_config = "examples/coop/exim4.conf"

            def test_no_open_relay(self):
                self.new_session("203.0.113.9").mail_from("a@example.net") \\
                    .assert_rcpt_to_rejected("x@other.test", 550)

            def test_unknown_hub_mailbox(self):
                self.start_peer(FakeSmtpServer("hub", recipients=["bob@shop.test"]))
                self.new_session("192.0.2.1").mail_from("a@example.net") \\
                    .assert_rcpt_to_rejected("nobody@shop.test", 550)
    """

    exim_config: ClassVar[str | os.PathLike[str] | None] = None
    exim_binary: ClassVar[str | None] = None
    exim_macros: ClassVar[Mapping[str, str | None]] = {}
    exim_callouts: ClassVar[bool] = True
    exim_timeout: ClassVar[float] = 10.0

    def __init__(self, methodName: str = "runTest") -> None:
        super().__init__(methodName)
        self._peer_macros: dict[str, str] = {}

    def exim_options(self) -> EximOptions:
        """The options every `new_session` of this test uses."""
        macros = {**self.exim_macros, **self._peer_macros}
        return EximOptions(self.exim_binary, self.exim_config, macros, self.exim_callouts, self.exim_timeout)

    def start_peer(self, peer: Peer) -> Peer:
        """Start a fake peer for this test; it is stopped when the test ends, and
        every later `new_session` gets its port as the macro NAME_PORT."""
        peer.start()
        self.addCleanup(peer.stop)
        self._peer_macros.update(peer.macros())
        return peer

    def configuration(self) -> EximConfig:
        """Routing, verification, expansion and option checks with this test's options:
        `self.configuration().assert_routed("anna@coop.test", router="mailboxes")`."""
        return EximConfig(options=self.exim_options())

    def new_session(self, client_ip: str = "127.0.0.1", **connection: Any) -> EximSession:
        """Start a session from `client_ip`; it is closed when the test ends.

        `connection` takes EximSession's keyword arguments (client_port, server_ip, ...).
        """
        session = EximSession(client_ip, options=self.exim_options(), **connection)
        self.addCleanup(session.close)
        return session
