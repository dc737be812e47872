"""Which scenarios run in the fake DNS's private network: those with a step of
`steps.dns`, and those with a live Exim daemon, known by how their phrases begin
(decided before the scenario runs, so that the whole scenario, its fake peers
included, runs there)."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["uses_fake_dns", "runs_live", "DNS_PHRASE", "LIVE_PHRASE"]

#: How the steps of `steps.dns` begin. A scenario with a step that begins so runs in
#: the fake DNS's network (a step of the user's own that happened to begin so would
#: only make its scenario run there too, which is harmless).
DNS_PHRASE = re.compile(
    r"^(?:the DNS record |these DNS records:|the DNS blocklist |DNS lookups for |"
    r"the client's reverse DNS name |a DKIM key for |I send a message signed by )"
)


def uses_fake_dns(scenario: Any) -> bool:
    """Does the scenario (with its Background) have a step of `steps.dns`?"""
    return any(DNS_PHRASE.match(step.name) for step in scenario.all_steps)


#: How `Given the Exim server is running` begins: its scenario needs a private network.
LIVE_PHRASE = re.compile(r"^the Exim server is running")


def runs_live(scenario: Any) -> bool:
    """Does the scenario (with its Background) run a live Exim daemon?"""
    return any(LIVE_PHRASE.match(step.name) for step in scenario.all_steps)
