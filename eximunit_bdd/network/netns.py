"""A private, loopback-only network for Exim, with our own resolv.conf: how a stock
Exim binary is made to ask a fake DNS server.

Exim has no option naming a DNS server and does not read /etc/hosts, so it is run in
network and mount namespaces of its own, where /etc/resolv.conf says `nameserver
127.0.0.1` and 127.0.0.1:53 is the fake DNS. A small helper process
(`netns_helper.py`) makes and holds the namespaces: as root it needs no more; as an
ordinary user it also makes a user namespace that maps the caller to itself, so Exim
runs as the caller, as it does outside. Exim is started inside with `nsenter`.
Sockets for the fake DNS and fake peers are bound inside by the helper and handed to
this process, which serves them from its own threads.
"""

from __future__ import annotations

import os
import select
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Sequence

from ..errors import NetworkUnavailableError
from ..exim.sandbox import owned_directory
from . import netns_helper

__all__ = ["PrivateNetwork", "OwnProcessNetwork"]

_HELPER = Path(__file__).with_name("netns_helper.py")
#: Exim's resolver gives up quickly if the fake DNS does not answer (it always should).
_RESOLV_CONF = "nameserver 127.0.0.1\noptions timeout:2 attempts:1\n"


class PrivateNetwork:
    """Namespaces with nothing but loopback, where 127.0.0.1:53 is ours.

    >>> with PrivateNetwork() as network:  # doctest: +SKIP
    ...     dns_socket = network.bound_socket("udp", 53)
    ...     argv = network.command(["exim4", "-bt", "a@b.test"])
    """

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout
        self._helper: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None
        self._directory: str | None = None
        self._prefix: list[str] = []

    def start(self) -> PrivateNetwork:
        if self._helper is not None:
            return self
        nsenter = shutil.which("nsenter") or "/usr/bin/nsenter"
        if not os.path.exists(nsenter):
            raise NetworkUnavailableError("nsenter is missing: install util-linux.")
        try:
            self._start_helper()
            pid = int(self._answer("ready").split()[1])
        except BaseException:
            self.close()
            raise
        self._prefix = [nsenter, "-t", str(pid), "--net", "--mount"]
        if os.geteuid() != 0:  # the user namespace first: it grants the others
            self._prefix[3:3] = ["--user", "--preserve-credentials"]
        self._prefix.append("--")
        return self

    def bound_socket(self, kind: str, port: int = 0, address: str = "127.0.0.1") -> socket.socket:
        """A socket bound to `address`:`port` inside (kind `tcp` or `udp`), not
        listening yet; port 0 gets a free port, as `ports.bind_free_port` does."""
        if self._control is None:
            raise NetworkUnavailableError("the private network is not running.")
        self._control.sendall(f"{kind} {port} {address}\n".encode())
        self._wait_readable()
        message, fds, _, _ = socket.recv_fds(self._control, 200, 1)
        if not fds:
            raise NetworkUnavailableError(
                f"no {kind} socket in the private network: {message.decode(errors='replace').strip()}"
            )
        return socket.socket(fileno=fds[0])

    def add_address(self, address: str) -> None:
        """Put `address` on the network's `lo`, so that a client can connect from it
        and a daemon listen on it; one already there is fine."""
        if self._control is None:
            raise NetworkUnavailableError("the private network is not running.")
        self._control.sendall(f"address {address}\n".encode())
        self._answer("ok")

    def command(self, argv: Sequence[str]) -> list[str]:
        """`argv` run inside the network (`nsenter ... -- argv`)."""
        if not self._prefix:
            raise NetworkUnavailableError("the private network is not running.")
        return [*self._prefix, *argv]

    def close(self) -> None:
        """Stop the helper (the namespaces go with it and with the last Exim in them)
        and remove the resolv.conf; safe to call twice."""
        self._prefix = []
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._helper is not None:
            try:
                self._helper.wait(self.timeout)
            except subprocess.TimeoutExpired:
                self._helper.kill()
                self._helper.wait()
            self._helper = None
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None

    def __enter__(self) -> PrivateNetwork:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _resolv_conf(self) -> Path:
        """Our resolv.conf, in a directory of our own that `close` removes."""
        self._directory = str(owned_directory("net"))
        os.chmod(self._directory, 0o755)
        resolv = Path(self._directory) / "resolv.conf"
        resolv.write_text(_RESOLV_CONF)
        resolv.chmod(0o644)
        return resolv

    def _start_helper(self) -> None:
        resolv = self._resolv_conf()
        self._control, theirs = socket.socketpair()
        with theirs:
            # -I: the helper must not import this package (or anything of the user's).
            self._helper = subprocess.Popen(
                [sys.executable, "-I", str(_HELPER), str(theirs.fileno()), str(resolv)],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
            )

    def _answer(self, expected: str) -> str:
        assert self._control is not None
        self._wait_readable()
        line = self._control.recv(200).decode(errors="replace").strip()
        if not line.startswith(expected):
            raise _unavailable(line.removeprefix("error ") or "the helper process ended")
        return line

    def _wait_readable(self) -> None:
        assert self._control is not None
        readable, _, _ = select.select([self._control], [], [], self.timeout)
        if not readable:
            raise NetworkUnavailableError(
                f"the private network's helper did not answer within {self.timeout:g} s."
            )


class OwnProcessNetwork(PrivateNetwork):
    """The test process itself moved into a private network, so that Exim and the fake
    peers start there directly: no `nsenter`, one exec less for every Exim run.

    For a run whose every scenario is private (the default): there is no way back, the
    process and all it starts stay inside until it ends, and the namespaces end with it.
    Moving needs a process with one thread (a user namespace and a mount namespace of
    its own demand it); with more, this works as a `PrivateNetwork`.
    """

    def __init__(self, timeout: float = 10.0) -> None:
        super().__init__(timeout)
        self._inside = False

    def start(self) -> OwnProcessNetwork:
        if self._inside or self._prefix:
            return self
        if threading.active_count() > 1:
            super().start()
            return self
        resolv = self._resolv_conf()
        try:
            netns_helper.enter_private_network(str(resolv))
        except OSError as error:
            self.close()
            raise _unavailable(error.strerror or str(error)) from None
        self._inside = True
        # /etc/resolv.conf is bound to the file itself now: its directory can go at once,
        # so that a process that never returns here (a behavex worker ends with
        # os._exit, without atexit) leaves nothing behind.
        shutil.rmtree(resolv.parent, ignore_errors=True)
        self._directory = None
        return self

    @property
    def inside(self) -> bool:
        """Whether this process has moved in (rather than working as a `PrivateNetwork`)."""
        return self._inside

    def bound_socket(self, kind: str, port: int = 0, address: str = "127.0.0.1") -> socket.socket:
        if not self._inside:
            return super().bound_socket(kind, port, address)
        try:
            return netns_helper.bound_socket(f"{kind} {port} {address}")
        except (OSError, ValueError) as error:
            raise NetworkUnavailableError(f"no {kind} socket in the private network: {error}") from None

    def add_address(self, address: str) -> None:
        if not self._inside:
            super().add_address(address)
            return
        try:
            netns_helper.add_address(address)
        except OSError as error:
            raise NetworkUnavailableError(f"cannot put {address} on the private network: {error}") from None

    def command(self, argv: Sequence[str]) -> list[str]:
        return list(argv) if self._inside else super().command(argv)


def _unavailable(reason: str) -> NetworkUnavailableError:
    return NetworkUnavailableError(
        f"cannot make a private network here: {reason}. It needs Linux network namespaces: "
        "run as root, or allow unprivileged user namespaces (sysctl "
        "kernel.unprivileged_userns_clone=1, or in a container, one started with them allowed)."
    )
