"""`Connection`: who connects, and where, as `exim -bh` plays it: the client's address
and port, the server address and port it arrives at (`-oMi`), and what Exim would
otherwise find out itself: the client's host name (`-oMs`), its ident (`-oMt`), and an
authentication it already made (`-oMaa`, `-oMai`)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidInputError
from ..exim.inputs import check_ip, check_line, check_port

__all__ = ["Connection"]


@dataclass(frozen=True)
class Connection:
    """A client's connection, every part checked when made.

    >>> Connection("2001:db8::1", client_port=999).bh_arguments(callouts=True)
    ['-bhc', '2001:db8::1.999']
    """

    client_ip: str
    client_port: int | None = None
    #: The server's own address and port the client arrives at (a submission port, say).
    server_ip: str | None = None
    server_port: int | None = None
    #: The client's name, as a reverse lookup would give it (no lookup is made).
    host_name: str | None = None
    ident: str | None = None
    #: Already authenticated, as this id with this authenticator (no AUTH command).
    authenticated_id: str | None = None
    authenticator: str | None = None

    def __post_init__(self) -> None:
        checked = {
            "client_ip": check_ip(self.client_ip),
            "server_ip": check_ip(self.server_ip, "server IP") if self.server_ip else None,
            "client_port": check_port(self.client_port, "client port"),
            "server_port": check_port(self.server_port, "server port"),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)
        told = {
            "host name": self.host_name,
            "ident": self.ident,
            "authenticated id": self.authenticated_id,
            "authenticator": self.authenticator,
        }
        for what, value in told.items():
            if value is not None:
                check_line(value, f"the client's {what}")
        if (self.authenticated_id is None) != (self.authenticator is None):
            raise InvalidInputError("an authenticated client needs both its id and the authenticator's name.")

    def bh_arguments(self, callouts: bool) -> list[str]:
        """`-bhc IP[.PORT]` (`-bh` without callouts) and the `-oM...` options."""
        client = self.client_ip + (f".{self.client_port}" if self.client_port else "")
        arguments = ["-bhc" if callouts else "-bh", client]
        if self.server_ip or self.server_port:
            server = self.server_ip or "127.0.0.1"
            arguments += ["-oMi", server + (f".{self.server_port}" if self.server_port else "")]
        if self.host_name is not None:
            arguments += ["-oMs", self.host_name]
        if self.ident is not None:
            arguments += ["-oMt", self.ident]
        if self.authenticated_id is not None and self.authenticator is not None:
            arguments += ["-oMaa", self.authenticator, "-oMai", self.authenticated_id]
        return arguments
