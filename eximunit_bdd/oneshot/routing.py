"""Routing (`exim -bt ADDRESS`): where mail for an address would go, parsed, asked of
Exim, and checked by the assertion helpers below.

The shapes (Exim 4.96, verify.c)::

    anna@coop.test                              routed
        <-- postmaster@coop.test                ... after a redirect (nearest first)
      router = mailboxes, transport = mailbox
      host mail.shop.test [192.0.2.25] MX=10 port=2525
    root@vm -> /var/mail/mail                   a pipe, file or autoreply
      transport = address_file
    mail to noreply@coop.test is discarded      :blackhole:
    nobody@coop.test is undeliverable: REASON   exit 2 (no REASON for non-admin callers)
    x@y cannot be resolved at this time: REASON exit 1
    syntax error: REASON                        not an address
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass, field
from typing import Callable, Literal, Sequence

from ..errors import ConfigAssertionError, UnexpectedOutputError
from ..exim.inputs import check_address
from ..exim.options import EximOptions
from ..text import counted
from .addresses import FAILED, SYNTAX, attribute, check_reason, sender_arguments, syntax_error
from .run import answer_failure, run_exim

__all__ = [
    "Host",
    "Delivery",
    "Failure",
    "Routing",
    "parse_routing",
    "route",
    "route_each",
    "assert_routed",
    "assert_deliveries",
    "assert_routed_to_host",
    "assert_redirected",
    "assert_discarded",
    "assert_undeliverable",
    "assert_temporarily_undeliverable",
]

Status = Literal["routed", "discarded", "undeliverable", "deferred"]

_DISCARDED = re.compile(r"^mail to (?P<address>.+) is discarded$")
_GENERATED = re.compile(r"^(?P<parent>\S+) -> (?P<target>.+)$")
_PARENT = re.compile(r"^\s+<-- (?P<address>.+)$")
_ROUTER = re.compile(r"^\s+router = (?P<router>\S+), transport = (?P<transport>\S+)$")
_TRANSPORT = re.compile(r"^\s+transport = (?P<transport>\S+)$")
_HOST = re.compile(
    r"^\s+host (?P<name>\S+)\s+(?:\[(?P<address>[^\]]*)\])?"
    r"(?:\s+MX=(?P<mx>\d+))?(?:\s+port=(?P<port>\d+))?(?:\s+AD)?(?P<unusable>\s+\*\* unusable \*\*)?\s*$"
)
_ANNOTATION = re.compile(r"\s+\[(?:duplicate, would not be delivered|srs = [^\]]*)\]$")


@dataclass(frozen=True)
class Host:
    """A host a router chose: `host mail.shop.test [192.0.2.25] MX=10 port=2525`."""

    name: str
    address: str | None = None  # None when Exim printed [unknown] or nothing
    mx: int | None = None  # the MX preference, when the host came from an MX record
    port: int | None = None  # only when the router set it (host::port); else the transport's
    unusable: bool = False

    def matches(self, host: str) -> bool:
        """True if `host` is this host's name or its IP address (case-insensitive)."""
        wanted = host.strip().strip("[]").lower()
        return wanted in (self.name.lower(), (self.address or "").lower())

    def __str__(self) -> str:
        parts = [self.name, f"[{self.address}]" if self.address else ""]
        parts += [f"MX={self.mx}" if self.mx is not None else "", f"port={self.port}" if self.port else ""]
        return " ".join(part for part in parts if part)


@dataclass(frozen=True)
class Delivery:
    """One address the mail would be delivered to, after any redirects.

    `parents` are the addresses it came from, nearest first (the last is the one asked
    about). For a pipe, file or autoreply (`x -> |command`), `address` is the target
    and `router` is None: -bt names only the transport for those.
    """

    address: str
    parents: tuple[str, ...] = ()
    router: str | None = None
    transport: str | None = None
    hosts: tuple[Host, ...] = ()


@dataclass(frozen=True)
class Failure:
    """An address that could not be routed, for good or (`temporary`) for now.

    `reason` is None when Exim did not say: it tells only admin users why.
    """

    address: str
    reason: str | None
    temporary: bool = False
    parents: tuple[str, ...] = ()


@dataclass(frozen=True)
class Routing:
    """The result of `exim -bt ADDRESS`: where the mail for one address would go."""

    address: str
    deliveries: tuple[Delivery, ...] = ()
    failures: tuple[Failure, ...] = ()
    discarded: bool = False
    #: Exim's own output and the command that printed it, for failure messages.
    output: str = field(default="", compare=False)
    command: str = field(default="", compare=False)

    @property
    def status(self) -> Status:
        """The worst outcome: undeliverable, then deferred, then routed or discarded."""
        if any(not failure.temporary for failure in self.failures):
            return "undeliverable"
        if self.failures:
            return "deferred"
        return "routed" if self.deliveries else "discarded"

    @property
    def reason(self) -> str | None:
        """Why it failed (the first failure's reason), or None."""
        return next((failure.reason for failure in self.failures if failure.reason), None)

    @property
    def reasons_hidden(self) -> bool:
        """True when something failed but Exim gave no reason: the caller is not an
        Exim admin (see `admin_groups` in the README)."""
        return bool(self.failures) and all(failure.reason is None for failure in self.failures)

    @property
    def routers(self) -> list[str]:
        return [d.router for d in self.deliveries if d.router]

    @property
    def transports(self) -> list[str]:
        return [d.transport for d in self.deliveries if d.transport]

    @property
    def hosts(self) -> list[Host]:
        return [host for delivery in self.deliveries for host in delivery.hosts]

    def generated(self) -> list[str]:
        """Every address the mail passed through or reached besides the one asked
        about: the redirect chain and the final addresses (pipes and files included)."""
        seen: list[str] = []
        entries: list[Delivery | Failure] = [*self.deliveries, *self.failures]
        for entry in entries:
            for address in (entry.address, *entry.parents):
                if address.lower() != self.address.lower() and address not in seen:
                    seen.append(address)
        return seen


def parse_routing(address: str, output: str, command: str = "") -> Routing:
    """Parse `exim -bt ADDRESS` output; several addresses' results are all collected.

    Raises InvalidInputError for `syntax error: ...` and UnexpectedOutputError for a
    line in none of the known shapes (a newer Exim, or output from something else).
    """
    entries: list[_Entry] = []
    discarded = False
    for line in output.splitlines():
        if not line.strip():
            continue
        if line[0].isspace():
            if not entries or entries[-1].closed:
                raise UnexpectedOutputError(f"exim -bt printed {line!r} before any address")
            entries[-1].read_detail(line)
            continue
        if entries:
            entries[-1].closed = True
        if match := SYNTAX.match(line):
            raise syntax_error(address, match.group("reason"))
        if _DISCARDED.match(line):
            discarded = True
        elif match := FAILED.match(line):
            reason, temporary = match.group("reason"), match.group("how").startswith("cannot")
            entries.append(_Entry(match.group("address"), failed=True, reason=reason, temporary=temporary))
        elif match := _GENERATED.match(line):
            entries.append(_Entry(match.group("target"), parents=[match.group("parent")]))
        else:
            entries.append(_Entry(_ANNOTATION.sub("", line)))
    deliveries = tuple(entry.delivery() for entry in entries if not entry.failed)
    failures = tuple(entry.failure() for entry in entries if entry.failed)
    return Routing(address, deliveries, failures, discarded, output, command)


@dataclass
class _Entry:
    """An address line of -bt being read, completed by the indented lines below it."""

    address: str
    parents: list[str] = field(default_factory=list)
    failed: bool = False
    reason: str | None = None
    temporary: bool = False
    router: str | None = None
    transport: str | None = None
    hosts: list[Host] = field(default_factory=list)
    #: Set when the next address line began: no more details belong to it.
    closed: bool = False

    def read_detail(self, line: str) -> None:
        if match := _PARENT.match(line):
            self.parents.append(match.group("address"))
        elif self.failed:
            raise UnexpectedOutputError(f"exim -bt printed {line!r} under a failed address")
        elif match := _ROUTER.match(line):
            self.router, self.transport = match.group("router"), match.group("transport")
        elif match := _TRANSPORT.match(line):
            self.transport = match.group("transport")
        elif match := _HOST.match(line):
            address = match.group("address")
            self.hosts.append(
                Host(
                    match.group("name"),
                    None if address in (None, "unknown") else address.strip(),
                    int(match.group("mx")) if match.group("mx") else None,
                    int(match.group("port")) if match.group("port") else None,
                    bool(match.group("unusable")),
                )
            )
        else:
            raise UnexpectedOutputError(f"exim -bt printed a line eximunit does not know: {line!r}")

    def delivery(self) -> Delivery:
        return Delivery(self.address, tuple(self.parents), self.router, self.transport, tuple(self.hosts))

    def failure(self) -> Failure:
        return Failure(self.address, self.reason, self.temporary, tuple(self.parents))


# ---- asking Exim ------------------------------------------------------------------------


def route(options: EximOptions, address: str, sender: str | None = None) -> Routing:
    """`exim -bt ADDRESS`: routers, transports, hosts, redirects, failures; with
    `sender`, as mail from it (`-f`: routers with a `senders` condition see it)."""
    address = check_address(address)
    run = run_exim(options, "-bt", *sender_arguments(sender), "--", address)
    return parse_routing(address, run.stdout, run.command)


def route_each(options: EximOptions, addresses: Sequence[str], sender: str | None = None) -> list[Routing]:
    """`exim -bt -- A B C` once (one Exim start for all): a Routing for each address,
    in the order given, each made of the answers about it (see `addresses.attribute`)."""
    asked = [check_address(address) for address in addresses]
    run = run_exim(options, "-bt", *sender_arguments(sender), "--", *asked)
    return split_routing(asked, run.stdout, run.command)


def split_routing(asked: Sequence[str], output: str, command: str = "") -> list[Routing]:
    """`-bt` output for several addresses as one Routing per address asked. An answer
    is an address line with the indented lines below it; it is about the last address
    of its `<--` chain (the one asked, which a redirect turned into it), else itself."""
    blocks: list[tuple[str, str]] = []
    for line in output.splitlines(keepends=True):
        if match := SYNTAX.match(line):  # Exim does not say which address
            raise syntax_error(" or ".join(asked), match.group("reason"))
        if line.strip() and not line[0].isspace():
            blocks.append((_about(line), line))
        elif blocks:
            about, text = blocks[-1]
            parent = _PARENT.match(line)
            blocks[-1] = (parent.group("address") if parent else about, text + line)
    texts = attribute(asked, blocks, "-bt")
    return [parse_routing(address, "".join(text), command) for address, text in zip(asked, texts)]


def _about(line: str) -> str:
    """The address an answer's first line names: `X is undeliverable: ...`, `mail to X
    is discarded`, `X -> /file`, `X   [duplicate, ...]`, or `X`."""
    line = _ANNOTATION.sub("", line.rstrip("\n"))
    for shape, group in ((_DISCARDED, "address"), (FAILED, "address"), (_GENERATED, "parent")):
        if match := shape.match(line):
            return match.group(group)
    return line.strip()


# ---- assertions: each raises ConfigAssertionError, showing Exim's answer --------------


def assert_routed(routing: Routing, router: str | None = None, transport: str | None = None) -> Routing:
    """Every delivery of the mail is made by `router` (and `transport`)."""
    parts = (f'by router "{router}"' if router else "", f'to transport "{transport}"' if transport else "")
    wanted = " ".join(part for part in parts if part)
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


def assert_deliveries(routing: Routing, count: int) -> Routing:
    """The mail is routed and makes exactly `count` deliveries (after redirects)."""
    made = len(routing.deliveries) if routing.status == "routed" else 0
    if made != count:
        actual = f"it makes {made}" if routing.status == "routed" else f"it is {routing.status}"
        raise _routing_failure(routing, f"to make {counted(count, 'delivery', 'deliveries')}", actual)
    return routing


def assert_routed_to_host(
    routing: Routing, host: str, port: int | None, transport_port: Callable[[str], str]
) -> Host:
    """The mail goes to `host` (its name or IP), on `port` if given: the port the router
    set (host::port), else the transport's (`transport_port(TRANSPORT)`, asked only then)."""
    wanted = f"to be routed to host {host}" + (f" port {port}" if port is not None else "")
    if routing.status != "routed":
        raise _routing_failure(routing, wanted, f"it is {routing.status}")
    for delivery in routing.deliveries:
        for candidate in delivery.hosts:
            if not candidate.matches(host):
                continue
            if port is None:
                return candidate
            if candidate.port is not None:
                actual, source = str(candidate.port), "set by the router"
            elif delivery.transport is None:
                actual, source = "unknown", "no transport"
            else:
                actual = transport_port(delivery.transport) or "unset"
                source = f'the port option of transport "{delivery.transport}"'
            if _port_number(actual) == port:
                return candidate
            raise _routing_failure(routing, wanted, f"its port is {actual} ({source})")
    raise _routing_failure(routing, wanted, "no delivery goes to that host")


def _port_number(port: str) -> int | None:
    """A port as Exim reads it: a number, or a service name (`smtp`, the smtp
    transport's default) looked up as Exim does; None if it is neither."""
    if port.isdigit():
        return int(port)
    try:
        return socket.getservbyname(port, "tcp")
    except OSError:
        return None


def assert_redirected(routing: Routing, to: str) -> Routing:
    """The mail is redirected to `to` (directly or further along a chain)."""
    target = check_address(to)
    if target.lower() not in (generated.lower() for generated in routing.generated()):
        raise _routing_failure(routing, f"to be redirected to <{target}>", "it is not")
    return routing


def assert_discarded(routing: Routing) -> Routing:
    """The mail is thrown away (`:blackhole:`)."""
    if routing.status != "discarded":
        raise _routing_failure(routing, "to be discarded", f"it is {routing.status}")
    return routing


def assert_undeliverable(routing: Routing, text: str | None = None) -> Routing:
    """The mail bounces; with `text`, the reason contains it."""
    return _assert_failed(routing, "undeliverable", text)


def assert_temporarily_undeliverable(routing: Routing, text: str | None = None) -> Routing:
    """Routing defers (`:defer:`, a host lookup that fails for now)."""
    return _assert_failed(routing, "deferred", text)


def _assert_failed(routing: Routing, status: Status, text: str | None) -> Routing:
    label = "undeliverable" if status == "undeliverable" else "temporarily undeliverable"
    wanted = f"to be {label}" + (f' with "{text}"' if text else "")
    if routing.status != status:
        raise _routing_failure(routing, wanted, f"it is {routing.status}")
    if text is not None:
        reasons = [f.reason for f in routing.failures if f.temporary == (status == "deferred")]
        headline = f"Expected mail for <{routing.address}> {wanted}"
        check_reason(routing.address, reasons, text, headline, routing)
    return routing


def _routing_failure(routing: Routing, wanted: str, actual: str, hint: str = "") -> ConfigAssertionError:
    return answer_failure(f"Expected mail for <{routing.address}> {wanted}, but {actual}.{hint}", routing)
