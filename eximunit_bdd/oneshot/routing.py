"""What `exim -bt ADDRESS` and `exim -bv ADDRESS` print, parsed.

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
    anna@coop.test verified                     -bv
    x@y failed to verify: REASON                -bv, exit 2
    syntax error: REASON                        not an address
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from ..errors import InvalidInputError, UnexpectedOutputError

__all__ = ["Host", "Delivery", "Failure", "Routing", "Verification", "parse_routing", "parse_verification"]

Status = Literal["routed", "discarded", "undeliverable", "deferred"]

_DISCARDED = re.compile(r"^mail to (?P<address>.+) is discarded$")
_FAILED = re.compile(
    r"^(?P<address>.+?) (?P<how>is undeliverable|failed to verify|cannot be resolved at this time)"
    r"(?:: (?P<reason>.*))?$"
)
_VERIFIED = re.compile(r"^(?P<address>.+?) (?:verified|is deliverable)$")
_SYNTAX = re.compile(r"^syntax error: (?P<reason>.*)$")
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


@dataclass(frozen=True)
class Verification:
    """The result of `exim -bv ADDRESS`."""

    address: str
    verified: bool
    reason: str | None = None
    temporary: bool = False
    output: str = field(default="", compare=False)
    command: str = field(default="", compare=False)


def parse_routing(address: str, output: str, command: str = "") -> Routing:
    """Parse `exim -bt ADDRESS` output; several addresses' results are all collected.

    Raises InvalidInputError for `syntax error: ...` and UnexpectedOutputError for a
    line in none of the known shapes (a newer Exim, or output from something else).
    """
    deliveries: list[Delivery] = []
    failures: list[Failure] = []
    discarded = False
    # The entry being read: its fields, completed by the indented lines below it.
    current: dict | None = None

    def finish() -> None:
        if current is None:
            return
        kind = current.pop("kind")
        current["parents"] = tuple(current["parents"])
        if kind == "delivery":
            current["hosts"] = tuple(current["hosts"])
            deliveries.append(Delivery(**current))
        else:
            failures.append(Failure(**current))

    for line in output.splitlines():
        if not line.strip():
            continue
        if line[0].isspace():
            if current is None:
                raise UnexpectedOutputError(f"exim -bt printed {line!r} before any address")
            _read_detail(line, current)
            continue
        finish()
        current = None
        if match := _SYNTAX.match(line):
            raise _syntax_error(address, match.group("reason"))
        if match := _DISCARDED.match(line):
            discarded = True
        elif match := _FAILED.match(line):
            current = {
                "kind": "failure",
                "address": match.group("address"),
                "reason": match.group("reason"),
                "temporary": match.group("how").startswith("cannot"),
                "parents": [],
            }
        elif match := _GENERATED.match(line):
            current = _delivery(match.group("target"), parents=[match.group("parent")])
        else:
            current = _delivery(_ANNOTATION.sub("", line))
    finish()
    return Routing(address, tuple(deliveries), tuple(failures), discarded, output, command)


def parse_verification(address: str, output: str, command: str = "") -> Verification:
    """Parse `exim -bv ADDRESS` output (one address)."""
    for line in output.splitlines():
        if match := _SYNTAX.match(line):
            raise _syntax_error(address, match.group("reason"))
        if _VERIFIED.match(line):
            return Verification(address, True, output=output, command=command)
        if match := _FAILED.match(line):
            temporary = match.group("how").startswith("cannot")
            return Verification(address, False, match.group("reason"), temporary, output, command)
    raise UnexpectedOutputError(f"exim -bv printed no verdict for {address}: {output!r}")


def _syntax_error(address: str, reason: str) -> InvalidInputError:
    return InvalidInputError(f"Exim says {address!r} is not a mail address: {reason}.")


def _delivery(address: str, parents: list[str] | None = None) -> dict:
    return {
        "kind": "delivery",
        "address": address,
        "parents": parents or [],
        "router": None,
        "transport": None,
        "hosts": [],
    }


def _read_detail(line: str, current: dict) -> None:
    if match := _PARENT.match(line):
        current["parents"].append(match.group("address"))
    elif current["kind"] != "delivery":
        raise UnexpectedOutputError(f"exim -bt printed {line!r} under a failed address")
    elif match := _ROUTER.match(line):
        current["router"], current["transport"] = match.group("router"), match.group("transport")
    elif match := _TRANSPORT.match(line):
        current["transport"] = match.group("transport")
    elif match := _HOST.match(line):
        address = match.group("address")
        current["hosts"].append(
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
