"""The fake DNS in a private network, for Python tests: `DnsNetwork`.

The documented name of `eximunit_bdd.network.dns_network`.
"""

from .network.dns_network import DnsNetwork, close_shared_dns_network, shared_dns_network

__all__ = ["DnsNetwork", "shared_dns_network", "close_shared_dns_network"]
