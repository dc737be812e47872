"""Nothing the project's own specs do connects to an address off the machine: the
example suite runs under `strace -f -e trace=connect`, outside any namespace of ours
(every Exim, fake peer and lookup included), and every address it connects to is
loopback."""

from __future__ import annotations

import ipaddress
import re
import subprocess
import sys
from pathlib import Path

from ..conftest import ROOT

#: An IPv4 or IPv6 address in strace's rendering of a connect() call.
_ADDRESS = re.compile(r'inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)"')


def connected_addresses(*command: str, trace: Path) -> list[str]:
    """Run `command` under strace; the IP addresses of every connect() it and its
    children made (Unix sockets are not addresses)."""
    subprocess.run(
        ["strace", "-f", "-qq", "-e", "trace=connect", "-o", str(trace), *command],
        cwd=ROOT, check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    calls = [line for line in trace.read_text().splitlines() if "connect(" in line]
    return [v4 or v6 for call in calls for v4, v6 in _ADDRESS.findall(call)]


def off_the_machine(addresses: list[str]) -> list[str]:
    return [address for address in addresses if not ipaddress.ip_address(address.split("%")[0]).is_loopback]


def test_the_example_specs_connect_to_loopback_only(tmp_path):
    behave = [sys.executable, "-m", "behave", "-f", "null", "features/"]
    addresses = connected_addresses(*behave, trace=tmp_path / "connects")
    assert addresses, "no connect() seen: the trace is not being read"  # callouts, fake DNS, scanners
    assert off_the_machine(addresses) == []


def test_a_connection_off_the_machine_would_be_seen(tmp_path):
    # A UDP connect() sends nothing, so this proof itself stays on the machine.
    code = "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).connect(('192.0.2.1', 53))"
    addresses = connected_addresses(sys.executable, "-c", code, trace=tmp_path / "connects")
    assert "192.0.2.1" in off_the_machine(addresses)
