"""Steps that check what a live server did after accepting: the queued message (its
`-H` spool file: envelope and headers as stored), where each recipient would go (a
dry-run delivery, `exim -N -M`, which removes the message, so it comes last), and the
daemon's main and reject logs. Nothing is ever delivered."""

from __future__ import annotations

from ..errors import StepUsageError
from ..live import logs, spool
from ..live.logs import DryRun, LogName
from ..live.server import LiveServer
from .registry import Context, scenario_state, then


def _server(context: Context, step: str) -> LiveServer:
    return scenario_state(context).live_server(step)


def _queued(context: Context, step: str) -> list[spool.QueuedMessage]:
    server = _server(context, step)
    messages = spool.queued_messages(server.sandbox.spool)
    if not messages and scenario_state(context).live.dry_runs:
        raise StepUsageError(
            f"'{step}' reads the queue, and a dry-run delivery (a 'would be delivered' step) has "
            "removed the message from it: check the queued message before where it would go."
        )
    return messages


def _message(context: Context, step: str) -> spool.QueuedMessage:
    return spool.assert_queued(_queued(context, step))


@then("the message is queued")
def step_message_queued(context: Context) -> None:
    """Check that the live server queued a message (it accepted one; nothing is
    delivered). The steps below read the newest.

    Example: Then the message is queued
    """
    _message(context, "Then the message is queued")


@then("no message is queued")
def step_nothing_queued(context: Context) -> None:
    """Check that the live server's queue is empty: it accepted no message.

    Example: Then no message is queued
    """
    spool.assert_nothing_queued(_queued(context, "Then no message is queued"))


# Before the plain form: its NAME would take in ` with "TEXT` (behave matches in order).
@then('the queued message has the header "{name:EximText}" with "{text:EximText}"')
def step_queued_header_with(context: Context, name: str, text: str) -> None:
    """The same, with TEXT in the header's value (case-insensitive).

    Example: Then the queued message has the header "X-Coop-Checked" with "mx.coop.test"
    """
    spool.assert_header(_message(context, "Then the queued message has the header ..."), name, text)


@then('the queued message has the header "{name:EximText}"')
def step_queued_header(context: Context, name: str) -> None:
    """Check a header of the queued message as Exim stored it (the ACLs' and the
    client's; a removed one does not count).

    Example: Then the queued message has the header "X-Coop-Checked"
    """
    spool.assert_header(_message(context, "Then the queued message has the header ..."), name)


@then('the queued message does not have the header "{name:EximText}"')
def step_queued_no_header(context: Context, name: str) -> None:
    """Check that the queued message has no such header (a removed one does not count).

    Example: Then the queued message does not have the header "X-Spam-Flag"
    """
    spool.assert_no_header(_message(context, "Then the queued message does not have the header ..."), name)


@then("the queued message is for {address:EximMailbox}")
def step_queued_for(context: Context, address: str) -> None:
    """Check that the address is one of the queued message's envelope recipients.

    Example: Then the queued message is for <anna@coop.test>
    """
    spool.assert_for_recipient(_message(context, "Then the queued message is for ..."), address)


def _dry_run(context: Context, step: str) -> DryRun:
    """The dry-run delivery of the newest queued message, made once (it removes it)."""
    state = scenario_state(context)
    server = _server(context, step)
    runs = state.live.dry_runs
    if not runs:
        message = spool.assert_queued(spool.queued_messages(server.sandbox.spool))
        runs.append(spool.dry_run(server.options, server.sandbox.spool, message.id, server.macros))
    return runs[-1]


@then(
    "the queued message would be delivered to {address:EximMailbox} "
    'by router "{router:EximName}" and transport "{transport:EximName}"'
)
def step_would_deliver(context: Context, address: str, router: str, transport: str) -> None:
    """Check where the queued message would go for that recipient: a dry-run delivery
    (`exim -N -M`, nothing delivered) with the daemon's configuration and macros. It
    removes the message from the queue: put it after the other queue checks.

    Example: Then the queued message would be delivered to <anna@coop.test> by router "mailboxes" and transport "mailbox"
    """
    logs.assert_would_deliver(
        _dry_run(context, "Then the queued message would be delivered ..."), address, router, transport
    )


@then("the queued message would be sent to host {host:EximWord}")
def step_would_send_to_host(context: Context, host: str) -> None:
    """Check that a dry-run delivery of the queued message sends it to that host (its
    name or IP address), as a smarthost or a member's server.

    Example: Then the queued message would be sent to host 127.0.0.1
    """
    logs.assert_would_send_to_host(
        _dry_run(context, "Then the queued message would be sent to host ..."), host
    )


def _log_contains(context: Context, which: LogName, text: str) -> None:
    server = _server(context, f"Then the {which} log contains ...")
    assert server.directory is not None
    logs.assert_log_contains(server.directory, which, text)


@then('the main log contains "{text:EximText}"')
def step_main_log(context: Context, text: str) -> None:
    """Check that the live daemon's main log has a line containing TEXT (case-insensitive).

    Example: Then the main log contains "<= alice@example.net"
    """
    _log_contains(context, "main", text)


@then('the reject log contains "{text:EximText}"')
def step_reject_log(context: Context, text: str) -> None:
    """Check that the live daemon's reject log has a line containing TEXT.

    Example: Then the reject log contains "relay attempt for bob@other.example"
    """
    _log_contains(context, "reject", text)
