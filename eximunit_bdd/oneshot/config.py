"""`EximConfig`: an Exim configuration asked what it would do, without any mail.

A thin facade: each method is one line that hands the question to the module of its
Exim mode (`routing` for -bt, `verification` for -bv, `expansion` for -be, `options`
for -bP, `build` for -bV), which runs Exim, parses what it printed and checks it.
A new mode is a new module and a line here for each of its questions.
"""

from __future__ import annotations

import os
from typing import Mapping, Sequence

from ..exim.options import EximOptions
from . import build, delivery_path, expansion, filtering, options, retry, rewriting, routing, verification
from .build import EximBuild
from .delivery_path import DeliveryPath
from .expansion import Expansion
from .filtering import FilterResult
from .options import OptionState, OptionValue
from .retry import Retry, RetryRule
from .rewriting import Rewriting
from .routing import Host, Routing
from .run import EximRun, run_exim
from .verification import Verification

__all__ = ["EximConfig", "Expansion"]


class EximConfig:
    """An Exim configuration, asked what it would do, without any mail.

    >>> coop = EximConfig("examples/coop/exim4.conf")  # doctest: +SKIP
    >>> coop.route("postmaster@coop.test").deliveries[0].address  # doctest: +SKIP
    'anna@coop.test'
    >>> coop.assert_routed("bob@shop.test", router="hubbed")  # doctest: +SKIP

    Each question runs Exim once (about 8 ms), with the same binary, configuration,
    macros and sandbox as an `EximSession` given the same arguments. The `assert_*`
    helpers raise `ConfigAssertionError`, whose message shows Exim's own answer.
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
        sender: str | None = None,
    ) -> None:
        """`options` replaces config/exim/macros/timeout when given. Every `route`
        result is also appended to `routings` when given (for ACL coverage). `sender`
        is the envelope sender of routing and verification questions (`-f`; "" for
        the empty sender), None for Exim's default (the caller)."""
        self.options = options or EximOptions(exim, config, dict(macros or {}), True, timeout)
        self.routings = routings if routings is not None else []
        self.sender = sender

    def run(self, *mode_args: str, input: str | bytes | None = None) -> EximRun:
        """Run Exim with these arguments (`"-bt", "--", "a@b"`) and return what it printed."""
        return run_exim(self.options, *mode_args, input=input)

    # ---- routing (-bt) ------------------------------------------------------------------

    def route(self, address: str) -> Routing:
        """`exim -bt ADDRESS`: routers, transports, hosts, redirects, failures."""
        return self._seen(routing.route(self.options, address, self.sender))

    def route_each(self, addresses: Sequence[str]) -> list[Routing]:
        """`exim -bt -- A B C` once: a Routing for each address, each answer attributed
        to the address it is about."""
        return [self._seen(each) for each in routing.route_each(self.options, addresses, self.sender)]

    def assert_routed(self, address: str, router: str | None = None, transport: str | None = None) -> Routing:
        """Every delivery of mail for `address` is made by `router` (and `transport`)."""
        return routing.assert_routed(self.route(address), router, transport)

    def assert_deliveries(self, address: str, count: int) -> Routing:
        """Mail for `address` makes exactly `count` deliveries (after redirects)."""
        return routing.assert_deliveries(self.route(address), count)

    def assert_routed_to_host(self, address: str, host: str, port: int | None = None) -> Host:
        """Mail for `address` goes to `host` (its name or IP), on `port` if given: the
        port the router set (host::port), else the transport's `port` option."""
        return routing.assert_routed_to_host(self.route(address), host, port, self._transport_port)

    def assert_delivered_to_file(self, address: str, text: str) -> DeliveryPath:
        """A delivery of mail for `address` writes to a file, directory or Maildir whose
        path ends in `text` (the transport's `file`/`directory`, expanded for it)."""
        return delivery_path.assert_delivered_to_path(self.options, self.route(address), text)

    def assert_redirected(self, address: str, to: str) -> Routing:
        """Mail for `address` is redirected to `to` (directly or further along a chain)."""
        return routing.assert_redirected(self.route(address), to)

    def assert_discarded(self, address: str) -> Routing:
        """Mail for `address` is thrown away (`:blackhole:`)."""
        return routing.assert_discarded(self.route(address))

    def assert_undeliverable(self, address: str, text: str | None = None) -> Routing:
        """Mail for `address` bounces; with `text`, the reason contains it."""
        return routing.assert_undeliverable(self.route(address), text)

    def assert_temporarily_undeliverable(self, address: str, text: str | None = None) -> Routing:
        """Routing mail for `address` defers (`:defer:`, a host lookup that fails for now)."""
        return routing.assert_temporarily_undeliverable(self.route(address), text)

    # ---- verification (-bv) -------------------------------------------------------------

    def verify(self, address: str) -> Verification:
        """`exim -bv ADDRESS`: would the address verify as a recipient (no callouts)."""
        return verification.verify(self.options, address, self.sender)

    def verify_each(self, addresses: Sequence[str]) -> list[Verification]:
        """`exim -bv -- A B C` once: a Verification for each address."""
        return verification.verify_each(self.options, addresses, self.sender)

    def assert_verifies(self, address: str) -> Verification:
        return verification.assert_verifies(self.verify(address))

    def verify_sender(self, address: str) -> Verification:
        """`exim -bvs ADDRESS`: would the address verify as a sender."""
        return verification.verify(self.options, address, self.sender, as_sender=True)

    def assert_sender_verifies(self, address: str) -> Verification:
        return verification.assert_verifies(self.verify_sender(address))

    def assert_sender_fails_to_verify(self, address: str) -> Verification:
        return verification.assert_sender_fails_to_verify(self.verify_sender(address))

    def assert_fails_to_verify(self, address: str, text: str | None = None) -> Verification:
        """`address` fails verification for good; with `text`, the reason contains it."""
        return verification.assert_fails_to_verify(self.verify(address), text)

    # ---- expansion (-be) ----------------------------------------------------------------

    def expand(self, string: str) -> Expansion:
        """`exim -be STRING`: the expanded string, or Exim's reason for failing."""
        return expansion.expand(self.options, string)

    def assert_expands(self, string: str, result: str) -> Expansion:
        return expansion.assert_expands(self.expand(string), result)

    def assert_expansion_fails(self, string: str, text: str | None = None) -> Expansion:
        return expansion.assert_expansion_fails(self.expand(string), text)

    # ---- options (-bP) ------------------------------------------------------------------

    def option(
        self,
        name: str,
        *,
        router: str | None = None,
        transport: str | None = None,
        authenticator: str | None = None,
    ) -> OptionValue:
        """An option's value as Exim read it: of the main section, or of a router,
        transport or authenticator (`option("port", transport="hub_smtp")`)."""
        return options.ask_option(self.options, name, router, transport, authenticator).option

    def assert_has_option(self, name: str) -> OptionValue:
        """Exim has a main-section option called `name`."""
        return options.assert_has_option(self.options, name)

    def assert_has_no_option(self, name: str) -> None:
        """Exim has no main-section option called `name`."""
        options.assert_has_no_option(self.options, name)

    def configuration_file(self) -> str:
        """The file Exim reads: the one named, else the installed one (`-bP configure_file`)."""
        return options.configuration_file(self.options)

    def routers(self) -> list[str]:
        """The routers' names, in order."""
        return options.driver_names(self.options, "router")

    def transports(self) -> list[str]:
        """The transports' names, in order."""
        return options.driver_names(self.options, "transport")

    def assert_option(
        self,
        name: str,
        value: str,
        *,
        router: str | None = None,
        transport: str | None = None,
        authenticator: str | None = None,
    ) -> OptionValue:
        """The option's value is `value` exactly (for a boolean: true/yes or false/no);
        of its router, transport or authenticator if one is named."""
        answer = options.ask_option(self.options, name, router, transport, authenticator)
        return options.assert_option(answer, value)

    def assert_option_state(
        self,
        name: str,
        state: OptionState,
        *,
        router: str | None = None,
        transport: str | None = None,
        authenticator: str | None = None,
    ) -> OptionValue:
        """The option is `set` or `unset`, or (a boolean) `true` or `false`."""
        answer = options.ask_option(self.options, name, router, transport, authenticator)
        return options.assert_option_state(answer, state)

    def assert_option_set(
        self,
        name: str,
        *,
        router: str | None = None,
        transport: str | None = None,
        authenticator: str | None = None,
    ) -> OptionValue:
        return self.assert_option_state(
            name, "set", router=router, transport=transport, authenticator=authenticator
        )

    def assert_option_unset(
        self,
        name: str,
        *,
        router: str | None = None,
        transport: str | None = None,
        authenticator: str | None = None,
    ) -> OptionValue:
        return self.assert_option_state(
            name, "unset", router=router, transport=transport, authenticator=authenticator
        )

    def assert_option_true(
        self,
        name: str,
        *,
        router: str | None = None,
        transport: str | None = None,
        authenticator: str | None = None,
    ) -> OptionValue:
        return self.assert_option_state(
            name, "true", router=router, transport=transport, authenticator=authenticator
        )

    def assert_option_false(
        self,
        name: str,
        *,
        router: str | None = None,
        transport: str | None = None,
        authenticator: str | None = None,
    ) -> OptionValue:
        return self.assert_option_state(
            name, "false", router=router, transport=transport, authenticator=authenticator
        )

    # ---- the build and validity (-bV) ---------------------------------------------------

    def build(self) -> EximBuild:
        """`exim -bV`: version, features, lookups, drivers. Needs a valid configuration."""
        return build.build(self.options)

    def check(self) -> None:
        """Raise EximConfigError (with Exim's words and the line) unless Exim accepts the
        configuration."""
        build.check(self.options)

    def assert_valid(self) -> None:
        """Exim accepts the configuration (`exim -bV` succeeds)."""
        build.assert_valid(self.options)

    def assert_supports(self, name: str, kind: str | None = None) -> EximBuild:
        """The Exim build has `name` (a feature such as DKIM, a lookup, a router, ...)."""
        return build.assert_supports(self.build(), name, kind)

    def assert_does_not_support(self, name: str, kind: str | None = None) -> EximBuild:
        return build.assert_does_not_support(self.build(), name, kind)

    def assert_version(self, version: str) -> EximBuild:
        """Exim is exactly `version` (`exim -bV`)."""
        return build.assert_version(self.build(), version)

    def assert_version_at_least(self, version: str) -> EximBuild:
        return build.assert_version_at_least(self.build(), version)

    # ---- expansion with a message (-bem) ------------------------------------------------

    def expand_with_message(self, string: str, message: str) -> Expansion:
        """`exim -bem FILE STRING`: `string` expanded with `message`'s headers and body."""
        return expansion.expand(self.options, string, message)

    # ---- filters (-bf, -bF) -------------------------------------------------------------

    def filter_message(
        self, path: str | os.PathLike[str], message: str, recipient: str | None = None, system: bool = False
    ) -> FilterResult:
        """`exim -bf PATH` (`system`: `-bF PATH`): what the filter would do with `message`
        for `recipient` (`-bfl`/`-bfd`); check it with the `filtering.assert_*` helpers."""
        return filtering.filter_message(
            self.options, path, message, sender=self.sender, recipient=recipient, system=system
        )

    def system_filter_message(self, message: str, recipient: str | None = None) -> FilterResult:
        """`exim -bF SYSTEM_FILTER` with the configuration's `system_filter`."""
        return filtering.system_filter_message(self.options, message, sender=self.sender, recipient=recipient)

    def system_filter(self) -> str:
        """The configuration's system filter file, expanded; StepUsageError if it has none."""
        return filtering.system_filter_path(self.options)

    # ---- rewriting (-brw) ---------------------------------------------------------------

    def rewrite(self, address: str) -> Rewriting:
        """`exim -brw ADDRESS`: the address in each header and envelope field."""
        return rewriting.rewrite(self.options, address)

    def assert_rewrites(self, address: str, new: str, in_field: str) -> Rewriting:
        """Rewriting `address` gives `new` in `in_field` (`from`, `env-to`, ...)."""
        return rewriting.assert_rewrites(self.rewrite(address), new, in_field)

    def assert_rewrites_nothing(self, address: str) -> Rewriting:
        """No rewrite rule changes `address` in any field."""
        return rewriting.assert_rewrites_nothing(self.rewrite(address))

    # ---- retry rules (-brt) -------------------------------------------------------------

    def retry_rule(self, address: str, error: str | None = None) -> Retry:
        """`exim -brt ADDRESS [ERROR]`: the retry rule for an address or domain."""
        return retry.retry_rule(self.options, address, error)

    def assert_retry_rule(self, address: str, rule: str, error: str | None = None) -> RetryRule:
        """The retry rule for `address` is `rule` (whole, or its schedules alone)."""
        return retry.assert_retry_rule(self.retry_rule(address, error), rule)

    def assert_no_retry_rule(self, address: str, error: str | None = None) -> Retry:
        return retry.assert_no_retry_rule(self.retry_rule(address, error))

    # ---- internals ----------------------------------------------------------------------

    def _seen(self, result: Routing) -> Routing:
        self.routings.append(result)  # for ACL coverage: which routers the checks reached
        return result

    def _transport_port(self, transport: str) -> str:
        return options.ask_option(self.options, "port", transport=transport).option.value or ""
