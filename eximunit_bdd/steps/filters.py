"""Steps that check filters: a user's Exim or Sieve filter (`exim -bf`) and the system
filter (`exim -bF`), given a message; the envelope sender comes from `Given mail comes
from`. Nothing is delivered: Exim says what the filter would do."""

from __future__ import annotations

from ..errors import StepUsageError
from ..oneshot import filtering
from .registry import Context, given, scenario_state, then, when


@given("the message:")
def step_the_message(context: Context) -> None:
    """The message that filter checks and expansions with a message use: headers, an
    empty line, the body (checked now: a body line before the empty line is refused).

    Example: Given the message:
                 \"\"\"
                 From: alice@example.net
                 To: gina@garden.test
                 Subject: You won the lottery!!!

                 Claim your prize.
                 \"\"\"
    """
    if context.text is None:
        raise StepUsageError('write the message below the step, between two lines of """.')
    scenario_state(context).message = context.text


def _handle(context: Context, path: str, recipient: str | None = None) -> None:
    state = scenario_state(context)
    state.filtered = state.config.filter_message(path, state.message, recipient)


@when('the filter "{path:EximText}" handles the message')
def step_filter_handles(context: Context, path: str) -> None:
    """Run a user's filter file (`exim -bf PATH`: an Exim filter or a Sieve filter, by
    its first line) on the message; the path is relative to where behave runs.

    Example: When the filter "examples/coop/filters/gina.sieve" handles the message
    """
    _handle(context, path)


@when('the filter "{path:EximText}" handles the message for {address:EximMailbox}')
def step_filter_handles_for(context: Context, path: str, address: str) -> None:
    """The same, for mail to that address (`-bfl`/`-bfd`: `$local_part`, `$domain`,
    Sieve's envelope "to").

    Example: When the filter "examples/coop/filters/gina.sieve" handles the message for <gina@garden.test>
    """
    _handle(context, path, address)


@when("the system filter handles the message")
def step_system_filter_handles(context: Context) -> None:
    """Run the configuration's own `system_filter` on the message (`exim -bF`).

    Example: When the system filter handles the message
    """
    state = scenario_state(context)
    state.filtered = state.config.system_filter_message(state.message)


@then("the filter delivers to {address:EximMailbox}")
def step_filter_delivers(context: Context, address: str) -> None:
    """Check that the filter sends the message to that address (`deliver`, Sieve
    `redirect`), as well as or instead of normal delivery.

    Example: Then the filter delivers to <anna@coop.test>
    """
    filtering.assert_delivers_to(scenario_state(context).filtered, address)


@then('the filter saves to "{path:EximText}"')
def step_filter_saves(context: Context, path: str) -> None:
    """Check that the filter saves the message to that file (`save`) or, for Sieve,
    files it into that folder (`fileinto`).

    Example: Then the filter saves to "/var/mail/coop/archive/old-list"
    """
    filtering.assert_saves_to(scenario_state(context).filtered, path)


@then('the filter pipes to "{command:EximText}"')
def step_filter_pipes(context: Context, command: str) -> None:
    """Check that the filter pipes the message to that command (`pipe`; Exim filters).

    Example: Then the filter pipes to "/usr/local/bin/coop-abuse-report"
    """
    filtering.assert_pipes_to(scenario_state(context).filtered, command)


@then('the filter adds the header "{name:EximText}" with "{text:EximText}"')
def step_filter_adds_header(context: Context, name: str, text: str) -> None:
    """Check that the filter adds that header (`headers add`, system filters) and that
    TEXT appears in its value (case-insensitive).

    Example: Then the filter adds the header "X-Coop-Shouting" with "yes"
    """
    filtering.assert_adds_header(scenario_state(context).filtered, name, text)


@then("normal delivery occurs")
def step_normal_delivery(context: Context) -> None:
    """Check that the message still goes where it would without the filter (Exim:
    "Normal delivery will occur"; Sieve: the message is kept).

    Example: Then normal delivery occurs
    """
    filtering.assert_normal_delivery(scenario_state(context).filtered)


@then("normal delivery does not occur")
def step_no_normal_delivery(context: Context) -> None:
    """Check that the filter took the message away from its normal delivery (a
    significant delivery, a save, a discard, a failure).

    Example: Then normal delivery does not occur
    """
    filtering.assert_no_normal_delivery(scenario_state(context).filtered)


@then('the filter fails the message with "{text:EximText}"')
def step_filter_fails(context: Context, text: str) -> None:
    """Check that the filter fails the message (`fail text`, system filters) and that
    TEXT is in the text the sender gets.

    Example: Then the filter fails the message with "Programs are not accepted"
    """
    filtering.assert_fails(scenario_state(context).filtered, text)


@then("the filter freezes the message")
def step_filter_freezes(context: Context) -> None:
    """Check that the filter freezes the message for the postmaster to look at
    (`freeze`, system filters).

    Example: Then the filter freezes the message
    """
    filtering.assert_freezes(scenario_state(context).filtered)


@then("the filter discards the message")
def step_filter_discards(context: Context) -> None:
    """Check that the message goes nowhere: no normal delivery, nothing delivered,
    saved or piped (Exim `seen finish`, Sieve `discard`).

    Example: Then the filter discards the message
    """
    filtering.assert_discards(scenario_state(context).filtered)


@then('the filter reports an error with "{text:EximText}"')
def step_filter_error(context: Context, text: str) -> None:
    """Check that Exim cannot run the filter and that TEXT is in its error (which
    names the line), e.g. a filter that does not parse.

    Example: Then the filter reports an error with "missing semicolon"
    """
    filtering.assert_filter_error(scenario_state(context).filtered, text)
