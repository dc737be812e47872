"""The live server a scenario asked for (`Given the Exim server is running`), started
when a step first needs it, in the scenario's private network, and the connections
made to it. The throwaway CA is the run's: made at the first live scenario with TLS,
removed after the run (`close_shared_ca`)."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import NetworkUnavailableError, StepUsageError
from ..exim.options import EximOptions
from ..exim.sandbox import base_for_others
from ..live.channel import LiveChannel
from ..live.logs import DryRun
from ..live.server import LiveNetwork, LiveServer
from ..oneshot.options import ask_option
from ..smtp.connection import Connection
from ..smtp.session import EximSession

if TYPE_CHECKING:  # pragma: no cover
    from ..live.certificates import TestCA

__all__ = ["ScenarioLive", "close_shared_ca", "LIVE_ONLY"]

#: What a live-only step says in a scenario without a live server.
LIVE_ONLY = (
    "add 'Given the Exim server is running' to the scenario (a real Exim daemon, in its private network)"
)

_ca: TestCA | None = None
_ca_lock = threading.Lock()


def _shared_ca() -> TestCA:
    global _ca
    with _ca_lock:
        if _ca is None:
            from ..live.certificates import TestCA  # cryptography: only for a TLS scenario

            _ca = TestCA(base_for_others() if os.geteuid() == 0 else None)
        return _ca


def close_shared_ca() -> None:
    """Remove the run's throwaway CA and its certificates (after the run)."""
    global _ca
    with _ca_lock:
        if _ca is not None:
            _ca.close()
            _ca = None


class ScenarioLive:
    """What a scenario asked of its live server, and the server once started."""

    def __init__(self, network: LiveNetwork | None) -> None:
        self.network = network
        self.declared = False
        #: The name of its certificate (None: the configuration's primary_hostname).
        self.certificate_name: str | None = None
        #: More daemon options (`-os 5s`), from Given steps.
        self.arguments: list[str] = []
        self.server: LiveServer | None = None
        #: Sessions held open besides the scenario's (`Given N open connections`).
        self.held: list[EximSession] = []
        #: Dry-run deliveries made (each removed its message from the queue).
        self.dry_runs: list[DryRun] = []

    def declare(self, step: str, certificate_name: str | None = None) -> None:
        if self.network is None:
            raise NetworkUnavailableError(
                f"'{step}' needs the scenario's private network, and this scenario has none."
            )
        if self.declared and certificate_name != self.certificate_name:
            raise StepUsageError(
                "the Exim server is running already: say 'Given the Exim server is running' once."
            )
        self.declared = True
        self.certificate_name = certificate_name
        self._before_start(step)

    def add_arguments(self, step: str, *arguments: str) -> None:
        self._before_start(step)
        self.arguments.extend(arguments)

    def running(self, step: str, options: EximOptions) -> LiveServer:
        """The server, started now if need be; a StepUsageError in a scenario without one."""
        if not self.declared:
            raise StepUsageError(f"'{step}' needs a live Exim server: {LIVE_ONLY}.")
        if self.server is None:
            assert self.network is not None
            ca = _shared_ca()
            name = self.certificate_name or _primary_hostname(options)
            certificate = ca.server_certificate(name)
            macros = {
                "EXIMUNIT_TLS_CERTIFICATE": _past_the_name_limit(certificate.certificate),
                "EXIMUNIT_TLS_PRIVATEKEY": str(certificate.private_key),
            }
            # A spool of its own, which a daemon started by root (as Exim's user) can reach.
            server = LiveServer(options, self.network, None, macros, tuple(self.arguments), ca, certificate)
            self.server = server.start()
        return self.server

    def channel(self, server: LiveServer, connection: Connection, tls: bool) -> LiveChannel:
        """A connection to the server from the connection's client address (put on the
        network first), to its server address (127.0.0.1 by default) and port (the
        first one the server listens on)."""
        assert self.network is not None
        self.network.add_address(connection.client_ip)
        server_ip = connection.server_ip or "127.0.0.1"
        if server_ip != "127.0.0.1":
            self.network.add_address(server_ip)
        port = connection.server_port or server.ports[0]
        context = server.client_context() if tls else None
        return LiveChannel(
            server, connection.client_ip, server_ip, port, tls=context, server_name=server.server_name,
            client_port=connection.client_port or 0,
        )  # fmt: skip

    def close(self) -> None:
        try:
            for session in self.held:
                session.close()
        finally:
            self.held.clear()
            if self.server is not None:
                self.server.stop()
                self.server = None

    def _before_start(self, step: str) -> None:
        if self.server is not None:
            raise StepUsageError(
                f"'{step}' came after the live server had started: move it above the first step that talks."
            )


def _primary_hostname(options: EximOptions) -> str:
    return ask_option(options, "primary_hostname").option.value or "localhost"


def _past_the_name_limit(certificate: Path) -> str:
    """The path to give as EXIMUNIT_TLS_CERTIFICATE. Exim 4.96 keeps only 23 characters
    of a -D macro's name, so it defines EXIMUNIT_TLS_CERTIFICAT, and the configuration's
    `EXIMUNIT_TLS_CERTIFICATE` reads as that value with an `E` after it (measured). So
    the file is there under both names: the block works as documented with this Exim
    and with one that keeps the whole name."""
    with_e = Path(f"{certificate}E")
    if not with_e.exists():
        os.symlink(certificate.name, with_e)
    return str(certificate)
