"""`EximConfig`: routing, verification, expansion, options and the build, asked of a
real Exim through its one-shot modes (`-bt`, `-bv`, `-be`, `-bP`, `-bV`), with
assertion helpers that show Exim's own answer when a claim is false."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Mapping

from ..errors import ConfigAssertionError, EximConfigError, InvalidInputError, ReasonHiddenError
from ..exim.diagnosis import startup_error
from ..exim.inputs import check_address
from ..exim.options import EximOptions
from ..exim.sandbox import caller_user
from .build import KINDS, EximBuild, parse_build
from .options import OptionValue, parse_option_lines
from .routing import Host, Routing, Verification, parse_routing, parse_verification
from .run import EximRun, run_exim, shown

__all__ = ["EximConfig", "Expansion"]

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
_TRUE = {"true", "yes"}
_FALSE = {"false", "no"}


@dataclass(frozen=True)
class Expansion:
    """The result of `exim -be STRING`: `result`, or `error` if the expansion failed."""

    string: str
    result: str | None
    error: str | None
    command: str = ""

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def output(self) -> str:
        """What Exim printed."""
        return self.result if self.result is not None else f"Failed: {self.error}"


class EximConfig:
    """An Exim configuration, asked what it would do, without any mail.

    >>> coop = EximConfig("examples/coop/exim4.conf")  # doctest: +SKIP
    >>> coop.route("postmaster@coop.test").deliveries[0].address  # doctest: +SKIP
    'anna@coop.test'
    >>> coop.assert_routed("bob@shop.test", router="hubbed")  # doctest: +SKIP

    Each question runs Exim once (about 8 ms), with the same binary, configuration,
    macros and sandbox as an `EximSession` given the same arguments.
    """

    def __init__(
        self,
        config: str | os.PathLike[str] | None = None,
        *,
        exim: str | None = None,
        macros: Mapping[str, str | None] | None = None,
        timeout: float = 10.0,
        options: EximOptions | None = None,
        routings: list[Routing] | None = None,
    ) -> None:
        """`options` replaces config/exim/macros/timeout when given. Every `route`
        result is also appended to `routings` when given (for ACL coverage)."""
        self.options = options or EximOptions(exim, config, dict(macros or {}), True, timeout)
        self.routings = routings if routings is not None else []

    # ---- questions ----------------------------------------------------------------------

    def run(self, *mode_args: str) -> EximRun:
        """Run Exim with these arguments (`"-bt", "--", "a@b"`) and return what it printed."""
        return run_exim(self.options, *mode_args)

    def route(self, address: str) -> Routing:
        """`exim -bt ADDRESS`: routers, transports, hosts, redirects, failures."""
        address = check_address(address)
        run = self.run("-bt", "--", address)
        routing = parse_routing(address, run.stdout, run.command)
        self.routings.append(routing)
        return routing

    def verify(self, address: str) -> Verification:
        """`exim -bv ADDRESS`: would the address verify as a recipient (no callouts)."""
        address = check_address(address)
        run = self.run("-bv", "--", address)
        return parse_verification(address, run.stdout, run.command)

    def expand(self, string: str) -> Expansion:
        """`exim -be STRING`: the expanded string, or Exim's reason for failing."""
        run = self.run("-be", "--", string)
        output = run.stdout[:-1] if run.stdout.endswith("\n") else run.stdout
        if output.startswith("Failed: "):
            return Expansion(string, None, output[len("Failed: ") :], run.command)
        return Expansion(string, output, None, run.command)

    def option(self, name: str, *, router: str | None = None, transport: str | None = None) -> OptionValue:
        """An option's value as Exim read it: of the main section, or of a router or
        transport (`option("port", transport="hub_smtp")`)."""
        return self._option_and_run(name, router, transport)[0]

    def configuration_file(self) -> str:
        """The file Exim reads: the one named, else the installed one (`-bP configure_file`)."""
        named = self.options.config_path()
        if named is not None:
            return str(named)
        return str(self.option("configure_file").value)

    def routers(self) -> list[str]:
        """The routers' names, in order."""
        return self.run("-bP", "router_list").lines

    def transports(self) -> list[str]:
        return self.run("-bP", "transport_list").lines

    def build(self) -> EximBuild:
        """`exim -bV`: version, features, lookups, drivers. Needs a valid configuration."""
        return parse_build(self.run("-bV").stdout)

    def check(self) -> None:
        """Raise EximConfigError (with Exim's words and the line) unless Exim accepts the
        configuration."""
        run = self.run("-bV")
        if run.status != 0:  # -bV prints the build first, whatever follows
            error = startup_error(run.stderr.splitlines(), list(run.argv), before="it read the configuration")
            raise error if isinstance(error, EximConfigError) else EximConfigError(str(error))

    # ---- assertions: each raises ConfigAssertionError, showing Exim's answer -----------

    def assert_routed(self, address: str, router: str | None = None, transport: str | None = None) -> Routing:
        """Every delivery of mail for `address` is made by `router` (and `transport`)."""
        routing = self.route(address)
        wanted = " ".join(
            part
            for part in (
                f'by router "{router}"' if router else "",
                f'to transport "{transport}"' if transport else "",
            )
            if part
        )
        if routing.status != "routed":
            raise _routing_failure(routing, f"to be routed {wanted}".rstrip(), f"it is {routing.status}")
        wrong = [
            delivery
            for delivery in routing.deliveries
            if (router and delivery.router != router) or (transport and delivery.transport != transport)
        ]
        if wrong:
            hint = ""
            if router and any(d.parents for d in routing.deliveries):
                hint = (
                    "\n-bt names the router that accepted the final address; a redirect router "
                    "shows only as the <-- lines (check it with 'is redirected to')."
                )
            raise _routing_failure(routing, f"to be routed {wanted}", "Exim routed it otherwise", hint)
        return routing

    def assert_routed_to_host(self, address: str, host: str, port: int | None = None) -> Host:
        """Mail for `address` goes to `host` (its name or IP), on `port` if given: the
        port the router set (host::port), else the transport's `port` option."""
        routing = self.route(address)
        wanted = f"to be routed to host {host}" + (f" port {port}" if port is not None else "")
        if routing.status != "routed":
            raise _routing_failure(routing, wanted, f"it is {routing.status}")
        for delivery in routing.deliveries:
            for candidate in delivery.hosts:
                if not candidate.matches(host):
                    continue
                if port is None:
                    return candidate
                actual, source = self._port_of(candidate, delivery.transport)
                if actual == str(port):
                    return candidate
                raise _routing_failure(routing, wanted, f"its port is {actual} ({source})")
        raise _routing_failure(routing, wanted, "no delivery goes to that host")

    def assert_redirected(self, address: str, to: str) -> Routing:
        """Mail for `address` is redirected to `to` (directly or further along a chain)."""
        routing = self.route(address)
        target = check_address(to)
        if target.lower() not in (generated.lower() for generated in routing.generated()):
            raise _routing_failure(routing, f"to be redirected to <{target}>", "it is not")
        return routing

    def assert_discarded(self, address: str) -> Routing:
        """Mail for `address` is thrown away (`:blackhole:`)."""
        routing = self.route(address)
        if routing.status != "discarded":
            raise _routing_failure(routing, "to be discarded", f"it is {routing.status}")
        return routing

    def assert_undeliverable(self, address: str, text: str | None = None) -> Routing:
        """Mail for `address` bounces; with `text`, the reason contains it."""
        return self._assert_failed(self.route(address), "undeliverable", text)

    def assert_temporarily_undeliverable(self, address: str, text: str | None = None) -> Routing:
        """Routing mail for `address` defers (`:defer:`, a host lookup that fails for now)."""
        return self._assert_failed(self.route(address), "deferred", text)

    def assert_verifies(self, address: str) -> Verification:
        verification = self.verify(address)
        if not verification.verified:
            raise _failure(f"Expected <{verification.address}> to verify, but it did not.", verification)
        return verification

    def assert_fails_to_verify(self, address: str, text: str | None = None) -> Verification:
        """`address` fails verification for good; with `text`, the reason contains it."""
        verification = self.verify(address)
        wanted = f"Expected <{verification.address}> to fail to verify" + (f' with "{text}"' if text else "")
        if verification.verified or verification.temporary:
            outcome = "it verified" if verification.verified else "it could not be verified for now"
            raise _failure(f"{wanted}, but {outcome}.", verification)
        if text is not None:
            _check_reason(verification.address, [verification.reason], text, wanted, verification)
        return verification

    def assert_expands(self, string: str, result: str) -> Expansion:
        expansion = self.expand(string)
        if expansion.result != result:
            actual = f"failed: {expansion.error}" if expansion.failed else f"gave {expansion.result!r}"
            raise _failure(f"Expected {string!r} to expand to {result!r}, but it {actual}.", expansion)
        return expansion

    def assert_expansion_fails(self, string: str, text: str | None = None) -> Expansion:
        expansion = self.expand(string)
        wanted = f"Expected expanding {string!r} to fail" + (f' with "{text}"' if text else "")
        if not expansion.failed:
            raise _failure(f"{wanted}, but it gave {expansion.result!r}.", expansion)
        if text is not None and text.lower() not in (expansion.error or "").lower():
            raise _failure(f"{wanted}, but it failed with: {expansion.error}", expansion)
        return expansion

    def assert_option(
        self, name: str, value: str, *, router: str | None = None, transport: str | None = None
    ) -> OptionValue:
        """The option's value is `value` exactly (for a boolean: true/yes or false/no)."""
        option, run = self._option_and_run(name, router, transport)
        where = _where(name, router, transport)
        if option.is_boolean:
            wanted = value.strip().lower()
            if wanted not in _TRUE | _FALSE:
                raise InvalidInputError(f"{where} is a boolean: say it is true or false, not {value!r}.")
            matches = option.boolean == (wanted in _TRUE)
        else:
            matches = option.value == value.strip()
        if not matches:
            raise _option_failure(f'Expected {where} to be "{value}"', option, run)
        return option

    def assert_option_set(
        self, name: str, *, router: str | None = None, transport: str | None = None
    ) -> OptionValue:
        return self._assert_option_state(name, router, transport, "set")

    def assert_option_unset(
        self, name: str, *, router: str | None = None, transport: str | None = None
    ) -> OptionValue:
        return self._assert_option_state(name, router, transport, "unset")

    def assert_option_true(
        self, name: str, *, router: str | None = None, transport: str | None = None
    ) -> OptionValue:
        return self._assert_option_state(name, router, transport, "true")

    def assert_option_false(
        self, name: str, *, router: str | None = None, transport: str | None = None
    ) -> OptionValue:
        return self._assert_option_state(name, router, transport, "false")

    def assert_valid(self) -> None:
        """Exim accepts the configuration (`exim -bV` succeeds)."""
        try:
            self.check()
        except EximConfigError as error:
            raise ConfigAssertionError(f"Expected the configuration to be valid, but {error}") from None

    def assert_supports(self, name: str, kind: str | None = None) -> EximBuild:
        """The Exim build has `name` (a feature such as DKIM, a lookup, a router, ...)."""
        build = self.build()
        if not build.supports(name, kind):
            raise ConfigAssertionError(
                f"Expected Exim to support {_capability(name, kind)}, but this build does not.\n"
                + _build_summary(build, kind)
            )
        return build

    def assert_does_not_support(self, name: str, kind: str | None = None) -> EximBuild:
        build = self.build()
        if build.supports(name, kind):
            kinds = ", ".join(build.kinds_of(name, kind))
            raise ConfigAssertionError(
                f"Expected Exim not to support {_capability(name, kind)}, but this build lists it "
                f"({kinds}).\n" + _build_summary(build, kind)
            )
        return build

    def assert_version_at_least(self, version: str) -> EximBuild:
        build = self.build()
        if not build.version_at_least(version):
            raise ConfigAssertionError(
                f"Expected Exim {version} or later, but this is Exim {build.version}.\n"
                + shown("exim -bV", build.output.splitlines()[0] if build.output else "")
            )
        return build

    # ---- internals ----------------------------------------------------------------------

    def _assert_failed(self, routing: Routing, status: str, text: str | None) -> Routing:
        label = "undeliverable" if status == "undeliverable" else "temporarily undeliverable"
        wanted = f"to be {label}" + (f' with "{text}"' if text else "")
        if routing.status != status:
            raise _routing_failure(routing, wanted, f"it is {routing.status}")
        if text is not None:
            reasons = [f.reason for f in routing.failures if f.temporary == (status == "deferred")]
            _check_reason(
                routing.address, reasons, text, f"Expected mail for <{routing.address}> {wanted}", routing
            )
        return routing

    def _assert_option_state(
        self, name: str, router: str | None, transport: str | None, state: str
    ) -> OptionValue:
        option, run = self._option_and_run(name, router, transport)
        where = _where(name, router, transport)
        if state in ("set", "unset"):
            if option.is_boolean:
                raise InvalidInputError(f"{where} is a boolean: say it is true or false.")
            holds = option.is_set == (state == "set")
        else:
            if not option.is_boolean:
                raise InvalidInputError(
                    f"{where} is not a boolean (Exim has: {option}); "
                    "say what it is, or that it is set or unset."
                )
            holds = option.boolean == (state == "true")
        if not holds:
            raise _option_failure(f"Expected {where} to be {state}", option, run)
        return option

    def _option_and_run(
        self, name: str, router: str | None, transport: str | None
    ) -> tuple[OptionValue, EximRun]:
        name = name.strip()
        if not _OPTION_NAME.match(name) or name in _SPECIAL:
            raise InvalidInputError(f"{name!r} is not an option name (message_size_limit, port, ...).")
        if router is None and transport is None:
            run = self.run("-bP", name)
            if run.status != 0 or name not in (found := parse_option_lines(run.stdout)):
                raise InvalidInputError(f"Exim has no option {name!r}; it said: {run.stdout.strip()}")
            return found[name], run
        kind, driver = ("router", router) if router is not None else ("transport", transport)
        assert driver is not None
        run = self.run("-bP", kind, driver.strip())
        if run.status != 0:
            names = self.routers() if kind == "router" else self.transports()
            raise InvalidInputError(f'There is no {kind} "{driver}"; the {kind}s are: {", ".join(names)}.')
        options = parse_option_lines(run.stdout)
        if name not in options:
            raise InvalidInputError(
                f'The {kind} "{driver}" has no option {name!r} (Exim lists {len(options)}).'
            )
        return options[name], run

    def _port_of(self, host: Host, transport: str | None) -> tuple[str, str]:
        """The port mail for `host` goes to, and where that comes from."""
        if host.port is not None:
            return str(host.port), "set by the router"
        if transport is None:
            return "unknown", "no transport"
        value = self.option("port", transport=transport).value or "unset"
        return value, f'the port option of transport "{transport}"'


def _where(name: str, router: str | None, transport: str | None) -> str:
    if router is not None:
        return f'the option "{name}" of router "{router}"'
    if transport is not None:
        return f'the option "{name}" of transport "{transport}"'
    return f'the option "{name}"'


def _capability(name: str, kind: str | None) -> str:
    return f'the {kind} "{name}"' if kind else f'"{name}"'


def _build_summary(build: EximBuild, kind: str | None) -> str:
    kinds = [kind] if kind else list(KINDS)
    lines = [f"Exim {build.version} has:"] + [
        f"  {each}s: {' '.join(build.capabilities[each]) or '(none)'}" for each in kinds
    ]
    return "\n".join(lines)


def _failure(headline: str, result: Routing | Verification | Expansion) -> ConfigAssertionError:
    return ConfigAssertionError(f"{headline}\nExim said:\n{shown(result.command, result.output)}")


def _option_failure(wanted: str, option: OptionValue, run: EximRun) -> ConfigAssertionError:
    # A router's or transport's -bP lists all its options: show the one in question.
    others = len(run.lines) - 1
    listed = f"{option}\n(and {others} other options)" if others > 0 else str(option)
    return ConfigAssertionError(f"{wanted}, but Exim has: {option}\nExim said:\n{shown(run.command, listed)}")


def _routing_failure(routing: Routing, wanted: str, actual: str, hint: str = "") -> ConfigAssertionError:
    return _failure(f"Expected mail for <{routing.address}> {wanted}, but {actual}.{hint}", routing)


def _check_reason(
    address: str, reasons: list[str | None], text: str, wanted: str, result: Routing | Verification
) -> None:
    known = [reason for reason in reasons if reason]
    if not known:
        raise ReasonHiddenError(
            f"Exim gave no reason why <{address}> fails: it tells only its admin users, and "
            f"{caller_user()} is not one. Make the caller an admin in the test configuration:\n"
            "  .ifdef EXIMUNIT_GROUP\n  admin_groups = EXIMUNIT_GROUP\n  .endif\n"
            "(or run Exim as the caller with exim_user = EXIMUNIT_USER, as examples/coop/exim4.conf "
            "does). With the system configuration, run as root or as a member of Exim's group."
        )
    if not any(text.lower() in reason.lower() for reason in known):
        raise _failure(f"{wanted}, but the reason is: {'; '.join(known)}", result)
