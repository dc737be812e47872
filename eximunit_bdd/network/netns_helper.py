"""The process that holds a private network: `python -m eximunit_bdd.netns_helper FD RESOLV`.

Started by `netns.PrivateNetwork`, it moves itself into new network and mount
namespaces (and, when not root, a user namespace of its own, mapping the caller's uid
and gid to themselves), brings `lo` up, lets any user bind ports under 1024 there (a
live Exim daemon listens on 25, 465, 587) and bind-mounts RESOLV (`nameserver
127.0.0.1`) over /etc/resolv.conf, and hides the machine's daemons' Unix sockets
under an empty /run. Then, on the Unix socket FD, it answers each
request: `tcp [PORT [ADDRESS]]` and `udp PORT [ADDRESS]` with a socket bound inside
that network (on 127.0.0.1 unless ADDRESS is given), passed back as a file
descriptor (the fake DNS and fake peers serve on those sockets from the test
process; a live client connects from one); `address ADDRESS` puts ADDRESS on `lo`
(by netlink: `ip` would run without the capability the helper holds). It exits when
the socket closes, or when its parent dies.

Linux only; it uses the C library directly (`unshare`, `mount`, `prctl`), so that the
caller needs nothing from outside Python but nsenter, and no root.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import signal
import socket
import struct
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
MS_NOSUID = 2
MS_NODEV = 4
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
PR_SET_PDEATHSIG = 1
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1
RTM_NEWADDR = 20
NLM_F_REQUEST, NLM_F_ACK, NLM_F_EXCL, NLM_F_CREATE = 0x1, 0x4, 0x200, 0x400
NLMSG_ERROR = 2
IFA_ADDRESS, IFA_LOCAL = 1, 2
IFA_F_NODAD = 0x02  # an IPv6 address usable at once, without duplicate detection

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
    hide_run_directories([os.path.dirname(resolv_conf), os.environ.get("TMPDIR") or ""])
    _check(
        _libc.mount(resolv_conf.encode(), b"/etc/resolv.conf", None, MS_BIND, None),
        "mount --bind RESOLV /etc/resolv.conf",
    )
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH14x", b"lo", 0)
        flags_now = struct.unpack("16sH14x", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags_now | IFF_UP))
    # Any user may bind ports under 1024 in this network only (a per-network sysctl).
    with open("/proc/sys/net/ipv4/ip_unprivileged_port_start", "w") as start:
        start.write("0")


def hide_run_directories(keep: list[str]) -> None:
    """An empty tmpfs over /run (and /var/run, when it is a directory of its own): the
    machine's own daemons' Unix sockets (greylistd, a database, nscd) are out of reach,
    as their TCP ports are, so that a scenario can reach only the fakes it declares.

    What must stay visible is put back: each of `keep` that lies under it (this run's
    own directories, a $TMPDIR in /run/user), the top level's symbolic links (/run/shm)
    and a file for /etc/resolv.conf when it is a link into /run (systemd-resolved's),
    which the caller then mounts its own over.
    """
    resolv = os.path.realpath("/etc/resolv.conf")
    for directory in dict.fromkeys(os.path.realpath(path) for path in ("/run", "/var/run")):
        if not os.path.isdir(directory) or directory == "/":
            continue
        inside = directory.rstrip("/") + "/"
        kept = [
            (path, os.open(path, os.O_PATH))
            for path in dict.fromkeys(os.path.realpath(place) for place in keep if place)
            if path.startswith(inside) and os.path.exists(path)
        ]
        links = []
        for entry in os.scandir(directory):
            if entry.is_symlink():
                links.append((entry.name, os.readlink(entry.path)))
        try:
            _check(
                _libc.mount(b"eximunit-run", directory.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, b"mode=755"),
                f"mount -t tmpfs over {directory}",
            )
            for name, target in links:
                os.symlink(target, os.path.join(directory, name))
            if resolv.startswith(inside):
                os.makedirs(os.path.dirname(resolv), exist_ok=True)
                open(resolv, "a").close()
            for path, descriptor in kept:
                if os.path.isdir(f"/proc/self/fd/{descriptor}"):
                    os.makedirs(path, exist_ok=True)
                else:
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    open(path, "a").close()
                _check(
                    _libc.mount(
                        f"/proc/self/fd/{descriptor}".encode(), path.encode(), None, MS_BIND | MS_REC, None
                    ),
                    f"mount --bind {path} (kept visible over the hidden {directory})",
                )
        finally:
            for _, descriptor in kept:
                os.close(descriptor)


def add_address(address: str) -> None:
    """Put `address` (IPv4 or IPv6) on `lo` (RTM_NEWADDR); one already there is fine."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    packed = socket.inet_pton(family, address)
    length = 128 if family == socket.AF_INET6 else 32
    flags = IFA_F_NODAD if family == socket.AF_INET6 else 0
    body = struct.pack("=BBBBI", family, length, flags, 0, socket.if_nametoindex("lo"))
    for kind in (IFA_LOCAL, IFA_ADDRESS):
        body += struct.pack("=HH", 4 + len(packed), kind) + packed  # 4 or 16 bytes: aligned
    header = struct.pack(
        "=IHHII", 16 + len(body), RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 1, 0
    )
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE) as netlink:
        netlink.sendall(header + body)
        answer = netlink.recv(4096)
    kind = struct.unpack_from("=H", answer, 4)[0]
    error = -struct.unpack_from("=i", answer, 16)[0] if kind == NLMSG_ERROR else 0
    if error not in (0, errno.EEXIST):
        raise OSError(error, f"adding {address} to lo: {os.strerror(error)}")


def bound_socket(request: str) -> socket.socket:
    """`tcp` (port 0, not listening) or `udp PORT` / `tcp PORT`, on 127.0.0.1, or on
    ADDRESS after the port (`tcp 0 192.0.2.1`)."""
    kind, port, address = (request.split() + ["", "", ""])[:3]
    address = address or "127.0.0.1"
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    if kind == "tcp":
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    elif kind == "udp":
        sock = socket.socket(family, socket.SOCK_DGRAM)
    else:
        raise ValueError(f"unknown request {request!r}")
    sock.bind((address, int(port or 0)))
    return sock


def serve(control: socket.socket) -> None:
    with control.makefile("r", encoding="ascii") as requests:
        for line in requests:
            try:
                if line.startswith("address "):
                    add_address(line.split()[1])
                    control.sendall(b"ok\n")
                    continue
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
