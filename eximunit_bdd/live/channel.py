"""`LiveChannel`: a real TCP connection (then TLS, after STARTTLS or at once) from the
scenario's client address to its live Exim daemon, on the session's channel seam, so
that every reply step works against it unchanged. Each reply comes with the trace the
daemon's process for this connection wrote while deciding it."""

from __future__ import annotations

import select
import socket
import ssl
import time
from typing import TYPE_CHECKING

from ..errors import EximUnitError, LiveServerError, ReplyTimeoutError
from ..smtp.channel import Received
from ..smtp.reply import REPLY_END
from ..text import decoded

if TYPE_CHECKING:  # pragma: no cover
    from .certificates import CertificateFiles
    from .server import LiveServer

__all__ = ["LiveChannel"]

_READ_SIZE = 65536
#: How long a greeted connection waits for the daemon to name its process.
_NAMING_WAIT = 0.5


class LiveChannel:
    """A client connected from `client_ip` to `server_ip`:`port`; with `tls` (a client
    context), TLS from the first byte (implicit TLS, port 465)."""

    traced = True

    def __init__(
        self,
        server: LiveServer,
        client_ip: str,
        server_ip: str,
        port: int,
        *,
        tls: ssl.SSLContext | None = None,
        server_name: str | None = None,
        client_port: int = 0,
    ) -> None:
        self.server = server
        self.client_ip, self.server_ip, self.port = client_ip, server_ip, port
        self.timeout = server.timeout
        #: The name the server's certificate must bear (default: the one it was made for).
        self.server_name = server_name or server.server_name
        self.tls: ssl.SSLContext | None = None
        #: The certificate this client shows when it starts TLS, if any.
        self.client_certificate: CertificateFiles | None = None
        self._buffer = b""
        self._closed_by_server = False
        self._socket: socket.socket | ssl.SSLSocket = server.network.bound_socket(
            "tcp", client_port, client_ip
        )
        try:
            self._socket.settimeout(self.timeout)
            try:
                self._socket.connect((server_ip, port))
            except OSError as error:
                raise LiveServerError(
                    f"Cannot connect from {client_ip} to {server_ip} port {port}: {error.strerror or error}. "
                    f"The Exim daemon listens on ports {', '.join(map(str, server.ports))} "
                    "(the configuration's daemon_smtp_ports and tls_on_connect_ports)."
                ) from None
            self.client_port: int = self._socket.getsockname()[1]
            #: The daemon's process serving this connection, once its trace names it.
            self._pid: int | None = None
            self._named = False
            if tls is not None:
                self._start_tls(tls)
        except BaseException:
            self.close()
            raise

    @property
    def description(self) -> str:
        how = "TLS connection" if self.tls is not None else "connection"
        return f"a live {how} from {self.client_ip} to {self.server_ip} port {self.port}"

    def refusal(self, command: str) -> str | None:
        return None

    def send(self, data: str) -> None:
        """Write it; if the server has gone, the next `receive` says so (None)."""
        try:
            self._socket.sendall(data.encode("utf-8", "surrogateescape"))
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self._closed_by_server = True

    def receive(self, waiting_for: str | None) -> Received | None:
        deadline = time.monotonic() + self.timeout
        while not (match := REPLY_END.search(self._buffer.decode("latin-1"))):
            if self._closed_by_server:
                return None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ReplyTimeoutError(
                    f"No complete reply to {waiting_for or 'the connection'} within {self.timeout:g} s "
                    f"on {self.description}. Got so far: {self._buffer[-200:]!r}"
                )
            chunk = self._read(remaining)
            if chunk == b"":
                self._closed_by_server = True
                return None
            self._buffer += chunk or b""
        reply, self._buffer = self._buffer[: match.end()], self._buffer[match.end() :]
        return Received(decoded(reply), self._trace(reply))

    def unsolicited(self) -> Received | None:
        if not self._buffer:
            self._buffer += self._read(0) or b""
        if not self._buffer:
            return None
        match = REPLY_END.search(self._buffer.decode("latin-1"))
        if match is None:
            return None
        text, self._buffer = self._buffer, b""
        return Received(decoded(text), self._trace(text))

    def close_input(self) -> None:
        """Half-close after QUIT (Exim then answers at once), unless TLS is on: a TLS
        connection cannot half-close."""
        if self.tls is None:
            try:
                self._socket.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def ended(self, waiting_for: str | None) -> EximUnitError | None:
        if self.server.trace is not None and self.server.trace.ended:
            return LiveServerError(
                f"The Exim daemon ended while {waiting_for or 'the connection'} waited for a reply."
            )
        return None

    def starttls(self) -> str | None:
        self._start_tls(self.server.client_context(self.client_certificate))
        return self.tls_summary

    def _start_tls(self, context: ssl.SSLContext) -> None:
        assert not isinstance(self._socket, ssl.SSLSocket)
        try:
            self._socket = context.wrap_socket(self._socket, server_hostname=self.server_name)
        except ssl.SSLCertVerificationError as error:
            raise LiveServerError(
                f"The Exim daemon's certificate is not the one eximunit made for it "
                f"({error.verify_message}) on {self.description}: give the configuration the block\n"
                "  .ifdef EXIMUNIT_TLS_CERTIFICATE\n  tls_certificate = EXIMUNIT_TLS_CERTIFICATE\n"
                "  tls_privatekey = EXIMUNIT_TLS_PRIVATEKEY\n  .endif"
            ) from None
        except (ssl.SSLError, OSError) as error:
            raise LiveServerError(
                f"The TLS handshake with the Exim daemon failed on {self.description}: {error}."
            ) from None
        self.tls = context

    @property
    def tls_summary(self) -> str:
        """`TLS started: TLSv1.3, certificate for mx.coop.test` (for the transcript)."""
        shown = (
            f", client certificate for {self.client_certificate.names[0]}" if self.client_certificate else ""
        )
        return f"TLS started: {self.tls_version}, server certificate for {self.server_name}{shown}"

    @property
    def tls_version(self) -> str | None:
        return self._socket.version() if isinstance(self._socket, ssl.SSLSocket) else None

    def server_certificate(self) -> bytes | None:
        """The server's certificate as the client got it (DER), once TLS is on."""
        return self._socket.getpeercert(binary_form=True) if isinstance(self._socket, ssl.SSLSocket) else None

    def close(self) -> None:
        sock = getattr(self, "_socket", None)
        if sock is not None:
            sock.close()

    def _trace(self, reply: bytes) -> tuple[str, ...]:
        """The trace of the process serving this connection since the last reply. The
        daemon names that process just after it forks it, which may come a moment after
        the first reply (waited for then); a connection the daemon refuses itself (a
        limit) has no process, which `DaemonTrace` tells at once."""
        trace = self.server.trace
        if trace is None:
            return ()
        if not self._named:
            self._named = True  # a connection the daemon refused itself has no process
            self._pid = trace.pid_serving(self.client_ip, self.client_port, _NAMING_WAIT)
        return trace.take(self._pid)

    def _readable(self, wait: float) -> bool:
        if isinstance(self._socket, ssl.SSLSocket) and self._socket.pending():
            return True
        readable, _, _ = select.select([self._socket], [], [], wait)
        return bool(readable)

    def _read(self, wait: float) -> bytes | None:
        """What arrived within `wait` seconds: None for nothing yet, b"" when the server
        closed the connection."""
        if not self._readable(wait):
            return None
        try:
            return self._socket.recv(_READ_SIZE)
        except (ssl.SSLWantReadError, TimeoutError):  # a TLS record not complete yet
            return None
        except (ConnectionResetError, ssl.SSLError):
            return b""
