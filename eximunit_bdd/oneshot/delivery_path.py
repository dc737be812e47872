"""Where a local delivery would write: the file, directory or Maildir of an
`appendfile` transport, or the file a redirect names.

`exim -bt` names the transport but not the path, no test mode runs a transport, and
Exim's debug output (which shows the delivery's variables) is for admins only. So the
transport's `file` (else `directory`) option is read as written (`-bP transport T`),
the delivery's variables are put in as the router sets them, and the result is
expanded (`-be`) with the configuration's lists and lookups:

- `$domain` in lower case, `$local_part` too unless the router has
  `caseful_local_part`, without the prefix and suffix the router's `local_part_prefix`
  / `local_part_suffix` strip (`$local_part_prefix`, `$local_part_suffix`);
- `$local_part_data` as the local part when the router has `check_local_user` or
  `local_parts`, `$domain_data` as the domain when it has `domains`, else empty (as
  Exim sets them for a user found or an item matched; a lookup returning other data is
  not seen: the failure message shows the values used);
- `$home` from the transport's `home_directory`, else the router's
  `router_home_directory`, else the user's home when the router has `check_local_user`;
- `$address_data` as the router's `address_data` expands with those (a lookup of the
  mailbox's directory, as taint-safe configurations do).

Other per-message variables are empty, as in `-be`.

    directory = /var/mail/$domain/$local_part  ->  /var/mail/coop.test/anna
"""

from __future__ import annotations

import pwd
import re
from dataclasses import dataclass

from ..exim.options import EximOptions
from .expansion import expand
from .options import OptionValue, driver_options
from .routing import Delivery, Routing
from .run import answer_failure

__all__ = ["DeliveryPath", "delivery_paths", "assert_delivered_to_path"]

_NAMES = "local_part_prefix|local_part_suffix|local_part_data|local_part|domain_data|domain|home|address_data"
#: The router options that, set, make Exim set each data variable (route.c).
_SETS_DATA = {"local_part_data": ("check_local_user", "local_parts"), "domain_data": ("domains",)}
_VARIABLE = re.compile(rf"\$(?:\{{(?P<braced>{_NAMES})\}}|(?P<bare>{_NAMES})(?![A-Za-z0-9_]))")
_SPECIAL = re.compile(r"([\\${}])")


@dataclass(frozen=True)
class DeliveryPath:
    """Where one delivery writes: `path`, from the transport's `option` as `written`,
    with `values` put in for its variables (`option` is "address" for a file a
    redirect names); `path` None when it writes no file or `error` says why not."""

    delivery: Delivery
    path: str | None
    option: str = ""
    written: str = ""
    values: tuple[tuple[str, str], ...] = ()
    error: str | None = None

    def __str__(self) -> str:
        via = f'transport "{self.delivery.transport}"' if self.delivery.transport else "no transport"
        if self.error is not None:
            return f"{self.delivery.address} via {via}: {self.option} = {self.written} fails: {self.error}"
        if self.path is None:
            return (
                f"{self.delivery.address} via {via}: no file (the transport has no file or directory option)"
            )
        given = ", ".join(f"${name}={value}" for name, value in self.values)
        source = f"from {self.option} = {self.written}" + (f" with {given}" if given else "")
        return f"{self.delivery.address} via {via}: {self.path} ({source})"


def delivery_paths(options: EximOptions, routing: Routing) -> list[DeliveryPath]:
    """The path of each delivery of `routing` (several for a redirect to several)."""
    return [_path_of(options, delivery) for delivery in routing.deliveries]


def _path_of(options: EximOptions, delivery: Delivery) -> DeliveryPath:
    if delivery.router is None and delivery.address.startswith("/"):
        return DeliveryPath(delivery, delivery.address, "address", delivery.address)
    if delivery.transport is None:
        return DeliveryPath(delivery, None)
    transport = driver_options(options, "transport", delivery.transport)[1]
    option = next((name for name in ("file", "directory") if _value(transport, name)), None)
    if option is None:
        return DeliveryPath(delivery, None)
    router = driver_options(options, "router", delivery.router)[1] if delivery.router else {}
    values = _variables(delivery.address, router)
    values["home"] = _home(options, router, transport, values)
    if address_data := _value(router, "address_data"):
        values["address_data"] = expand(options, _filled_in(address_data, values)).result or ""
    written = _value(transport, option)
    expansion = expand(options, _filled_in(written, values))
    shown = tuple((name, value) for name, value in values.items() if name in _used(written))
    return DeliveryPath(delivery, expansion.result, option, written, shown, expansion.error)


def _variables(address: str, router: dict[str, OptionValue]) -> dict[str, str]:
    """`$local_part`, `$domain` and the stripped prefix and suffix, as the router sets them."""
    local_part, _, domain = address.rpartition("@")
    caseful = router.get("caseful_local_part")
    if not (caseful is not None and caseful.boolean):
        local_part = local_part.lower()
    prefix = _affix(local_part, _value(router, "local_part_prefix"), prefix=True)
    local_part = local_part[len(prefix) :]
    suffix = _affix(local_part, _value(router, "local_part_suffix"), prefix=False)
    local_part = local_part[: len(local_part) - len(suffix)]
    values = {"local_part": local_part, "domain": domain.lower(), "local_part_prefix": prefix}
    values["local_part_suffix"] = suffix
    for data, options in _SETS_DATA.items():
        setting = [router.get(name) for name in options]
        given = any(option is not None and (option.boolean or option.value) for option in setting)
        values[data] = values[data.removesuffix("_data")] if given else ""
    return values


def _affix(local_part: str, patterns: str, *, prefix: bool) -> str:
    """The part of `local_part` that the first matching pattern of the list strips
    (route.c: a prefix `*-` ends at the last `-`, a suffix `-*` starts at the first)."""
    for pattern in (item.strip() for item in patterns.split(":") if item.strip()):
        fixed = pattern.strip("*").lower()
        low = local_part.lower()
        if prefix and pattern.startswith("*") and (at := low.rfind(fixed)) >= 0:
            return local_part[: at + len(fixed)]
        if not prefix and pattern.endswith("*") and (at := low.find(fixed)) >= 0:
            return local_part[at:]
        if prefix and low.startswith(fixed) and len(low) > len(fixed):
            return local_part[: len(fixed)]
        if not prefix and low.endswith(fixed) and len(low) > len(fixed):
            return local_part[len(local_part) - len(fixed) :]
    return ""


def _home(
    options: EximOptions,
    router: dict[str, OptionValue],
    transport: dict[str, OptionValue],
    values: dict[str, str],
) -> str:
    for written in (_value(transport, "home_directory"), _value(router, "router_home_directory")):
        if written:
            return expand(options, _filled_in(written, values)).result or ""
    checks_user = router.get("check_local_user")
    if checks_user is not None and checks_user.boolean:
        try:
            return pwd.getpwnam(values["local_part"]).pw_dir
        except KeyError:
            return ""
    return ""


def _filled_in(written: str, values: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        return _SPECIAL.sub(r"\\\1", values.get(match.group("braced") or match.group("bare"), ""))

    return _VARIABLE.sub(value, written)


def _used(written: str) -> set[str]:
    """The variables `written` names, by the value that stands for each."""
    return {match.group("braced") or match.group("bare") for match in _VARIABLE.finditer(written)}


def _value(found: dict[str, OptionValue], name: str) -> str:
    option = found.get(name)
    return (option.value or "") if option is not None else ""


def assert_delivered_to_path(options: EximOptions, routing: Routing, text: str) -> DeliveryPath:
    """A delivery of the mail writes to a file, directory or Maildir whose path ends
    in `text` (a trailing `/` on either side does not count)."""
    wanted = f'Expected mail for <{routing.address}> to be delivered to a file ending in "{text}"'
    if routing.status != "routed":
        raise answer_failure(f"{wanted}, but it is {routing.status}.", routing)
    paths = delivery_paths(options, routing)
    for found in paths:
        if found.path is not None and found.path.rstrip("/").endswith(text.rstrip("/")):
            return found
    listed = "\n".join(f"  {found}" for found in paths)
    raise answer_failure(f"{wanted}, but its deliveries write to:\n{listed}", routing)
