"""The process that holds a private network: `python -m eximunit_bdd.netns_helper FD RESOLV`.

Started by `netns.PrivateNetwork`, it moves itself into new network and mount
namespaces (and, when not root, a user namespace of its own, mapping the caller's uid
and gid to themselves), brings `lo` up and bind-mounts RESOLV (`nameserver
127.0.0.1`) over /etc/resolv.conf. Then, on the Unix socket FD, it answers each
request (`tcp`, `udp PORT`) with a socket bound to 127.0.0.1 inside that network,
passed back as a file descriptor; the fake DNS and fake peers serve on those sockets
from the test process. It exits when the socket closes, or when its parent dies.

Linux only; it uses the C library directly (`unshare`, `mount`, `prctl`), so that the
caller needs nothing from outside Python but nsenter, and no root.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import socket
import struct
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
PR_SET_PDEATHSIG = 1
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def enter_private_network(resolv_conf: str) -> None:
    uid, gid = os.geteuid(), os.getegid()
    flags = CLONE_NEWNET | CLONE_NEWNS
    if uid != 0:
        flags |= CLONE_NEWUSER
    _check(_libc.unshare(flags), "unshare (new network and mount namespaces)")
    if uid != 0:
        # Map the caller to itself: Exim, entered later with nsenter, runs as the
        # caller, as it would outside. This process keeps every capability within.
        with open("/proc/self/setgroups", "w") as setgroups:
            setgroups.write("deny")
        with open("/proc/self/uid_map", "w") as uid_map:
            uid_map.write(f"{uid} {uid} 1")
        with open("/proc/self/gid_map", "w") as gid_map:
            gid_map.write(f"{gid} {gid} 1")
    # Mounts made here must not reach the machine's own mount namespace.
    _check(_libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")
    _check(
        _libc.mount(resolv_conf.encode(), b"/etc/resolv.conf", None, MS_BIND, None),
        "mount --bind RESOLV /etc/resolv.conf",
    )
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH14x", b"lo", 0)
        flags_now = struct.unpack("16sH14x", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags_now | IFF_UP))


def bound_socket(request: str) -> socket.socket:
    """`tcp` (port 0, not listening) or `udp PORT` / `tcp PORT`, on 127.0.0.1."""
    kind, _, port = request.partition(" ")
    if kind == "tcp":
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    elif kind == "udp":
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    else:
        raise ValueError(f"unknown request {request!r}")
    sock.bind(("127.0.0.1", int(port or 0)))
    return sock


def serve(control: socket.socket) -> None:
    with control.makefile("r", encoding="ascii") as requests:
        for line in requests:
            try:
                sock = bound_socket(line.strip())
            except (OSError, ValueError) as error:
                control.sendall(f"error {error}\n".encode())
                continue
            with sock:
                socket.send_fds(control, [b"ok\n"], [sock.fileno()])


def main() -> int:
    control = socket.socket(fileno=int(sys.argv[1]))
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # never outlive the test run
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the test run's to handle
    try:
        enter_private_network(sys.argv[2])
    except OSError as error:
        control.sendall(f"error {error.strerror or error}\n".encode())
        return 1
    control.sendall(f"ready {os.getpid()}\n".encode())
    serve(control)
    return 0


if __name__ == "__main__":
    sys.exit(main())
