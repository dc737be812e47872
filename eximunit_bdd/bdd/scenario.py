"""`ScenarioState`: what one scenario chose (configuration, macros, client, fake peers)
and what it did (sessions, routing checks); sessions start when a step first needs one.

Steps reach it with `scenario_state(context)`; a suite's own steps do the same
(docs/extending.md)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import StepUsageError
from ..exim.inputs import check_line, check_macro_name, check_port
from ..exim.options import EximOptions
from ..exim.sandbox import Sandbox
from ..fakes.peer import FakePeer, port_macro
from ..network.netns import PrivateNetwork
from ..oneshot.config import EximConfig
from ..oneshot.filtering import FilterResult
from ..oneshot.message_text import check_message
from ..oneshot.routing import Routing
from ..smtp.connection import Connection
from ..smtp.reply import Reply
from ..smtp.session import EximSession
from ..smtp.transcript import TranscriptLine
from .early_start import EarlyStarts
from .live import LIVE_ONLY, ScenarioLive
from .macro_clashes import check_given_macro, check_peer_macro

if TYPE_CHECKING:  # pragma: no cover
    from ..fakes.dns import FakeDns
    from ..fakes.dns_network import DnsNetwork
    from ..live.server import LiveServer

__all__ = ["ScenarioState", "scenario_state"]

Peer = TypeVar("Peer", bound=FakePeer)


def scenario_state(context: Any) -> ScenarioState:
    """The scenario's eximunit state (`context.eximunit`), for eximunit's steps and a
    suite's own; a clear error if eximunit's hooks did not run.

    >>> state = scenario_state(context)  # doctest: +SKIP
    >>> state.session.send("NOOP").code  # doctest: +SKIP
    250
    """
    state = getattr(context, "eximunit", None)
    if not isinstance(state, ScenarioState):
        raise StepUsageError(
            "eximunit's hooks did not run: put 'from eximunit_bdd.environment import *' "
            "in features/environment.py (or call its before_scenario from yours)."
        )
    return state


class ScenarioState:
    """What the Given steps chose (configuration, macros, client, fake peers) and the
    sessions.

    A session starts lazily at the first step that talks to Exim, so Given steps may
    come in any order. A second `Given a connection` starts a fresh session (a retry)
    with the configuration, macros and peers chosen so far; `sessions` keeps all of
    them. Fake peers live until `close_all`, after the sessions.
    """

    def __init__(
        self,
        options: EximOptions,
        dns_network: DnsNetwork | None = None,
        server: tuple[str | None, int | None] = (None, None),
    ) -> None:
        """With `dns_network`, every Exim and fake peer of the scenario runs inside its
        private network, where DNS is `dns_network.dns`. `server` is the server address
        and port a connection arrives at unless a step says otherwise (userdata
        `server_ip`, `server_port`)."""
        self.server = server
        self.options = options
        self._dns: FakeDns | None = None
        #: The private network the scenario's Exims and fake peers run in, if any.
        self._network = options.network if isinstance(options.network, PrivateNetwork) else None
        if dns_network is not None:
            self.options = dataclasses.replace(options, network=dns_network.network)
            self._dns = dns_network.dns
            self._network = dns_network.network
        self.macros: dict[str, str | None] = {}
        self.connection: Connection | None = None
        self.sessions: list[EximSession] = []
        #: Running fake peers by the macro that carries their port (HUB_PORT).
        self.peers: dict[str, FakePeer] = {}
        #: What the scenario's routing checks (-bt) found, for ACL coverage.
        self.routings: list[Routing] = []
        self._sender: str | None = None
        self._message: str | None = None
        self._filtered: FilterResult | None = None
        self._current: EximSession | None = None
        self._sandbox: Sandbox | None = None
        #: Settings changed after the current session started; they need a new connection.
        self._unapplied: list[str] = []
        #: The live server the scenario asked for, if it did.
        self.live = ScenarioLive(self._network)
        #: The current connection has TLS from its first byte (implicit TLS).
        self._implicit_tls = False
        #: The replies to the last commands sent at once.
        self.batch: list[Reply] = []
        #: Where an Exim started early for this scenario may be (`early_start`), and
        #: the scenario behave knows it by.
        self.early: tuple[EarlyStarts, Any] | None = None

    def use_config(self, path: str) -> None:
        """Relative paths are taken from the directory behave runs in."""
        config = Path(path).expanduser()
        if not config.is_absolute():
            config = Path(os.getcwd()) / config
        self.options = dataclasses.replace(self.options, config=config)
        self.options.config_path()  # a missing file fails this step, not a later one
        self._changed(f'the Exim configuration "{path}"')

    def define_macro(self, name: str, value: str | None) -> None:
        check_given_macro(check_macro_name(name), self.peers)
        self.macros[name] = value
        self._changed(f"the macro {name}")

    def add_peer(self, peer: Peer) -> Peer:
        """Start `peer` for this scenario and pass its port as the macro NAME_PORT.

        A peer declared again under the same name (a Background's hub, then "is down"
        in one scenario) replaces the earlier one, which is stopped first.
        """
        check_peer_macro(peer, self.peers, self.macros, self.options.with_macros(self.macros))
        earlier = self.peers.pop(peer.macro, None)
        if earlier is not None:
            earlier.stop()
        peer.network = self._network
        self.peers[peer.macro] = peer.start()
        self.macros[peer.macro] = str(peer.port)
        self._changed(f'the fake {peer.kind} "{peer.name}"')
        return peer

    def peer(self, name: str) -> FakePeer | None:
        """The fake peer declared under `name` in this scenario, if any."""
        return self.peers.get(port_macro(name))

    def connect(
        self,
        client_ip: str,
        server_ip: str | None = None,
        server_port: int | str | None = None,
        client_port: int | str | None = None,
        *,
        tls: bool = False,
    ) -> None:
        """The next step that talks starts a session as from `client_ip`:`client_port`,
        arriving at `server_ip`:`server_port` (`-oMi`; by default the userdata's); the
        current one, if any, is hung up. `tls`: TLS from the first byte (a live
        server's implicit TLS port)."""
        if tls and not self.live.declared:
            raise StepUsageError(f"a TLS connection needs a live Exim server: {LIVE_ONLY}, above this step.")
        self._implicit_tls = tls
        self.connection = Connection(
            client_ip,
            check_port(client_port, "client port"),
            server_ip if server_ip is not None else self.server[0],
            check_port(server_port, "server port") if server_port is not None else self.server[1],
        )
        if self._current is not None:
            self._current.close()  # hung up, as a client would before retrying; transcript kept
        self._current = None  # the next step that talks starts a new session
        self._unapplied.clear()

    def tell(
        self,
        step: str,
        *,
        host_name: str | None = None,
        ident: str | None = None,
        authenticated: tuple[str, str] | None = None,
    ) -> None:
        """Tell Exim more about the client of the connection: its host name, its ident,
        or (`authenticated`: id, authenticator) that it has authenticated (`Connection`)."""
        if self.connection is None:
            raise StepUsageError(
                f"write 'Given a connection from IP' before '{step}': it tells about that client."
            )
        connection = self.connection
        if host_name is not None:
            connection = dataclasses.replace(connection, host_name=host_name)
        if ident is not None:
            connection = dataclasses.replace(connection, ident=ident)
        if authenticated is not None:
            identity, authenticator = authenticated
            connection = dataclasses.replace(
                connection, authenticated_id=identity, authenticator=authenticator
            )
        self.connection = connection
        self._changed(f"'{step}'")

    @property
    def session(self) -> EximSession:
        """The current session, started now if the scenario has not talked yet."""
        if self._unapplied:
            raise StepUsageError(
                f"{' and '.join(self._unapplied)} came after the session had started, so it "
                "cannot apply to it: move it above the first When/Then step, or follow it "
                "with another 'Given a connection from ...'."
            )
        if self._current is None:
            if self.connection is None:
                raise StepUsageError(
                    "No connection yet: begin the scenario (or its Background) with "
                    "'Given a connection from 192.0.2.1'."
                )
            if self.live.declared:
                self._current = self._live_session(self.connection)
            else:
                self._current = self._bh_session(self.connection, self.options.with_macros(self.macros))
            self.sessions.append(self._current)
        return self._current

    def _bh_session(self, connection: Connection, options: EximOptions) -> EximSession:
        """An `exim -bh` session: the one started early for this scenario if it was
        started for exactly this (the scenario's first), else one started now."""
        if self._sandbox is None and self.early is not None:
            starts, scenario = self.early
            early = starts.take(scenario, connection, options)
            if early is not None:
                self._sandbox = early.sandbox
                return EximSession.connected(connection, options=options, channel=early.channel)
        return EximSession.connected(connection, options=options, sandbox=self.sandbox)

    @property
    def sandbox(self) -> Sandbox:
        """The scenario's spool, which its sessions (and its live server) share."""
        if self._sandbox is None:
            self._sandbox = Sandbox()
        return self._sandbox

    def live_server(self, step: str) -> LiveServer:
        """The scenario's live server, started now if need be (StepUsageError, saying to
        add 'Given the Exim server is running', in a scenario without one)."""
        return self.live.running(step, self.options.with_macros(self.macros))

    def talk_before_greeting(self, line: str) -> None:
        """Start the connection's session by sending `line` before reading the greeting."""
        if self._current is not None or self.connection is None:
            raise StepUsageError(
                "write 'When I send ... before the greeting' right after 'Given a connection from IP': "
                "it is the first thing the client sends."
            )
        self._current = self._live_session(self.connection, before_greeting=check_line(line, "SMTP command"))
        self.sessions.append(self._current)

    def hold_connections(self, client_ip: str, count: int) -> None:
        """Open `count` greeted connections from `client_ip` to the live server, held
        until the scenario ends."""
        for _ in range(count):
            session = self._live_session(
                Connection(client_ip, None, self.server[0], self.server[1]), tls=False
            )
            self.live.held.append(session)

    def try_connection(self, client_ip: str) -> EximSession:
        """One more connection from `client_ip` (its greeting read), kept with the others."""
        session = self._live_session(Connection(client_ip, None, self.server[0], self.server[1]), tls=False)
        self.sessions.append(session)
        return session

    def _live_session(
        self, connection: Connection, before_greeting: str | None = None, tls: bool | None = None
    ) -> EximSession:
        """A session over a live connection; `tls` None: as the scenario's connection says."""
        told = {
            "host name": connection.host_name,
            "ident": connection.ident,
            "an authentication": connection.authenticator,
        }
        for what, value in told.items():
            if value is not None:
                raise StepUsageError(
                    f"a live connection cannot be told the client's {what}: Exim finds it out itself. "
                    "Tell it in an exim -bh scenario (without 'Given the Exim server is running')."
                )
        server = self.live_server("Given a connection from ...")
        tls = self._implicit_tls if tls is None else tls
        if before_greeting is None or tls:  # (TLS: the handshake needs the daemon)
            channel = self.live.channel(server, connection, tls)
            if before_greeting is not None:
                channel.send(before_greeting + "\r\n")
        else:
            with server.accepting_later():  # the line is there before Exim looks for it
                channel = self.live.channel(server, connection, tls)
                channel.send(before_greeting + "\r\n")
        session = EximSession.over(channel, connection.client_ip)
        if before_greeting is not None:
            session.transcript.lines.insert(
                0, TranscriptLine("C", f"{before_greeting} (before the greeting)")
            )
        return session

    @property
    def dns(self) -> FakeDns:
        """The scenario's fake DNS (scenarios with DNS steps have one)."""
        if self._dns is None:
            raise StepUsageError(
                "this scenario has no fake DNS: eximunit gives one to scenarios whose steps "
                "declare DNS records (Given the DNS record ...), from before the scenario starts."
            )
        return self._dns

    @property
    def config(self) -> EximConfig:
        """One-shot questions (-bt, -bv, -be, -bP, -bV) with the configuration, macros
        and fake peers chosen so far; each runs its own Exim, so none needs a connection."""
        return EximConfig(
            options=self.options.with_macros(self.macros), routings=self.routings, sender=self._sender
        )

    @property
    def sender(self) -> str | None:
        """The envelope sender of routing, verification and filter checks (`-f`), if given."""
        return self._sender

    @sender.setter
    def sender(self, address: str) -> None:
        self._sender = address
        self._filtered = None  # a filter result was for another envelope

    @property
    def message(self) -> str:
        """The message of `Given the message:`, which filter checks and message
        expansions use."""
        if self._message is None:
            raise StepUsageError(
                'this step needs a message: write it under "Given the message:" (headers, an '
                "empty line, the body) before it."
            )
        return self._message

    @message.setter
    def message(self, text: str) -> None:
        self._message = check_message(text)  # a malformed message fails the Given step
        self._filtered = None  # a filter result was for another message

    @property
    def filtered(self) -> FilterResult:
        """What the last filter check found."""
        if self._filtered is None:
            raise StepUsageError(
                'no filter has handled the message yet: write "When the filter "PATH" handles the '
                'message" or "When the system filter handles the message" before this step.'
            )
        return self._filtered

    @filtered.setter
    def filtered(self, result: FilterResult) -> None:
        self._filtered = result

    @property
    def last_reply(self) -> Reply:
        return self.session.last_reply

    def close_all(self) -> None:
        """Close every session, then stop every fake peer (idempotent); the first
        error is raised once everything is closed."""
        errors = []
        closables: list[EximSession | ScenarioLive | FakePeer] = [
            *self.sessions,
            self.live,
            *self.peers.values(),
        ]
        for closable in closables:
            try:
                closable.close()
            except Exception as error:  # noqa: BLE001 - close the others first
                errors.append(error)
        self.peers.clear()
        if self._sandbox is not None:
            self._sandbox.cleanup()  # after the sessions that used it
            self._sandbox = None
        if errors:
            raise errors[0]

    def _changed(self, what: str) -> None:
        if self._current is not None:
            self._unapplied.append(what)
