"""Free loopback ports for programs of your own: `find_free_ports`, `bind_free_port`.

The documented name of `eximunit_bdd.network.ports`.
"""

from .network.ports import LOOPBACK, bind_free_port, find_free_ports

__all__ = ["LOOPBACK", "bind_free_port", "find_free_ports"]
