"""Steps that choose the configuration and macros of the scenario's Exim."""

from __future__ import annotations

from .registry import Context, given, scenario_state


@given('the Exim configuration "{path}"')
def step_exim_configuration(context: Context, path: str) -> None:
    """Test this scenario against another Exim configuration file, given relative to
    the directory behave runs in (default: the exim_config userdata).

    Example: Given the Exim configuration "examples/coop/exim4.conf"
    """
    scenario_state(context).use_config(path)


@given('the macro {name:EximWord} is "{value:EximText}"')
def step_macro_value(context: Context, name: str, value: str) -> None:
    """Pass a macro to Exim (`-DNAME=VALUE`), overriding the configuration's own.

    Example: Given the macro RECIPIENTS_MAX is "2"
    """
    scenario_state(context).define_macro(name, value)


@given("the macro {name:EximWord} is defined")
def step_macro_defined(context: Context, name: str) -> None:
    """Define a macro with no value (`-DNAME`), for `.ifdef NAME` in the configuration.

    Example: Given the macro MAINTENANCE is defined
    """
    scenario_state(context).define_macro(name, None)
