"""The fake DNS's answers, as a resolver sees them (dnspython messages, no network)."""

from __future__ import annotations

import dns.flags
import dns.message
import dns.rcode
import pytest

from eximunit_bdd.errors import InvalidInputError
from eximunit_bdd.fakes.dkim import dkim_txt_record
from eximunit_bdd.fakes.dns import FakeDns, blocklist_name, reverse_name


@pytest.fixture
def zone() -> FakeDns:
    zone = FakeDns()
    zone.add("partner.test", "MX", "10 mx1.partner.test")
    zone.add("partner.test", "MX", "20 mx2.partner.test.")
    zone.add("MX1.Partner.Test", "A", "192.0.2.25")
    zone.add("www.partner.test", "CNAME", "partner.test")
    zone.add("partner.test", "A", "192.0.2.24")
    zone.add("sel._domainkey.partner.test", "TXT", dkim_txt_record())
    zone.fail_temporarily("bl.test")
    return zone


def ask(zone: FakeDns, name: str, record_type: str, over_tcp: bool = False) -> dns.message.Message:
    wire = zone.answer(dns.message.make_query(name, record_type, use_edns=False).to_wire(), over_tcp)
    assert wire is not None
    return dns.message.from_wire(wire)


def texts(response: dns.message.Message) -> list[str]:
    return sorted(rdata.to_text() for rrset in response.answer for rdata in rrset)


def test_records_are_answered_with_absolute_names(zone):
    response = ask(zone, "partner.test", "MX")
    assert response.rcode() == dns.rcode.NOERROR and response.flags & dns.flags.AA
    assert texts(response) == ["10 mx1.partner.test.", "20 mx2.partner.test."]
    assert texts(ask(zone, "mx1.partner.test", "A")) == ["192.0.2.25"], "names are case-insensitive"


def test_unknown_names_do_not_exist_and_known_ones_have_no_other_data(zone):
    assert ask(zone, "nothing.test", "A").rcode() == dns.rcode.NXDOMAIN
    no_data = ask(zone, "mx1.partner.test", "TXT")
    assert no_data.rcode() == dns.rcode.NOERROR and not no_data.answer
    above_a_record = ask(zone, "_domainkey.partner.test", "TXT")
    assert above_a_record.rcode() == dns.rcode.NOERROR, "a name above a record exists"


def test_a_cname_is_followed_within_the_zone(zone):
    response = ask(zone, "www.partner.test", "A")
    assert [rrset.name.to_text() for rrset in response.answer] == ["www.partner.test.", "partner.test."]
    assert texts(ask(zone, "www.partner.test", "CNAME")) == ["partner.test."]


def test_a_failing_name_and_everything_under_it_get_servfail(zone):
    assert ask(zone, "bl.test", "A").rcode() == dns.rcode.SERVFAIL
    assert ask(zone, "2.2.0.192.bl.test", "TXT").rcode() == dns.rcode.SERVFAIL
    assert ask(zone, "partner.test", "A").rcode() == dns.rcode.NOERROR


def test_long_txt_records_are_split_into_strings_and_truncated_over_udp():
    zone = FakeDns()
    value = "v=spf1 " + " ".join(f"ip4:192.0.2.{n}" for n in range(60)) + " -all"
    zone.add("big.test", "TXT", value)
    truncated = ask(zone, "big.test", "TXT")
    assert truncated.flags & dns.flags.TC and not truncated.answer, "the resolver must ask again over TCP"
    over_tcp = ask(zone, "big.test", "TXT", over_tcp=True)
    (rdata,) = [rdata for rrset in over_tcp.answer for rdata in rrset]
    assert all(len(string) <= 255 for string in rdata.strings) and len(rdata.strings) > 1
    assert b"".join(rdata.strings).decode() == value


def test_queries_are_recorded_and_a_new_scenario_starts_empty(zone):
    ask(zone, "partner.test", "MX")
    ask(zone, "Nothing.Test", "AAAA")
    assert zone.queries == [("partner.test", "MX"), ("nothing.test", "AAAA")]
    zone.clear()
    assert zone.queries == [] and zone.names() == []
    assert ask(zone, "partner.test", "MX").rcode() == dns.rcode.NXDOMAIN
    assert ask(zone, "bl.test", "A").rcode() == dns.rcode.NXDOMAIN


def test_garbage_gets_no_answer(zone):
    assert zone.answer(b"\x00\x01garbage") is None


@pytest.mark.parametrize(
    "name, record_type, value, message",
    [
        ("partner.test", "SRV", "0 5 5060 sip", "DNS record type 'SRV' is not offered"),
        ("partner.test", "MX", "mx1.partner.test", 'an MX value reads like "10 mx1.example.net"'),
        ("partner.test", "A", "192.0.2.300", 'an A value reads like "192.0.2.10"'),
        ("partner.test", "AAAA", "192.0.2.1", "an AAAA value reads like"),
        ("partner.test", "TXT", "grüße", "must be ASCII"),
        ("a..b", "A", "192.0.2.1", "'a..b' is not a DNS name"),
    ],
)
def test_bad_records_are_refused_with_an_example(zone, name, record_type, value, message):
    with pytest.raises(InvalidInputError, match=message.replace("(", r"\(").replace(".", r"\.")):
        zone.add(name, record_type, value)


def test_reverse_and_blocklist_names():
    assert reverse_name("192.0.2.1") == "1.2.0.192.in-addr.arpa"
    assert reverse_name("2001:db8::1").endswith(".8.b.d.0.1.0.0.2.ip6.arpa")
    assert blocklist_name("192.0.2.2", "bl.test.") == "2.2.0.192.bl.test"
    with pytest.raises(InvalidInputError, match="is not an IP address"):
        reverse_name("mail.example.net")
