"""Steps that check expansions (`exim -be`, with a message `-bem`), option values (`exim -bP`), the Exim
build (`exim -bV`) and that the configuration is valid. No connection is needed."""

from __future__ import annotations

from ..oneshot import expansion
from ..oneshot.options import OptionState
from .registry import Context, scenario_state, then


@then('expanding "{string:EximText}" with the message gives "{result:EximText}"')
def step_expansion_with_message_gives(context: Context, string: str, result: str) -> None:
    """Check what a string expands to with the message of `Given the message:` (`exim
    -bem`): its headers (`$h_subject:`), body and size, as an ACL or filter sees them.

    Example: Then expanding "$h_subject:" with the message gives "You won the lottery!!!"
    """
    state = scenario_state(context)
    expansion.assert_expands(state.config.expand_with_message(string, state.message), result)


@then('expanding "{string:EximText}" gives "{result:EximText}"')
def step_expansion_gives(context: Context, string: str, result: str) -> None:
    """Check that Exim expands the string (`exim -be`) to exactly the result, with
    the scenario's configuration (its lists, macros and lookups).

    Example: Then expanding "${if match_domain{bakery.test}{+local_domains}{yes}{no}}" gives "yes"
    """
    scenario_state(context).config.assert_expands(string, result)


@then('expanding "{string:EximText}" fails')
def step_expansion_fails(context: Context, string: str) -> None:
    """Check that expanding the string fails (a forced failure, a syntax error, ...).

    Example: Then expanding "${if eq{a}}" fails
    """
    scenario_state(context).config.assert_expansion_fails(string)


@then('expanding "{string:EximText}" fails with "{text:EximText}"')
def step_expansion_fails_with(context: Context, string: str, text: str) -> None:
    """Check that expanding the string fails, and that Exim's message contains the text.

    Example: Then expanding "${nosuchop{x}}" fails with "not a known operator"
    """
    scenario_state(context).config.assert_expansion_fails(string, text)


@then('the option "{name:EximName}" is "{value:EximText}"')
def step_option_is(context: Context, name: str, value: str) -> None:
    """Check a main-section option's value as Exim reads it (`exim -bP NAME`); for a
    boolean option, write true or false.

    Example: Then the option "message_size_limit" is "20M"
    """
    scenario_state(context).config.assert_option(name, value)


@then('the option "{name:EximName}" is {state:EximOptionState}')
def step_option_state(context: Context, name: str, state: OptionState) -> None:
    """Check that a main-section option is set (has a value), unset (empty), or, for
    a boolean option, true or false.

    Example: Then the option "helo_lookup_domains" is unset
    """
    scenario_state(context).config.assert_option_state(name, state)


@then('the option "{name:EximName}" of {kind:EximDriverKind} "{driver:EximName}" is "{value:EximText}"')
def step_driver_option_is(context: Context, name: str, kind: str, driver: str, value: str) -> None:
    """Check an option of a router, transport or authenticator (`exim -bP router
    NAME`, `exim -bP authenticator NAME`).

    Example: Then the option "port" of transport "hub_smtp" is "25"
    """
    scenario_state(context).config.assert_option(name, value, **{kind: driver})


@then('the option "{name:EximName}" of {kind:EximDriverKind} "{driver:EximName}" is {state:EximOptionState}')
def step_driver_option_state(context: Context, name: str, kind: str, driver: str, state: OptionState) -> None:
    """Check that an option of a router, transport or authenticator is set, unset,
    true or false.

    Example: Then the option "verify_recipient" of router "hubbed" is true
    """
    scenario_state(context).config.assert_option_state(name, state, **{kind: driver})


@then("the configuration is valid")
def step_configuration_valid(context: Context) -> None:
    """Check that Exim accepts the configuration (`exim -bV`); if not, Exim's error and
    the offending line are shown.

    Example: Then the configuration is valid
    """
    scenario_state(context).config.assert_valid()


@then('Exim supports "{name:EximText}"')
def step_supports(context: Context, name: str) -> None:
    """Check that this Exim build has a feature, lookup, authenticator, router,
    transport or malware scanner of that name (`exim -bV`, case-insensitive).

    Example: Then Exim supports "DKIM"
    """
    scenario_state(context).config.assert_supports(name)


@then('Exim supports the {kind:EximCapabilityKind} "{name:EximText}"')
def step_supports_kind(context: Context, kind: str, name: str) -> None:
    """Check that the build has it as that kind: feature, lookup, authenticator,
    router, transport or malware scanner.

    Example: Then Exim supports the lookup "lsearch"
    """
    scenario_state(context).config.assert_supports(name, kind)


@then('Exim does not support "{name:EximText}"')
def step_does_not_support(context: Context, name: str) -> None:
    """Check that the build lacks it, under any kind.

    Example: Then Exim does not support "Oracle"
    """
    scenario_state(context).config.assert_does_not_support(name)


@then('the Exim version is "{version:EximText}"')
def step_version(context: Context, version: str) -> None:
    """Check that Exim is exactly this version (`exim -bV`): 4.96 is not 4.96.1.

    Example: Then the Exim version is "4.96"
    """
    scenario_state(context).config.assert_version(version)


@then('Exim has the option "{name:EximText}"')
def step_has_option(context: Context, name: str) -> None:
    """Check that this Exim knows a main-section option of that name (`exim -bP NAME`),
    whatever its value: options come and go between versions.

    Example: Then Exim has the option "smtp_accept_max"
    """
    scenario_state(context).config.assert_has_option(name)


@then('Exim has no option "{name:EximText}"')
def step_has_no_option(context: Context, name: str) -> None:
    """Check that this Exim has no main-section option of that name.

    Example: Then Exim has no option "smtp_accept_maximum"
    """
    scenario_state(context).config.assert_has_no_option(name)


@then("the Exim version is at least {version:EximWord}")
def step_version_at_least(context: Context, version: str) -> None:
    """Check that Exim is this version or later (`exim -bV`).

    Example: Then the Exim version is at least 4.94
    """
    scenario_state(context).config.assert_version_at_least(version.strip('"'))
