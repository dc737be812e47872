"""Steps that script DNS for one scenario: records, failures, the client's name, DKIM.

A scenario with any of these steps runs in a private network whose DNS is a fake
serving only what the scenario declares (see `dnsnetwork`); every other name is
NXDOMAIN, so nothing is asked of the real DNS. The whole scenario runs there, fake
peers included, whatever the order of its steps. dnspython (under `fakes.dns`) is
imported by the steps that use it, so that runs without DNS scenarios do not pay for it.
"""

from __future__ import annotations

import ipaddress

from ..errors import StepUsageError
from ..fakes.dkim import alter_body, dkim_record_name, dkim_txt_record, sign_message
from .registry import Context, given, scenario_state, table_column, when


@given('the DNS record {name:EximName} {record_type:EximWord} "{value:EximText}"')
def step_dns_record(context: Context, name: str, record_type: str, value: str) -> None:
    """Publish a record in this scenario's fake DNS: A, AAAA, MX (`PREFERENCE HOST`),
    TXT (unquoted), PTR or CNAME. Names without records do not exist (NXDOMAIN).

    Example: Given the DNS record 2.2.0.192.bl.coop.test A "127.0.0.2"
    """
    scenario_state(context).dns.add(name, record_type, value)


@given("these DNS records:")
def step_dns_records(context: Context) -> None:
    """Publish every record of the table (columns `name`, `type`, `value`), as the
    single-record step does.

    Example: Given these DNS records:
                 | name             | type | value               |
                 | example.net      | MX   | 10 mail.example.net |
                 | mail.example.net | A    | 192.0.2.1           |
                 | example.net      | TXT  | v=spf1 mx -all      |
    """
    dns = scenario_state(context).dns
    for row in table_column(context, "name", "type", "value"):
        dns.add(row["name"], row["type"], row["value"].strip('"'))


@given("DNS lookups for {name:EximName} fail temporarily")
def step_dns_fails(context: Context, name: str) -> None:
    """Make the fake DNS answer SERVFAIL for NAME and every name under it, as when a
    blocklist's servers are down: Exim treats it as a temporary failure.

    Example: Given DNS lookups for bl.coop.test fail temporarily
    """
    scenario_state(context).dns.fail_temporarily(name)


@given("the DNS blocklist {zone:EximName} lists {address:EximName}")
def step_blocklist_lists(context: Context, zone: str, address: str) -> None:
    """List an IP address at a DNS blocklist: the A record 127.0.0.2 under the
    reversed address (192.0.2.2 at bl.test: 2.2.0.192.bl.test), as blocklists do.

    Example: Given the DNS blocklist bl.coop.test lists 192.0.2.2
    """
    from ..fakes.dns import blocklist_name

    scenario_state(context).dns.add(blocklist_name(address, zone), "A", "127.0.0.2")


@given('the DNS blocklist {zone:EximName} lists {address:EximName} with "{text:EximText}"')
def step_blocklist_lists_with(context: Context, zone: str, address: str, text: str) -> None:
    """The same, with the TXT record a blocklist gives as its reason (Exim's
    `$dnslist_text`).

    Example: Given the DNS blocklist bl.coop.test lists 192.0.2.2 with "sent spam to our traps"
    """
    from ..fakes.dns import blocklist_name

    name = blocklist_name(address, zone)
    dns = scenario_state(context).dns
    dns.add(name, "A", "127.0.0.2")
    dns.add(name, "TXT", text)


@given("the client's reverse DNS name is {name:EximName}")
def step_reverse_dns(context: Context, name: str) -> None:
    """Give the connecting client a name: a PTR record for its IP address and an A
    (or AAAA) record back to it, so that Exim's forward check confirms it. Comes after
    `Given a connection from IP`.

    Example: Given the client's reverse DNS name is mail.example.net
    """
    state = scenario_state(context)
    if state.connection is None:
        raise StepUsageError("write 'Given a connection from IP' first: the name is the client's.")
    from ..fakes.dns import reverse_name

    address = state.connection.client_ip
    state.dns.add(reverse_name(address), "PTR", name)
    state.dns.add(name, "AAAA" if ipaddress.ip_address(address).version == 6 else "A", address)


@given("a DKIM key for {domain:EximName} with selector {selector:EximName} is published")
def step_dkim_key(context: Context, domain: str, selector: str) -> None:
    """Publish a DKIM public key for DOMAIN under SELECTOR (the TXT record
    SELECTOR._domainkey.DOMAIN), whose private half signs the messages below.

    Example: Given a DKIM key for bakery.test with selector mail2026 is published
    """
    scenario_state(context).dns.add(dkim_record_name(domain, selector), "TXT", dkim_txt_record())


def _send_signed(context: Context, domain: str, selector: str | None, altered: bool) -> None:
    state = scenario_state(context)
    if selector is None:
        selector = _published_selector(state.dns.names(), domain)
    session = state.session
    message = sign_message(session.build_message(subject=f"signed by {domain}"), domain, selector)
    session.send_message(alter_body(message) if altered else message)


def _published_selector(names: list[str], domain: str) -> str:
    suffix = f"._domainkey.{domain.lower().rstrip('.')}"
    selectors = sorted({name[: -len(suffix)] for name in names if name.endswith(suffix)})
    if len(selectors) > 1:
        raise StepUsageError(
            f"{domain} has keys under the selectors {', '.join(selectors)}: "
            "say which, with 'signed by DOMAIN with selector SELECTOR'."
        )
    return selectors[0] if selectors else "default"


@when("I send a message signed by {domain:EximName} with selector {selector:EximName}")
def step_send_signed(context: Context, domain: str, selector: str) -> None:
    """Send a generated message with a DKIM signature of DOMAIN made with the key
    published under SELECTOR (DATA first if needed).

    Example: When I send a message signed by bakery.test with selector mail2026
    """
    _send_signed(context, domain, selector, altered=False)


@when("I send a message signed by {domain:EximName}")
def step_send_signed_default(context: Context, domain: str) -> None:
    """Send a message signed by DOMAIN with the key published for it (the selector of
    its one published key; `default` when none is, so the signature cannot verify).

    Example: When I send a message signed by bakery.test
    """
    _send_signed(context, domain, None, altered=False)


@when("I send a message signed by {domain:EximName} with selector {selector:EximName} and altered in transit")
def step_send_signed_altered(context: Context, domain: str, selector: str) -> None:
    """Send a message signed by DOMAIN, then changed after signing (a line added to
    the body), as a careless relay might: its signature no longer verifies.

    Example: When I send a message signed by bakery.test with selector mail2026 and altered in transit
    """
    _send_signed(context, domain, selector, altered=True)


@when("I send a message signed by {domain:EximName} and altered in transit")
def step_send_signed_default_altered(context: Context, domain: str) -> None:
    """The same with the key published for DOMAIN.

    Example: When I send a message signed by bakery.test and altered in transit
    """
    _send_signed(context, domain, None, altered=True)
