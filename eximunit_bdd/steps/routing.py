"""Steps that ask Exim where mail for an address would go (`exim -bt`) and whether
it verifies (`exim -bv`). Nothing is delivered, and no connection is needed.

Addresses may be written with or without <brackets>: in a Scenario Outline,
`mail for <<address>>` and `mail for <address>` both work.
"""

from __future__ import annotations

from .registry import Context, given, scenario_state, then


@given("mail comes from {sender:EximMailbox}")
def step_mail_comes_from(context: Context, sender: str) -> None:
    """Make the sender of the scenario's later routing and verification checks this
    address (`-f`), for routers with a `senders` condition; `<>` is a bounce's.

    Example: Given mail comes from <alice@example.net>
    """
    scenario_state(context).sender = sender


@then(
    'mail for {address:EximMailbox} is routed by router "{router:EximName}" '
    'to transport "{transport:EximName}"'
)
def step_routed_by_router_to_transport(context: Context, address: str, router: str, transport: str) -> None:
    """Check that every delivery of mail for the address (after any redirects) is made
    by that router and that transport (`exim -bt`).

    Example: Then mail for <anna@coop.test> is routed by router "mailboxes" to transport "mailbox"
    """
    scenario_state(context).config.assert_routed(address, router=router, transport=transport)


@then('mail for {address:EximMailbox} is routed by router "{router:EximName}"')
def step_routed_by_router(context: Context, address: str, router: str) -> None:
    """Check that every delivery of mail for the address is made by that router,
    whatever the transport. -bt names the router that accepted the final address.

    Example: Then mail for <bob@shop.test> is routed by router "hubbed"
    """
    scenario_state(context).config.assert_routed(address, router=router)


@then("mail for {address:EximMailbox} is routed")
def step_routed(context: Context, address: str) -> None:
    """Check that some router accepts mail for the address: it is deliverable, whoever
    delivers it (`exim -bt`).

    Example: Then mail for <anna@coop.test> is routed
    """
    scenario_state(context).config.assert_routed(address)


@then('mail for {address:EximMailbox} is routed to transport "{transport:EximName}"')
def step_routed_to_transport(context: Context, address: str, transport: str) -> None:
    """Check that every delivery of mail for the address uses that transport, whatever
    the router.

    Example: Then mail for <bob@shop.test> is routed to transport "hub_smtp"
    """
    scenario_state(context).config.assert_routed(address, transport=transport)


@then('mail for {address:EximMailbox} is delivered to a file ending in "{text:EximText}"')
def step_delivered_to_file(context: Context, address: str, text: str) -> None:
    """Check that a delivery of mail for the address writes to a file, directory or
    Maildir whose path ends in TEXT: the transport's `file` or `directory` expanded
    for that address (-bt does not print it), or the file a redirect names.

    Example: Then mail for <anna@coop.test> is delivered to a file ending in "coop.test/anna"
    """
    scenario_state(context).config.assert_delivered_to_file(address, text)


@then("mail for {address:EximMailbox} makes {count:d} deliveries")
def step_deliveries(context: Context, address: str, count: int) -> None:
    """Check how many deliveries mail for the address makes, after every redirect
    (an alias for two mailboxes makes 2).

    Example: Then mail for <info@bakery.test> makes 2 deliveries
    """
    scenario_state(context).config.assert_deliveries(address, count)


@then("mail for {address:EximMailbox} makes 1 delivery")
def step_one_delivery(context: Context, address: str) -> None:
    """Check that mail for the address makes exactly one delivery.

    Example: Then mail for <anna@coop.test> makes 1 delivery
    """
    scenario_state(context).config.assert_deliveries(address, 1)


@then("mail for {address:EximMailbox} is routed to host {host:EximWord}")
def step_routed_to_host(context: Context, address: str, host: str) -> None:
    """Check that mail for the address goes to that host, named or by IP address.

    Example: Then mail for <bob@shop.test> is routed to host 127.0.0.1
    """
    scenario_state(context).config.assert_routed_to_host(address, host)


@then("mail for {address:EximMailbox} is routed to host {host:EximWord} port {port:d}")
def step_routed_to_host_port(context: Context, address: str, host: str, port: int) -> None:
    """Check the host and the port: the one the router set (host::port), else the
    transport's `port` option.

    Example: Then mail for <bob@shop.test> is routed to host 127.0.0.1 port 2525
    """
    scenario_state(context).config.assert_routed_to_host(address, host, port)


@then("mail for {address:EximMailbox} is redirected to {target:EximMailbox}")
def step_redirected(context: Context, address: str, target: str) -> None:
    """Check that mail for the address is redirected (aliases, forwards) to the other
    address, directly or further along a chain.

    Example: Then mail for <postmaster@coop.test> is redirected to <anna@coop.test>
    """
    scenario_state(context).config.assert_redirected(address, target)


@then("mail for {address:EximMailbox} is discarded")
def step_discarded(context: Context, address: str) -> None:
    """Check that mail for the address is thrown away without a bounce (`:blackhole:`).

    Example: Then mail for <noreply@coop.test> is discarded
    """
    scenario_state(context).config.assert_discarded(address)


@then("mail for {address:EximMailbox} is undeliverable")
def step_undeliverable(context: Context, address: str) -> None:
    """Check that mail for the address would bounce: no router takes it, or `:fail:`.

    Example: Then mail for <nobody@coop.test> is undeliverable
    """
    scenario_state(context).config.assert_undeliverable(address)


@then('mail for {address:EximMailbox} is undeliverable with "{text:EximText}"')
def step_undeliverable_with(context: Context, address: str, text: str) -> None:
    """Check that mail for the address would bounce, and that Exim's reason contains
    the text (case-insensitive).

    Example: Then mail for <nobody@coop.test> is undeliverable with "Unrouteable address"
    """
    scenario_state(context).config.assert_undeliverable(address, text)


@then("mail for {address:EximMailbox} is temporarily undeliverable")
def step_temporarily_undeliverable(context: Context, address: str) -> None:
    """Check that routing mail for the address defers: it would wait in the queue
    (`:defer:`, a host lookup that fails for now).

    Example: Then mail for <treasurer@coop.test> is temporarily undeliverable
    """
    scenario_state(context).config.assert_temporarily_undeliverable(address)


@then('mail for {address:EximMailbox} is temporarily undeliverable with "{text:EximText}"')
def step_temporarily_undeliverable_with(context: Context, address: str, text: str) -> None:
    """Check that routing defers, and that Exim's reason contains the text.

    Example: Then mail for <treasurer@coop.test> is temporarily undeliverable with "moving"
    """
    scenario_state(context).config.assert_temporarily_undeliverable(address, text)


@then("{address:EximMailbox} verifies")
def step_verifies(context: Context, address: str) -> None:
    """Check that the address verifies as a recipient (`exim -bv`, no callouts).

    Example: Then <anna@coop.test> verifies
    """
    scenario_state(context).config.assert_verifies(address)


@then("{address:EximMailbox} fails to verify")
def step_fails_to_verify(context: Context, address: str) -> None:
    """Check that the address fails verification for good (`exim -bv`).

    Example: Then <nobody@coop.test> fails to verify
    """
    scenario_state(context).config.assert_fails_to_verify(address)


@then('{address:EximMailbox} fails to verify with "{text:EximText}"')
def step_fails_to_verify_with(context: Context, address: str, text: str) -> None:
    """Check that the address fails verification, and that the reason contains the text.

    Example: Then <former@coop.test> fails to verify with "has left the co-op"
    """
    scenario_state(context).config.assert_fails_to_verify(address, text)


@then("the sender {address:EximMailbox} verifies")
def step_sender_verifies(context: Context, address: str) -> None:
    """Check that the address verifies as a sender (`exim -bvs`: routers with
    `no_verify_sender` are skipped), as sender verification in an ACL would see it.

    Example: Then the sender <anna@coop.test> verifies
    """
    scenario_state(context).config.assert_sender_verifies(address)


@then("the sender {address:EximMailbox} fails to verify")
def step_sender_fails_to_verify(context: Context, address: str) -> None:
    """Check that the address fails to verify as a sender (`exim -bvs`).

    Example: Then the sender <nobody@coop.test> fails to verify
    """
    scenario_state(context).config.assert_sender_fails_to_verify(address)
