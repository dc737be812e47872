"""Steps that check what happens to addresses besides routing: rewriting (`exim -brw`)
and the retry rules (`exim -brt`). No connection is needed."""

from __future__ import annotations

from .registry import Context, scenario_state, then


@then('rewriting {address:EximMailbox} gives {new:EximMailbox} in "{field:EximText}"')
def step_rewriting_gives(context: Context, address: str, new: str, field: str) -> None:
    """Check what the rewrite rules make of the address in one field, as `exim -brw`
    prints them: env-from, env-to, from, to, sender, reply-to, cc, bcc.

    Example: Then rewriting <anna@pc7.office.coop.test> gives <anna@coop.test> in "from"
    """
    scenario_state(context).config.assert_rewrites(address, new, field)


@then("rewriting {address:EximMailbox} changes nothing")
def step_rewriting_changes_nothing(context: Context, address: str) -> None:
    """Check that no rewrite rule changes the address, in any field.

    Example: Then rewriting <anna@coop.test> changes nothing
    """
    scenario_state(context).config.assert_rewrites_nothing(address)


@then('the retry rule for {address:EximMailbox} is "{rule:EximText}"')
def step_retry_rule(context: Context, address: str, rule: str) -> None:
    """Check the retry rule Exim would use for the address or domain (`exim -brt`):
    the whole rule as written, or its schedules alone (blanks and a final ";" aside).

    Example: Then the retry rule for <bob@shop.test> is "F,15m,5m; F,5d,30m"
    """
    scenario_state(context).config.assert_retry_rule(address, rule)


@then("no retry rule applies to {address:EximMailbox}")
def step_no_retry_rule(context: Context, address: str) -> None:
    """Check that no retry rule matches the address or domain (`exim -brt`).

    Example: Then no retry rule applies to <bob@nowhere.test>
    """
    scenario_state(context).config.assert_no_retry_rule(address)
