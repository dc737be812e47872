"""Options (`exim -bP`): an option's value as Exim read the configuration, of the
main section or of a router, transport or authenticator; the drivers' names; parsed,
asked of Exim, and checked. What -bP prints::

    message_size_limit = 20M      a value
    helo_lookup_domains =         unset (empty)
    smtp_enforce_sync             a boolean, true
    no_split_spool_directory      a boolean, false
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..errors import ConfigAssertionError, InvalidInputError
from ..exim.options import EximOptions
from .run import EximRun, run_exim, shown

__all__ = [
    "OptionValue",
    "OptionAnswer",
    "OptionState",
    "parse_option_lines",
    "ask_option",
    "driver_options",
    "driver_names",
    "macro_names",
    "configuration_file",
    "assert_option",
    "assert_option_state",
    "assert_has_option",
    "assert_has_no_option",
]

#: What a spec may say of an option besides its value.
OptionState = Literal["set", "unset", "true", "false"]
DriverKind = Literal["router", "transport", "authenticator"]

_OPTION_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
#: Words -bP reads as requests of their own rather than option names.
_SPECIAL = {
    "config",
    "all",
    "macro",
    "macros",
    "router",
    "routers",
    "transport",
    "transports",
    "authenticator",
    "authenticators",
    "router_list",
    "transport_list",
    "authenticator_list",
    "macro_list",
    "environment",
}
#: Main-section names -bP answers with the bare value, without `name = `.
_BARE = {"configure_file", "config_file"}
_TRUE = {"true", "yes"}
_FALSE = {"false", "no"}

_VALUE = re.compile(r"^(?P<name>[A-Za-z0-9_]+) = ?(?P<value>.*)$")
_BOOLEAN = re.compile(r"^(?P<no>no_)?(?P<name>[A-Za-z0-9_]+)$")


@dataclass(frozen=True)
class OptionValue:
    """One option as Exim reports it: a `value` (possibly empty: unset), or for a
    boolean option `value` None and `boolean` True or False."""

    name: str
    value: str | None = None
    boolean: bool | None = None

    @property
    def is_boolean(self) -> bool:
        return self.boolean is not None

    @property
    def is_set(self) -> bool:
        """A non-empty value (a boolean counts as set when true)."""
        return bool(self.boolean) if self.is_boolean else bool(self.value)

    def __str__(self) -> str:
        if self.is_boolean:
            return self.name if self.boolean else f"no_{self.name}"
        return f"{self.name} = {self.value}"


def parse_option_lines(output: str) -> dict[str, OptionValue]:
    """Every `name = value` / `name` / `no_name` line of `exim -bP` output, by name
    (no Exim option's own name starts with no_)."""
    options: dict[str, OptionValue] = {}
    for line in output.splitlines():
        if match := _VALUE.match(line):
            options[match.group("name")] = OptionValue(match.group("name"), match.group("value").strip())
        elif match := _BOOLEAN.match(line.strip()):
            name = match.group("name")
            options[name] = OptionValue(name, None, not match.group("no"))
    return options


@dataclass(frozen=True)
class OptionAnswer:
    """An option Exim reported, the run that reported it, and `where` in words
    (`the option "port" of transport "hub_smtp"`)."""

    option: OptionValue
    run: EximRun
    where: str


def ask_option(
    options: EximOptions,
    name: str,
    router: str | None = None,
    transport: str | None = None,
    authenticator: str | None = None,
) -> OptionAnswer:
    """`exim -bP NAME` (or `-bP router|transport|authenticator DRIVER`, picking NAME
    out); an option or driver that does not exist is an InvalidInputError naming what
    does. At most one driver is given."""
    name = name.strip()
    asked: dict[DriverKind, str | None] = {
        "router": router,
        "transport": transport,
        "authenticator": authenticator,
    }
    drivers = [(kind, driver) for kind, driver in asked.items() if driver is not None]
    # The words -bP takes as requests of their own are ordinary options of drivers
    # (a router's `transport`).
    _check_option_name(name, not drivers)
    if not drivers:
        run = run_exim(options, "-bP", name)
        found = parse_option_lines(run.stdout)
        if name in _BARE and run.status == 0 and run.stdout.strip():
            found[name] = OptionValue(name, run.stdout.strip())
        if run.status != 0 or name not in found:
            raise InvalidInputError(f"Exim has no option {name!r}; it said: {run.stdout.strip()}")
        return OptionAnswer(found[name], run, f'the option "{name}"')
    if len(drivers) > 1:
        raise InvalidInputError(f"Ask for the option {name!r} of one driver at a time, not {drivers}.")
    kind, driver = drivers[0][0], drivers[0][1].strip()
    run, found = driver_options(options, kind, driver)
    if name not in found:
        raise InvalidInputError(f'The {kind} "{driver}" has no option {name!r} (Exim lists {len(found)}).')
    return OptionAnswer(found[name], run, f'the option "{name}" of {kind} "{driver}"')


def _check_option_name(name: str, main: bool = True) -> None:
    if not _OPTION_NAME.match(name) or (main and name in _SPECIAL):
        raise InvalidInputError(f"{name!r} is not an option name (message_size_limit, port, ...).")


def assert_has_option(options: EximOptions, name: str) -> OptionValue:
    """Exim has a main-section option called `name` (`-bP NAME`); a name that cannot
    be an option's is an InvalidInputError, not a failed claim."""
    _check_option_name(name.strip())
    try:
        return ask_option(options, name).option
    except InvalidInputError as error:
        raise ConfigAssertionError(
            f'Expected Exim to have the option "{name.strip()}", but it has not.\n{error}'
        ) from None


def assert_has_no_option(options: EximOptions, name: str) -> None:
    """Exim has no main-section option called `name` (`-bP NAME` says so)."""
    _check_option_name(name.strip())
    try:
        answer = ask_option(options, name)
    except InvalidInputError:
        return
    raise ConfigAssertionError(
        f'Expected Exim to have no option "{name.strip()}", but it has: {answer.option}.\n'
        + answer.run.shown()
    )


def driver_options(
    options: EximOptions, kind: DriverKind, driver: str
) -> tuple[EximRun, dict[str, OptionValue]]:
    """Every option of one router, transport or authenticator (`-bP KIND NAME`), with
    the run; a driver the configuration does not have is an InvalidInputError naming
    those it has."""
    run = run_exim(options, "-bP", kind, driver)
    if run.status != 0:
        names = ", ".join(driver_names(options, kind)) or "none"
        raise InvalidInputError(f'There is no {kind} "{driver}"; the {kind}s are: {names}.')
    return run, parse_option_lines(run.stdout)


def driver_names(options: EximOptions, kind: DriverKind) -> list[str]:
    """The routers', transports' or authenticators' names, in order (`-bP router_list`): those the
    configuration really has, after its `.ifdef`s."""
    return run_exim(options, "-bP", f"{kind}_list").lines


def macro_names(options: EximOptions, exims_own: bool = False) -> list[str]:
    """The macros the configuration defines with these options, -D ones included
    (`-bP macro_list`); Exim's own, which begin with `_` (`_HAVE_TLS`), only with
    `exims_own`."""
    names = run_exim(options, "-bP", "macro_list").lines
    return names if exims_own else [name for name in names if not name.startswith("_")]


def configuration_file(options: EximOptions) -> str:
    """The file Exim reads: the one named, else the installed one (`-bP configure_file`)."""
    named = options.config_path()
    if named is not None:
        return str(named)
    return str(ask_option(options, "configure_file").option.value)


def assert_option(answer: OptionAnswer, value: str) -> OptionValue:
    """The option's value is `value` exactly (for a boolean: true/yes or false/no)."""
    option = answer.option
    if option.is_boolean:
        wanted = value.strip().lower()
        if wanted not in _TRUE | _FALSE:
            raise InvalidInputError(f"{answer.where} is a boolean: say it is true or false, not {value!r}.")
        matches = option.boolean == (wanted in _TRUE)
    else:
        matches = option.value == value.strip()
    if not matches:
        raise _option_failure(f'Expected {answer.where} to be "{value}"', answer)
    return option


def assert_option_state(answer: OptionAnswer, state: OptionState) -> OptionValue:
    """The option is set (has a value) or unset (empty); a boolean is true or false."""
    option = answer.option
    if state in ("set", "unset"):
        if option.is_boolean:
            raise InvalidInputError(f"{answer.where} is a boolean: say it is true or false.")
        holds = option.is_set == (state == "set")
    else:
        if not option.is_boolean:
            raise InvalidInputError(
                f"{answer.where} is not a boolean (Exim has: {option}); "
                "say what it is, or that it is set or unset."
            )
        holds = option.boolean == (state == "true")
    if not holds:
        raise _option_failure(f"Expected {answer.where} to be {state}", answer)
    return option


def _option_failure(wanted: str, answer: OptionAnswer) -> ConfigAssertionError:
    # A router's or transport's -bP lists all its options: show the one in question.
    others = len(answer.run.lines) - 1
    listed = f"{answer.option}\n(and {others} other options)" if others > 0 else str(answer.option)
    return ConfigAssertionError(
        f"{wanted}, but Exim has: {answer.option}\nExim said:\n{shown(answer.run.command, listed)}"
    )
