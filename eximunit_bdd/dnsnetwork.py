"""The fake DNS in a private network, for Python tests: `DnsNetwork`.

The documented name of `eximunit_bdd.fakes.dns_network`.
"""

from .fakes.dns_network import DnsNetwork, close_shared_dns_network, shared_dns_network

__all__ = ["DnsNetwork", "shared_dns_network", "close_shared_dns_network"]
