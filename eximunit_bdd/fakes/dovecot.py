"""A fake Dovecot auth server for Exim's `driver = dovecot` authenticators.

For each AUTH command Exim connects to `server_socket` (over TCP it is a host and a
port separated by a space: `server_socket = 127.0.0.1 DOVECOT_PORT`; Exim 4.96 reads no
`inet:` prefix there), reads the handshake up to `DONE` and checks that the
authenticator's mechanism is among the `MECH` lines. Then it sends, in Dovecot's
auth-client protocol version 1::

    VERSION\\t1\\t0
    CPID\\t<pid>
    AUTH\\t1\\tPLAIN\\tservice=smtp\\t[secured\\t]rip=<client>\\tlip=<server>\\tnologin\\tresp=<base64>

and relays each `CONT\\t1\\t<base64>` challenge to the SMTP client as `334 <base64>`,
its answer back as `CONT\\t1\\t<base64>`, until `OK\\t1\\tuser=NAME` (235) or
`FAIL\\t1[\\tuser=NAME]` (535). `resp=` with nothing after it means "no initial
response" (Dovecot reads it so for clients of protocol 1.0, as Exim is).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import dataclasses
import itertools
import os
import secrets
from typing import Any, Mapping

from ..errors import InvalidInputError
from .base import StreamFake
from .peer import KINDS

__all__ = ["FakeDovecotAuth", "DovecotAttempt", "MECHANISMS"]

#: The mechanisms it advertises (Dovecot's plaintext ones).
MECHANISMS = ("PLAIN", "LOGIN")
_USERNAME = base64.b64encode(b"Username:").decode()
_PASSWORD = base64.b64encode(b"Password:").decode()


@dataclasses.dataclass(frozen=True)
class DovecotAttempt:
    """One authentication the fake answered (OK or FAIL)."""

    mechanism: str
    #: The user name as the client gave it ("" when it gave none).
    user: str
    succeeded: bool
    #: `rip` and `lip`: the SMTP client's address and the one it connected to.
    client_ip: str
    server_ip: str
    #: Exim says so when the SMTP connection is TLS, or comes from its own address.
    secured: bool


@dataclasses.dataclass
class _Request:
    """An authentication in progress: what it has learnt so far."""

    mechanism: str
    params: dict[str, str]
    user: str | None = None


class FakeDovecotAuth(StreamFake):
    """Dovecot's auth service with a fixed user table: PLAIN and LOGIN succeed when the
    password given is the user's (names compared exactly). `attempts` records every
    authentication answered, oldest first; one the client abandoned is not recorded.

    Example: `FakeDovecotAuth("dovecot", {"anna@coop.test": "secret"})`
    """

    kind = KINDS["dovecot"]

    def __init__(self, name: str, users: Mapping[str, str] | None = None, **options: Any) -> None:
        super().__init__(name, **options)
        self.users: dict[str, str] = {}
        self.attempts: list[DovecotAttempt] = []
        self._connections = itertools.count(1)
        for user, password in (users or {}).items():
            self.add_user(user, password)

    def add_user(self, user: str, password: str) -> None:
        """Let `user` log in with `password` (also while it runs)."""
        if not isinstance(user, str) or not user or any(c in user for c in "\t\r\n\0"):
            raise InvalidInputError(
                f"Dovecot user name {user!r} is not usable: write a non-empty name without tabs, "
                "line breaks or NUL (the protocol separates fields by tabs, lines by newlines)."
            )
        if not isinstance(password, str) or "\0" in password:
            raise InvalidInputError(
                f"the password of Dovecot user {user!r} must be text without NUL "
                "(AUTH PLAIN separates the user from the password by NUL)."
            )
        with self._lock:
            self.users[user] = password

    def handshake(self) -> str:
        """What Dovecot says first on each connection: its version, mechanisms, ids."""
        mechs = "".join(f"MECH\t{mech}\tplaintext\n" for mech in MECHANISMS)
        cuid, cookie = next(self._connections), secrets.token_hex(16)
        return f"VERSION\t1\t2\n{mechs}SPID\t{os.getpid()}\nCUID\t{cuid}\nCOOKIE\t{cookie}\nDONE\n"

    def _answer(self, line: str, requests: dict[str, _Request]) -> str | None:
        """The answer to one client line (None for those that need none); `requests` is
        the connection's authentications in progress. Raises ValueError for a line
        Dovecot would disconnect on."""
        command, *fields = line.split("\t")
        if command == "VERSION" and fields[:1] == ["1"]:
            return None
        if command == "CPID" and len(fields) == 1:
            return None
        if command == "AUTH" and len(fields) >= 3 and fields[0] not in requests:
            rid, mechanism, *params = fields
            named = dict(param.partition("=")[::2] for param in params)
            request = requests[rid] = _Request(mechanism.upper(), named)
            if request.mechanism not in MECHANISMS:
                return self._finish(rid, requests, False, "reason=Unsupported authentication mechanism.")
            return self._step(rid, requests, named.get("resp") or None)
        if command == "CONT" and len(fields) == 2 and fields[0] in requests:
            return self._step(fields[0], requests, fields[1])
        raise ValueError(f"not a Dovecot auth client line: {line[:80]!r}")

    def _step(self, rid: str, requests: dict[str, _Request], data: str | None) -> str:
        """The mechanism's next move, given the client's data (None: none yet)."""
        request = requests[rid]
        if data is None:  # no initial response: PLAIN asks for it, LOGIN for the user
            return f"CONT\t{rid}\t" + (_USERNAME if request.mechanism == "LOGIN" else "")
        try:
            decoded = base64.b64decode(data, validate=True)
        except binascii.Error:
            return self._finish(rid, requests, False, "reason=Invalid base64 data.")
        if request.mechanism == "LOGIN" and request.user is None:
            request.user = decoded.decode("utf-8", "replace")
            return f"CONT\t{rid}\t{_PASSWORD}"
        if request.mechanism == "LOGIN":
            password = decoded
        else:
            parts = decoded.split(b"\0")
            if len(parts) != 3:
                return self._finish(rid, requests, False, "reason=Invalid PLAIN response.")
            authzid, user = (part.decode("utf-8", "replace") for part in parts[:2])
            request.user, password = user, parts[2]
            if authzid not in ("", user):  # a master user logging in as another: none here
                return self._finish(rid, requests, False)
        with self._lock:
            known = self.users.get(request.user or "")
        return self._finish(rid, requests, known is not None and known.encode() == password)

    def _finish(self, rid: str, requests: dict[str, _Request], ok: bool, reason: str = "") -> str:
        request = requests.pop(rid)
        user = request.user or ""
        params = request.params
        attempt = DovecotAttempt(
            request.mechanism, user, ok, params.get("rip", ""), params.get("lip", ""), "secured" in params
        )
        with self._lock:
            self.attempts.append(attempt)
        fields = [f"user={user}"] if user and not any(c in user for c in "\t\r\n") else []
        return "\t".join(["OK" if ok else "FAIL", rid, *fields, *([reason] if reason else [])])

    async def converse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(self.handshake().encode())
        requests: dict[str, _Request] = {}
        while line := await reader.readline():
            if not line.endswith(b"\n"):
                raise ValueError(f"the client left a line unfinished: {line[:80]!r}")
            answer = self._answer(line.decode("utf-8", "replace").rstrip("\r\n"), requests)
            if answer is not None:
                writer.write(answer.encode() + b"\n")
                await writer.drain()
