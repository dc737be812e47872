"""Where a local delivery would write: the file, directory or Maildir of an
`appendfile` transport, or the file a redirect names.

`exim -bt` names the transport but not the path, and no test mode runs a transport.
So the transport's `file` (else `directory`) option is read as written (`-bP transport
T`), the delivery's own variables are put in (`$local_part`, `$local_part_data`,
`$domain`, `$domain_data`, `$home`; the data variables as the address's own parts,
`$home` from the transport's `home_directory`, else the router's
`router_home_directory`, else the user's home when the router has `check_local_user`),
and the result is expanded (`-be`) with the configuration's lists and lookups. Other
per-message variables are empty, as in `-be`.

    directory = /var/mail/coop/$domain/$local_part  ->  /var/mail/coop/coop.test/anna
"""

from __future__ import annotations

import pwd
import re
from dataclasses import dataclass

from ..exim.options import EximOptions
from .expansion import expand
from .options import OptionValue, parse_option_lines
from .routing import Delivery, Routing
from .run import answer_failure, run_exim

__all__ = ["DeliveryPath", "delivery_paths", "assert_delivered_to_path"]

_VARIABLE = re.compile(
    r"\$(?:\{(?P<braced>local_part_data|local_part|domain_data|domain|home)\}"
    r"|(?P<bare>local_part_data|local_part|domain_data|domain|home)(?![A-Za-z0-9_]))"
)
_SPECIAL = re.compile(r"([\\${}])")


@dataclass(frozen=True)
class DeliveryPath:
    """Where one delivery writes: `path`, from the transport's `option` as `written`
    (`option` is "address" for a file a redirect names); None when it writes no file."""

    delivery: Delivery
    path: str | None
    option: str = ""
    written: str = ""

    def __str__(self) -> str:
        where = f"{self.path} (from {self.option} = {self.written})" if self.path else "no file"
        via = f'transport "{self.delivery.transport}"' if self.delivery.transport else "no transport"
        return f"{self.delivery.address} via {via}: {where}"


def delivery_paths(options: EximOptions, routing: Routing) -> list[DeliveryPath]:
    """The path of each delivery of `routing` (several for a redirect to several)."""
    return [_path_of(options, delivery) for delivery in routing.deliveries]


def _path_of(options: EximOptions, delivery: Delivery) -> DeliveryPath:
    if delivery.router is None and delivery.address.startswith("/"):
        return DeliveryPath(delivery, delivery.address, "address", delivery.address)
    if delivery.transport is None:
        return DeliveryPath(delivery, None)
    transport = _driver_options(options, "transport", delivery.transport)
    option = next((name for name in ("file", "directory") if _value(transport, name)), None)
    if option is None:
        return DeliveryPath(delivery, None)
    written = _value(transport, option)
    local_part, _, domain = delivery.address.rpartition("@")
    values = {"local_part": local_part, "domain": domain}
    values["home"] = _home(options, delivery, transport, values)
    expansion = expand(options, _filled_in(written, values))
    return DeliveryPath(delivery, expansion.result, option, written)


def _home(
    options: EximOptions, delivery: Delivery, transport: dict[str, OptionValue], values: dict[str, str]
) -> str:
    router = _driver_options(options, "router", delivery.router) if delivery.router else {}
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
        name = (match.group("braced") or match.group("bare")).removesuffix("_data")
        return _SPECIAL.sub(r"\\\1", values.get(name, ""))

    return _VARIABLE.sub(value, written)


def _driver_options(options: EximOptions, kind: str, name: str) -> dict[str, OptionValue]:
    return parse_option_lines(run_exim(options, "-bP", kind, name).stdout)


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
