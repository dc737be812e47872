"""`LiveServer`: a real Exim daemon for one scenario, inside its private network, that
can deliver nothing.

It is started as `exim -bdf -oX PORTS -odq -N -oY -d-all+acl` with the scenario's
configuration and macros, the sandbox's (its spool) and `EXIMUNIT_LIVE` (a directory
for its logs):

- `-odq` queues every message and `-N` marks it never to be delivered; no queue runner
  is started; `-oY`: no notifier socket. The network has nothing but loopback.
- `-oX` with the configuration's own ports (`daemon_smtp_ports`, `tls_on_connect_ports`):
  with it Exim writes no pid file (the machine's stays untouched). Inside the private
  network those ports are free, and any user may bind them there.
- It runs in a pid namespace of its own (`unshare --pid --fork --kill-child`, under a
  shell as the namespace's first process): when that process dies, every process of
  the daemon dies with it, and it dies when the test process does, even by SIGKILL.
- `-d-all+acl` writes the ACL trace of each connection, which `DaemonTrace` reads.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Mapping, Protocol

from ..errors import EximConfigError, LiveServerError, StepUsageError
from ..exim.options import EximOptions
from ..exim.process import descendants, start_process
from ..exim.sandbox import Sandbox, base_for_others, owned_directory, sandbox_base
from ..oneshot.options import ask_option, parse_option_lines
from .daemon_trace import DaemonTrace

if TYPE_CHECKING:  # pragma: no cover - cryptography loads with the first TestCA
    from .certificates import CertificateFiles, TestCA

__all__ = ["LiveServer", "LiveNetwork"]

#: How often readiness is checked while the daemon starts (it takes 30-200 ms).
_POLL = 0.005
#: The namespace's first process: it waits for Exim, and all goes when it goes.
_INIT = ["/bin/sh", "-c", '"$@" & wait $!', "eximunit-live"]
#: The kernel kills what follows when this thread ends, even by SIGKILL (PR_SET_PDEATHSIG,
#: kept across the exec of nsenter and unshare; not across set-uid Exim's, hence the
#: shell above, which `unshare --kill-child` kills when unshare dies).
_DIES_WITH_US = ["setpriv", "--pdeathsig", "KILL", "--"]


class LiveNetwork(Protocol):
    """What a live daemon needs of the scenario's private network (`PrivateNetwork`)."""

    def command(self, argv: list[str]) -> list[str]: ...

    def add_address(self, address: str) -> None: ...

    def bound_socket(self, kind: str, port: int = 0, address: str = "127.0.0.1") -> socket.socket: ...


class LiveServer:
    """An Exim daemon listening on the configuration's ports (at its
    `local_interfaces`, put on the network's `lo` first; by default at every address
    of the network: add the clients' with `network.add_address`).

    >>> with LiveServer(options, network) as server:  # doctest: +SKIP
    ...     channel = LiveChannel(server, "192.0.2.1", "127.0.0.1", 25)
    """

    def __init__(
        self,
        options: EximOptions,
        network: LiveNetwork,
        sandbox: Sandbox | None = None,
        macros: Mapping[str, str] | None = None,
        arguments: tuple[str, ...] = (),
        ca: TestCA | None = None,
        certificate: CertificateFiles | None = None,
    ) -> None:
        """`sandbox`: the spool it queues into (default: one of its own, removed with
        it); `macros` are the live ones besides the sandbox's (its certificate's);
        `arguments` more options for the daemon (`-os 5s`); `ca` the throwaway CA that
        issued `certificate`, which clients trust (copied as `EXIMUNIT_LIVE/ca.pem`,
        for `tls_verify_certificates`)."""
        self.options = options
        self.network = network
        self._owns_sandbox = sandbox is None
        self.sandbox = sandbox if sandbox is not None else Sandbox(_base())
        self.timeout = float(options.timeout)
        self.extra_macros = dict(macros or {})
        #: Every macro the daemon got (the sandbox's, EXIMUNIT_LIVE, the extra ones).
        self.macros: dict[str, str] = {}
        self.arguments = arguments
        self.ca = ca
        self.certificate = certificate
        #: The directory of its logs (`EXIMUNIT_LIVE`): mainlog, rejectlog.
        self.directory: Path | None = None
        self.ports: list[int] = []
        self.tls_on_connect_ports: list[int] = []
        self.trace: DaemonTrace | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self.argv: list[str] = []

    def start(self) -> LiveServer:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        self.directory = owned_directory("live", _base())
        os.chmod(self.directory, 0o755)
        if self.ca is not None:
            shutil.copyfile(self.ca.ca_file, self.directory / "ca.pem")
        self.macros = {**self.sandbox.macros(), "EXIMUNIT_LIVE": str(self.directory), **self.extra_macros}
        if os.geteuid() == 0:
            self._run_as_exims_own_user()
        macros = self.macros
        options = self.options.with_macros(macros)
        self._check_logs_stay_inside(options)
        for address in _local_interfaces(ask_option(options, "local_interfaces").option.value or ""):
            self.network.add_address(address)
        self.ports, self.tls_on_connect_ports = self._configured_ports(options)
        self.argv = self.options.base_argv(macros) + [
            "-bdf", "-oX", ":".join(map(str, self.ports)), "-odq", "-N", "-oY", "-d-all+acl", *self.arguments,
        ]  # fmt: skip
        # Without root, a user namespace of its own: one joined by nsenter grants no
        # capability past exec, and a pid namespace needs one.
        userns = [] if os.geteuid() == 0 else ["--user", "--map-current-user"]
        unshare = ["unshare", *userns, "--pid", "--fork", "--kill-child", "--"]
        self._process = start_process(
            [*_DIES_WITH_US, *self.network.command([*unshare, *_INIT, *self.argv])],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        assert self._process.stderr is not None
        self.trace = DaemonTrace(self._process.stderr)
        self._wait_until_ready()

    def _run_as_exims_own_user(self) -> None:
        """Run by root, the daemon gets Exim's own user (Debian-exim), not root: Exim
        refuses to deliver as root (`fixed_never_users`), so a dry run of what a root
        daemon queued would only defer. That user must read the key and write the logs."""
        user, group = _exims_own_user(self.options)
        self.macros.update(EXIMUNIT_USER=user, EXIMUNIT_GROUP=group)
        uid = pwd.getpwnam(user).pw_uid
        assert self.directory is not None
        os.chown(self.directory, uid, -1)  # its own, not open to everyone
        if self.certificate is not None:
            os.chown(self.certificate.private_key, uid, -1)

    def _check_logs_stay_inside(self, options: EximOptions) -> None:
        """Refuse a configuration whose daemon would log to the machine's own logs."""
        path = ask_option(options, "log_file_path").option.value or ""
        if str(self.directory) not in path:
            raise LiveServerError(
                f"The configuration would make the live daemon log to {path or 'the default log files'}, "
                "the machine's own: give it the block\n  .ifdef EXIMUNIT_LIVE\n"
                "  log_file_path = EXIMUNIT_LIVE/%slog\n  deliver_drop_privilege = true\n  .endif"
            )

    def _configured_ports(self, options: EximOptions) -> tuple[list[int], list[int]]:
        """The ports the configuration listens on, and those of them with TLS at once."""
        ports, tls_on_connect = (
            _port_numbers(ask_option(options, name).option.value or "")
            for name in ("daemon_smtp_ports", "tls_on_connect_ports")
        )
        return sorted(set(ports) | set(tls_on_connect)) or [25], tls_on_connect

    def _wait_until_ready(self) -> None:
        """Until the daemon says it listens on every port (its debug output's
        `Listening...`, after it bound them all); Exim's words if it ends, or cannot
        bind a port, first."""
        assert self.trace is not None
        deadline = time.monotonic() + self.timeout
        while self.trace.find("Listening...") is None:
            self._check_bound()
            if self._ended() or time.monotonic() >= deadline:
                raise self._start_failure()
            time.sleep(_POLL)

    def _check_bound(self) -> None:
        """A port that cannot be bound makes Exim retry for minutes: fail at once."""
        said = self.trace.find("bind() to port") if self.trace is not None else None
        if said is not None:
            said = said.removeprefix(">>> ").removeprefix("LOG: ").strip()
            why = (
                "In the scenario's private network nothing else should listen there: is another "
                "daemon of the scenario running?"
                if "in use" in said
                else "Is an address of local_interfaces not one the scenario's network can have?"
            )
            raise LiveServerError(f"The Exim daemon cannot listen: {said}\n{why}")

    def _ended(self) -> bool:
        return self._process is None or self._process.poll() is not None

    def _start_failure(self) -> Exception:
        said = self._said()
        if self._ended():
            if "configuration" in said.lower():
                return EximConfigError(
                    f"The Exim daemon did not start: Exim refused its configuration:\n{said}"
                )
            return LiveServerError(
                f"The Exim daemon ended as it started:\n{said}\nCommand: {' '.join(self.argv)}"
            )
        return LiveServerError(
            f"The Exim daemon did not listen on its ports ({', '.join(map(str, self.ports))}) within "
            f"{self.timeout:g} s. Exim said:\n{said}"
        )

    def _said(self) -> str:
        if self.trace is None:
            return "  (nothing)"
        lines = [line.removeprefix(">>> ") for line in self.trace.everything()]
        lines = [line for line in lines if line.strip() and not line.startswith(_BANNER)]
        return "\n".join(f"  {line}" for line in lines[-15:]) or "  (nothing)"

    @property
    def server_name(self) -> str | None:
        """The name a client checks the server's certificate against."""
        return self.certificate.names[0] if self.certificate is not None else None

    def client_context(self, certificate: CertificateFiles | None = None) -> ssl.SSLContext:
        """A client TLS context that trusts this server's throwaway CA, presenting
        `certificate` (StepUsageError when the server has no certificate of the CA)."""
        if self.ca is None:
            raise StepUsageError(
                "TLS needs the server's certificate: start it with 'Given the Exim server is running "
                'with a TLS certificate for "NAME"\' (a throwaway CA is made for the run).'
            )
        return self.ca.client_context(certificate)

    @contextlib.contextmanager
    def accepting_later(self) -> Iterator[None]:
        """Hold the daemon (SIGSTOP) while the caller connects and talks: the kernel
        completes the connection meanwhile, and Exim accepts it after the client's
        words are waiting. Exim checks for an early talker once, without waiting (its
        own test suite notes the race): held, the check sees them whatever the load."""
        daemon = self._daemon_pid()
        if daemon is None or not _signalled(daemon, signal.SIGSTOP):
            yield
            return
        try:
            yield
        finally:
            _signalled(daemon, signal.SIGCONT)

    def _daemon_pid(self) -> int | None:
        """The listening daemon: the child of the namespace's first process."""
        if self._process is None:
            return None
        inside = descendants(self._process.pid)
        return next(iter(descendants(inside[0])), None) if inside else None

    def stop(self) -> None:
        """SIGTERM to the daemon, then the pid namespace killed with whatever is left;
        the logs' directory removed. Safe to call twice."""
        process, self._process = self._process, None
        if process is not None:
            _stop(process, self.timeout)
        if self.trace is not None:
            self.trace.close(self.timeout)
            self.trace = None
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None
        if self._owns_sandbox:
            self.sandbox.cleanup()

    close = stop

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _stop(process: subprocess.Popen[bytes], timeout: float) -> None:
    """`process` is `setpriv`, which execs nsenter or `unshare`; the child of `unshare` is
    the namespace's first process, the daemon that one's child. SIGTERM lets the daemon
    log its end; SIGKILL to the first process ends every process of the namespace, and
    `unshare`, which waited for it, ends then. One that had not forked yet is killed."""
    inside = descendants(process.pid)
    init = inside[0] if inside else None
    daemon = next(iter(descendants(init)), None) if init is not None else None
    if daemon is not None and _signalled(daemon, signal.SIGTERM):
        _wait_gone(daemon, 0.1)
    if init is not None:
        _signalled(init, signal.SIGKILL)
    try:
        process.wait(min(timeout, 2.0))
    except subprocess.TimeoutExpired:
        process.kill()  # still starting: --kill-child takes what it forked with it
        process.wait()


def _signalled(pid: int, signum: int) -> bool:
    try:
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _wait_gone(pid: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        time.sleep(0.005)


#: What Exim's debug output says of itself at start-up: not why it failed.
_BANNER = (
    "Library version", "  ", "Support for", "Lookups", "Authenticators", "Routers", "Transports",
    "Malware", "Fixed never_users", "Configure owner", "Size of off_t", "Compiler", "WHITELIST_D_MACROS",
    "TRUSTED_CONFIG_LIST", "Exim version", "log selectors", "cwd=", "changed uid/gid", "trusted user",
    "admin user", "dropping to exim gid", "configuration file is",
)  # fmt: skip


def _local_interfaces(value: str) -> list[str]:
    """The addresses of `local_interfaces` (`127.0.0.1 : ::::1`, `<; 127.0.0.1 ; ::1`,
    `[192.0.2.25]:587`), to put on the network's `lo` before the daemon binds them."""
    separator = ":"
    if value.startswith("<") and len(value) > 1:
        separator, value = value[1], value[2:]
    elif "::" in value:
        value = value.replace("::", "\0")  # a doubled colon is a colon of an IPv6 address
    addresses = []
    for item in value.split(separator):
        item = item.replace("\0", ":").strip()
        if item.startswith("["):
            item = item[1 : item.index("]")]
        elif item.count(".") == 4:
            item = item.rsplit(".", 1)[0]  # 192.0.2.25.587: an address and a port
        try:
            address = ipaddress.ip_address(item)
        except ValueError:
            continue  # a blank or a port only
        if not (address.is_unspecified or address.is_loopback):  # those need nothing on lo
            addresses.append(item)
    return addresses


def _base() -> str | None:
    """Run by root, the daemon is Exim's own user, who must reach the directories."""
    return base_for_others() if os.geteuid() == 0 else sandbox_base()


def _exims_own_user(options: EximOptions) -> tuple[str, str]:
    """The user and group Exim runs as without the test block's EXIMUNIT_USER."""
    run = subprocess.run(
        options.launch([*options.base_argv({}), "-bP", "exim_user", "exim_group"]),
        capture_output=True, text=True, timeout=options.timeout, check=False,
    )  # fmt: skip
    found = parse_option_lines(run.stdout)
    user, group = (found[name].value if name in found else None for name in ("exim_user", "exim_group"))
    if not user or not group:
        raise LiveServerError(
            f"Cannot tell Exim's own user (exim -bP exim_user exim_group): {run.stderr.strip()}"
        )
    return user, group


def _port_numbers(value: str) -> list[int]:
    """`smtp : 587` -> [25, 587]: a port list as -bP prints it, names resolved."""
    ports = []
    for item in value.replace(",", ":").split(":"):
        item = item.strip()
        if not item:
            continue
        try:
            ports.append(int(item) if item.isdigit() else socket.getservbyname(item, "tcp"))
        except OSError:
            raise EximConfigError(
                f"The configuration's port {item!r} is no port number or known service."
            ) from None
    return ports
