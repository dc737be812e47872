"""A fake DNS server: the records a scenario declares, and nothing else.

It answers on a UDP and a TCP socket handed to it (bound to 127.0.0.1:53 inside a
`netns.PrivateNetwork`, where Exim's resolv.conf points). Names without records are
NXDOMAIN, a name with records of other types has no data (NOERROR, empty), and names
declared failing get SERVFAIL, which Exim treats as a temporary failure. A CNAME is
followed within the zone. Answers too big for UDP are truncated, and the resolver asks
again over TCP (long TXT records: DKIM keys).

Messages are packed and parsed by dnspython; the zone is this class's own.
"""

from __future__ import annotations

import selectors
import socket
import struct
import threading
from collections import defaultdict
from typing import Iterable

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.CNAME
import dns.reversename
import dns.rrset
from dns.rdatatype import RdataType

from ..errors import FakePeerError, InvalidInputError

__all__ = ["FakeDns", "RECORD_TYPES", "reverse_name", "blocklist_name"]

#: The record types a scenario can declare.
RECORD_TYPES = ("A", "AAAA", "MX", "TXT", "PTR", "CNAME")
_TTL = 300
_UDP_LIMIT = 512
_TXT_CHUNK = 255  # bytes in one TXT character-string
_EXAMPLES = {
    "A": '"192.0.2.10"',
    "AAAA": '"2001:db8::10"',
    "MX": '"10 mx1.example.net" (preference, then host)',
    "TXT": '"v=spf1 ip4:192.0.2.0/24 -all"',
    "PTR": '"mail.example.net"',
    "CNAME": '"other.example.net"',
}


def reverse_name(address: str) -> str:
    """`192.0.2.1` -> `1.2.0.192.in-addr.arpa` (IPv6: ip6.arpa)."""
    try:
        return dns.reversename.from_address(address).to_text(omit_final_dot=True)
    except (dns.exception.DNSException, ValueError):
        raise InvalidInputError(f"{address!r} is not an IP address.") from None


def blocklist_name(address: str, zone: str) -> str:
    """Where a DNS blocklist lists an address: `192.0.2.1`, `bl.test` -> `1.2.0.192.bl.test`."""
    reverse = reverse_name(address)
    return reverse.rsplit(".", 2)[0] + "." + zone.strip().rstrip(".")


class FakeDns:
    """Serves a zone that steps fill in while it runs.

    >>> zone = FakeDns()
    >>> zone.add("mx.shop.test", "A", "192.0.2.10")
    >>> zone.fail_temporarily("bl.test")
    """

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout
        self._records: dict[dns.name.Name, dict[RdataType, list[dns.rdata.Rdata]]] = defaultdict(dict)
        self._failing: set[dns.name.Name] = set()
        #: What was asked, in order: `("2.0.2.192.bl.test", "A")`.
        self.queries: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._thread: threading.Thread | None = None
        self._stop_writer: socket.socket | None = None

    # ---- the zone ----------------------------------------------------------------------

    def add(self, name: str, record_type: str, value: str) -> None:
        """Add a record: `add("shop.test", "MX", "10 mx1.shop.test")`. Names are
        absolute with or without the final dot; a TXT value is given unquoted."""
        owner = _name(name)
        rdtype = _record_type(record_type)
        rdata = _rdata(owner, rdtype, value)
        with self._lock:
            self._records[owner].setdefault(rdtype, []).append(rdata)

    def fail_temporarily(self, name: str) -> None:
        """Answer SERVFAIL for NAME and every name under it."""
        with self._lock:
            self._failing.add(_name(name))

    def names(self) -> list[str]:
        """Every name with records, without the final dot."""
        with self._lock:
            return [name.to_text(omit_final_dot=True) for name in self._records]

    def clear(self) -> None:
        """Forget every record, failure and query (a new scenario)."""
        with self._lock:
            self._records.clear()
            self._failing.clear()
            self.queries.clear()

    def answer(self, wire: bytes, over_tcp: bool = False) -> bytes | None:
        """The response to one query message (None for garbage, which gets no answer).
        Over UDP, an answer too big for the client's buffer is truncated (TC)."""
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if len(query.question) == 1:
            with self._lock:
                self._resolve(query.question[0], response)
        else:
            response.set_rcode(dns.rcode.FORMERR)
        payload = 65535 if over_tcp else max(query.payload, _UDP_LIMIT)
        wire_answer = response.to_wire()
        if len(wire_answer) > payload:  # ask again over TCP
            response.answer.clear()
            response.flags |= dns.flags.TC
            wire_answer = response.to_wire()
        return wire_answer

    def _resolve(self, question: dns.rrset.RRset, response: dns.message.Message) -> None:
        name, rdtype = question.name.canonicalize(), question.rdtype
        self.queries.append((name.to_text(omit_final_dot=True), dns.rdatatype.to_text(rdtype)))
        if any(name.is_subdomain(failing) for failing in self._failing):
            response.set_rcode(dns.rcode.SERVFAIL)
            return
        for _ in range(8):  # follow CNAMEs within the zone, as a recursive server would
            cname = self._records.get(name, {}).get(dns.rdatatype.CNAME)
            if not cname or rdtype == dns.rdatatype.CNAME:
                break
            response.answer.append(_rrset(name, dns.rdatatype.CNAME, cname))
            target = cname[0]
            assert isinstance(target, dns.rdtypes.ANY.CNAME.CNAME)  # what _rrset stores under CNAME
            name = target.target.canonicalize()
        found = self._records.get(name, {}).get(rdtype)
        if found:
            response.answer.append(_rrset(name, rdtype, found))
        elif not any(owner.is_subdomain(name) for owner in self._records):
            response.set_rcode(dns.rcode.NXDOMAIN)

    # ---- serving -----------------------------------------------------------------------

    def serve(self, udp: socket.socket, tcp: socket.socket) -> FakeDns:
        """Answer on these sockets (bound, not listening) from a thread of its own."""
        if self._thread is not None:
            raise FakePeerError("the fake DNS is serving already.")
        tcp.listen(16)
        stop_reader, self._stop_writer = socket.socketpair()
        self._sockets = [udp, tcp, stop_reader, self._stop_writer]
        self._thread = threading.Thread(
            target=self._serve, args=(udp, tcp, stop_reader), name="eximunit fake DNS", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop answering and close the sockets; safe to call twice."""
        thread, self._thread = self._thread, None
        if thread is not None and self._stop_writer is not None:
            self._stop_writer.send(b"x")
            thread.join(self.timeout)
        for sock in self._sockets:
            sock.close()
        self._sockets = []
        if thread is not None and thread.is_alive():
            raise FakePeerError(f"the fake DNS did not stop within {self.timeout:g} s.")

    close = stop

    def _serve(self, udp: socket.socket, tcp: socket.socket, stop: socket.socket) -> None:
        with selectors.DefaultSelector() as selector:
            for sock in (udp, tcp, stop):
                selector.register(sock, selectors.EVENT_READ)
            while True:
                for key, _ in selector.select():
                    if key.fileobj is stop:
                        return
                    if key.fileobj is udp:
                        self._answer_udp(udp)
                    else:
                        self._answer_tcp(tcp)

    def _answer_udp(self, udp: socket.socket) -> None:
        try:
            wire, client = udp.recvfrom(65535)
        except OSError:
            return
        answer = self.answer(wire)
        if answer is not None:
            udp.sendto(answer, client)

    def _answer_tcp(self, tcp: socket.socket) -> None:
        """One query per connection, as Exim's resolver asks after a truncated answer."""
        try:
            connection, _ = tcp.accept()
        except OSError:
            return
        with connection:
            connection.settimeout(self.timeout)
            try:
                (length,) = struct.unpack("!H", _read_exactly(connection, 2))
                answer = self.answer(_read_exactly(connection, length), over_tcp=True)
                if answer is not None:
                    connection.sendall(struct.pack("!H", len(answer)) + answer)
            except (OSError, ValueError, struct.error):
                pass  # a client that went away: nothing to answer


def _read_exactly(connection: socket.socket, length: int) -> bytes:
    data = b""
    while len(data) < length:
        chunk = connection.recv(length - len(data))
        if not chunk:
            raise ValueError("connection closed")
        data += chunk
    return data


def _name(text: str) -> dns.name.Name:
    try:
        return dns.name.from_text(text.strip()).canonicalize()
    except dns.exception.DNSException as error:
        raise InvalidInputError(f"{text!r} is not a DNS name: {error}.") from None


def _record_type(text: str) -> RdataType:
    upper = text.strip().upper()
    if upper not in RECORD_TYPES:
        raise InvalidInputError(
            f"DNS record type {text!r} is not offered: use one of {', '.join(RECORD_TYPES)}."
        )
    return dns.rdatatype.from_text(upper)


def _rdata(owner: dns.name.Name, rdtype: RdataType, value: str) -> dns.rdata.Rdata:
    text = value.strip()
    if rdtype == dns.rdatatype.TXT:  # unquoted in specs; one string per 255 characters
        if not text.isascii():
            raise InvalidInputError(f"the TXT record of {owner} must be ASCII: {value!r}.")
        escaped = text.replace("\\", "\\\\").replace('"', '\\"')
        chunks = [escaped[i : i + _TXT_CHUNK] for i in range(0, len(escaped), _TXT_CHUNK)] or [""]
        text = " ".join(f'"{chunk}"' for chunk in chunks)
    try:
        return dns.rdata.from_text(dns.rdataclass.IN, rdtype, text, origin=dns.name.root, relativize=False)
    except (dns.exception.DNSException, ValueError) as error:
        kind = dns.rdatatype.to_text(rdtype)
        raise InvalidInputError(
            f"the {kind} record of {owner.to_text(omit_final_dot=True)} cannot be {value!r} ({error}): "
            f"an {kind} value reads like {_EXAMPLES[kind]}."
        ) from None


def _rrset(name: dns.name.Name, rdtype: RdataType, rdatas: Iterable[dns.rdata.Rdata]) -> dns.rrset.RRset:
    return dns.rrset.from_rdata_list(name, _TTL, list(rdatas))
