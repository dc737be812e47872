"""The fake DNS, serving in a private network, shared by a test run's DNS scenarios.

One is made for the whole run, at its first scenario, and each scenario starts from an
empty zone. When every scenario runs there (userdata `network = private`, the default)
the test process moves in itself; otherwise (`network = host`: only scenarios with DNS
steps) a helper process holds the network (about 25 ms) and Exim enters it with nsenter.
"""

from __future__ import annotations

import atexit
import threading
from typing import TYPE_CHECKING

from ..errors import NetworkUnavailableError
from ..network.netns import OwnProcessNetwork, PrivateNetwork

if TYPE_CHECKING:  # pragma: no cover
    from .dns import FakeDns

__all__ = ["DnsNetwork", "shared_dns_network", "close_shared_dns_network"]


class DnsNetwork:
    """A `PrivateNetwork` whose 127.0.0.1:53 is a `FakeDns`.

    >>> with DnsNetwork() as world:  # doctest: +SKIP
    ...     world.dns.add("bl.test", "A", "127.0.0.2")
    ...     EximSession("192.0.2.2", options=EximOptions(config=..., network=world.network))
    """

    def __init__(
        self, timeout: float = 10.0, own_process: bool = False, network: PrivateNetwork | None = None
    ) -> None:
        """`own_process`: move this process into the network (`OwnProcessNetwork`);
        `network`: one this process is in already (it is not closed with this)."""
        from .dns import FakeDns  # dnspython: imported by runs that fake DNS only

        self._kept = network is not None
        if network is None:
            network = OwnProcessNetwork(timeout) if own_process else PrivateNetwork(timeout)
        self.network = network
        self.dns: FakeDns = FakeDns(timeout)

    def start(self) -> DnsNetwork:
        try:
            self.network.start()
            self.dns.serve(self.network.bound_socket("udp", 53), self.network.bound_socket("tcp", 53))
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        try:
            self.dns.stop()
        finally:
            if not self._kept and not _moved_into(self.network):
                self.network.close()

    def __enter__(self) -> DnsNetwork:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()


_shared: DnsNetwork | None = None
#: The private network this process moved into: a process cannot leave it, so a later
#: run in the same process (behavex runs behave many times in each worker) uses it again.
_entered: OwnProcessNetwork | None = None
#: Why the network cannot be made here, once found out: every DNS scenario is skipped.
_unavailable: NetworkUnavailableError | None = None
_lock = threading.Lock()


def shared_dns_network(timeout: float = 10.0, own_process: bool = False) -> DnsNetwork:
    """The run's DNS network with an empty zone, started at the first call (moving
    this process into it with `own_process`, when every scenario runs there).

    Raises NetworkUnavailableError (the same one every time) where namespaces cannot
    be made."""
    global _shared, _unavailable, _entered
    with _lock:
        if _unavailable is not None:
            raise _unavailable
        if _shared is None:
            try:
                _shared = DnsNetwork(timeout, own_process, _entered if own_process else None).start()
            except NetworkUnavailableError as error:
                _unavailable = error
                raise
            network = _shared.network
            if _entered is None and isinstance(network, OwnProcessNetwork) and network.inside:
                _entered = network
                atexit.register(network.close)  # its resolv.conf's directory, at the very end
            atexit.register(close_shared_dns_network)
        _shared.dns.clear()
        return _shared


def _moved_into(network: PrivateNetwork) -> bool:
    return isinstance(network, OwnProcessNetwork) and network.inside


def close_shared_dns_network() -> None:
    """Stop the run's DNS network, if one was made (behave's after_all; atexit)."""
    global _shared
    with _lock:
        shared, _shared = _shared, None
    if shared is not None:
        shared.close()
