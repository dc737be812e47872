"""Free TCP ports on the loopback interface: the port 0 trick.

Binding to port 0 makes the kernel choose a port nobody is using. A fake server binds
port 0 itself and keeps the socket, so its port cannot be taken by anyone else: no
race at all. `find_free_ports` is for the other case, a port that some other program
will bind later, and there a small race remains (see its docstring).
"""

from __future__ import annotations

import contextlib
import socket

from ..errors import InvalidInputError

__all__ = ["LOOPBACK", "bind_free_port", "find_free_ports"]

LOOPBACK = "127.0.0.1"


def bind_free_port(host: str = LOOPBACK) -> socket.socket:
    """A TCP socket bound to a free port of `host` (not listening yet).

    Its port is `sock.getsockname()[1]`. Until it listens, a connection to that port
    is refused at once, which is how a fake server that "is down" keeps its port.

    Example: `sock = bind_free_port(); port = sock.getsockname()[1]`
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # Naming IPPROTO_TCP matters: asyncio turns Nagle off (TCP_NODELAY) only for sockets
    # that say TCP, and with Nagle a multi-line SMTP reply stalls 40 ms on delayed ACKs.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.bind((host, 0))
    except OSError:
        sock.close()
        raise
    return sock


def find_free_ports(n: int, host: str = LOOPBACK) -> list[int]:
    """`n` distinct ports that were free on `host` a moment ago.

    All `n` sockets are bound to port 0 at the same time, so the kernel cannot hand
    out one port twice. They are closed before returning, and that leaves a small race:
    between now and the moment your program binds a port, another process may take
    it (the kernel hands out ports in sequence, so this is rare, but it can happen).
    Where you can, bind port 0 yourself and keep the socket, as the fake peers do.

    Example: `hub_port, spamd_port = find_free_ports(2)`
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise InvalidInputError(f"find_free_ports needs a count of 0 or more, not {n!r}.")
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(bind_free_port(host)) for _ in range(n)]
        return [sock.getsockname()[1] for sock in sockets]
