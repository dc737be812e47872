"""The -bt, -bv, -bP and -bV parsers on real Exim output recorded under
tests/recorded/oneshot/ (record.sh, record_mx.py), as root and unprivileged."""

from __future__ import annotations

import re

import pytest

from eximunit_bdd import Delivery, Failure, Host, InvalidInputError, UnexpectedOutputError
from eximunit_bdd.errors import EximConfigError
from eximunit_bdd.exim.diagnosis import startup_error
from eximunit_bdd.oneshot.build import parse_build, version_key
from eximunit_bdd.oneshot.options import OptionValue, parse_option_lines
from eximunit_bdd.oneshot.routing import parse_routing, split_routing
from eximunit_bdd.oneshot.verification import parse_verification, split_verification

from ..conftest import RECORDED

WHO = ["root", "user"]


def recorded_stdout(name: str, who: str) -> str:
    """The stdout part of a recording (files: command, exit code, stdout, stderr)."""
    text = (RECORDED / "oneshot" / f"{name}.{who}.txt").read_text()
    return text.split("--- stdout\n", 1)[1].split("--- stderr\n", 1)[0]


def route(name: str, who: str, address: str):
    return parse_routing(address, recorded_stdout(name, who))


@pytest.mark.parametrize("who", WHO)
def test_a_mailbox_is_routed_by_its_router_and_transport(who):
    routing = route("bt-accept", who, "anna@coop.test")
    assert routing.status == "routed"
    assert routing.deliveries == (Delivery("anna@coop.test", (), "mailboxes", "mailbox", ()),)
    assert routing.generated() == []


@pytest.mark.parametrize("who", WHO)
def test_a_redirect_keeps_the_original_as_parent(who):
    routing = route("bt-redirect", who, "postmaster@coop.test")
    assert routing.deliveries == (
        Delivery("anna@coop.test", ("postmaster@coop.test",), "mailboxes", "mailbox"),
    )
    assert routing.generated() == ["anna@coop.test"]


@pytest.mark.parametrize("who", WHO)
def test_a_redirect_chain_lists_every_step_nearest_first(who):
    routing = route("bt-redirect-chain", who, "board@coop.test")
    assert routing.deliveries[0].parents == ("postmaster@coop.test", "board@coop.test")
    assert routing.generated() == ["anna@coop.test", "postmaster@coop.test"]


@pytest.mark.parametrize("who", WHO)
def test_a_redirect_to_two_gives_two_deliveries(who):
    routing = route("bt-redirect-two", who, "info@bakery.test")
    assert [d.address for d in routing.deliveries] == ["carl@bakery.test", "bea@bakery.test"]
    assert all(d.parents == ("info@bakery.test",) for d in routing.deliveries)
    assert routing.routers == ["mailboxes", "mailboxes"]


@pytest.mark.parametrize("who", WHO)
def test_a_blackhole_is_discarded(who):
    routing = route("bt-blackhole", who, "noreply@coop.test")
    assert routing.status == "discarded" and routing.discarded and routing.deliveries == ()


@pytest.mark.parametrize("who", WHO)
def test_manualroute_gives_the_host(who):
    routing = route("bt-manualroute", who, "bob@shop.test")
    assert routing.deliveries[0].router == "hubbed" and routing.transports == ["hub_smtp"]
    assert routing.hosts == [Host("127.0.0.1", "127.0.0.1")]


@pytest.mark.parametrize("who", WHO)
def test_a_port_set_by_the_router_is_kept(who):
    assert route("bt-port", who, "someone@port.test").hosts == [Host("127.0.0.1", "127.0.0.1", port=2525)]


@pytest.mark.parametrize("who", WHO)
def test_several_hosts_are_kept_in_order(who):
    hosts = route("bt-several-hosts", who, "someone@multi.test").hosts
    assert [host.address for host in hosts] == ["127.0.0.1", "127.0.0.2"]


def test_mx_hosts_carry_their_preference():
    routing = route("bt-mx", "root", "someone@mx.test")
    assert routing.deliveries[0].router == "by_mx"
    assert routing.hosts == [
        Host("mx1.mx.test", "192.0.2.10", mx=10),
        Host("mx2.mx.test", "192.0.2.20", mx=20),
    ]
    assert routing.hosts[0].matches("MX1.mx.test") and routing.hosts[0].matches("192.0.2.10")
    assert not routing.hosts[0].matches("192.0.2.20")


@pytest.mark.parametrize("who", WHO)
def test_a_pipe_names_its_transport_and_no_router(who):
    routing = route("bt-pipe", who, "someone@pipe.test")
    assert routing.deliveries == (Delivery("|/bin/true", ("someone@pipe.test",), None, "pipe"),)
    assert routing.generated() == ["|/bin/true"]


@pytest.mark.parametrize("who", WHO)
def test_an_unknown_address_is_undeliverable_with_the_reason(who):
    routing = route("bt-undeliverable", who, "nobody@coop.test")
    assert routing.status == "undeliverable"
    assert routing.failures == (Failure("nobody@coop.test", "Unrouteable address"),)
    assert routing.reason == "Unrouteable address" and not routing.reasons_hidden


def test_a_non_admin_caller_is_told_no_reason():
    routing = route("bt-fail", "user", "someone@fail.test")
    assert routing.status == "undeliverable" and routing.reason is None and routing.reasons_hidden


@pytest.mark.parametrize("who", WHO)
def test_admin_groups_shows_the_reason_to_the_caller(who):
    assert route("bt-fail-admin-group", who, "someone@fail.test").reason == "Gone away"


@pytest.mark.parametrize("who", WHO)
def test_a_defer_is_temporary(who):
    routing = route("bt-defer", who, "someone@later.test")
    assert routing.status == "deferred" and routing.failures[0].temporary
    assert routing.reason == ("try later please" if who == "root" else None)


@pytest.mark.parametrize("who", WHO)
def test_a_failing_child_of_a_redirect_makes_the_whole_undeliverable(who):
    routing = route("bt-child-fails", who, "someone@list.test")
    assert routing.status == "undeliverable"
    assert routing.failures[0].address == "someone@fail.test"
    assert routing.failures[0].parents == ("someone@list.test",)
    assert routing.deliveries[0].hosts == (Host("127.0.0.1", "127.0.0.1", port=2525),)
    assert routing.generated() == ["someone@port.test", "someone@fail.test"]


@pytest.mark.parametrize("who", WHO)
def test_several_addresses_in_one_call_are_all_read(who):
    routing = route("bt-several", who, "anna@coop.test")
    assert [d.address for d in routing.deliveries] == ["anna@coop.test"]
    assert [f.address for f in routing.failures] == ["nobody@coop.test"]


@pytest.mark.parametrize("who", WHO)
def test_a_syntax_error_is_refused_input(who):
    with pytest.raises(InvalidInputError, match="'not an address' is not a mail address: missing"):
        route("bt-syntax", who, "not an address")


def test_an_unknown_line_is_reported_not_guessed():
    with pytest.raises(UnexpectedOutputError, match="does not know"):
        parse_routing("a@b", "a@b\n  router = r, transport = t\n  something new\n")
    with pytest.raises(UnexpectedOutputError, match="before any address"):
        parse_routing("a@b", "  router = r, transport = t\n")


@pytest.mark.parametrize("who", WHO)
def test_verification(who):
    assert parse_verification("anna@coop.test", recorded_stdout("bv-verified", who)).verified
    failed = parse_verification("nobody@coop.test", recorded_stdout("bv-failed", who))
    assert not failed.verified and failed.reason == "Unrouteable address" and not failed.temporary
    deferred = parse_verification("someone@later.test", recorded_stdout("bv-defer", who))
    assert not deferred.verified and deferred.temporary


@pytest.mark.parametrize("who", WHO)
def test_sender_verification_reads_as_recipient_verification_does(who):
    assert parse_verification("anna@coop.test", recorded_stdout("bvs-verified", who)).verified
    failed = parse_verification("nobody@coop.test", recorded_stdout("bvs-failed", who))
    assert not failed.verified and failed.reason == "Unrouteable address"


@pytest.mark.parametrize("who", WHO)
def test_routing_for_a_sender(who):
    routing = parse_routing("x@sender.test", recorded_stdout("bt-sender", who))
    assert routing.routers == ["from_vip"] and [host.name for host in routing.hosts] == ["127.0.0.9"]


@pytest.mark.parametrize("who", WHO)
def test_option_values(who):
    assert parse_option_lines(recorded_stdout("bp-option", who)) == {
        "message_size_limit": OptionValue("message_size_limit", "20M")
    }
    unset = parse_option_lines(recorded_stdout("bp-unset", who))
    assert unset["spamd_address"].value == "127.0.0.1 783" and unset["spamd_address"].is_set
    assert unset["helo_lookup_domains"].value == "" and not unset["helo_lookup_domains"].is_set
    booleans = parse_option_lines(recorded_stdout("bp-boolean", who))
    assert booleans["smtp_enforce_sync"].boolean is True
    assert booleans["split_spool_directory"].boolean is False
    assert str(booleans["split_spool_directory"]) == "no_split_spool_directory"


@pytest.mark.parametrize("who", WHO)
def test_router_and_transport_options(who):
    router = parse_option_lines(recorded_stdout("bp-router", who))
    assert router["driver"].value == "manualroute" and router["route_list"].value == "* mail.shop.test"
    assert router["verify_recipient"].boolean is True and router["unseen"].boolean is False
    transport = parse_option_lines(recorded_stdout("bp-transport", who))
    assert transport["port"].value == "25" and transport["driver"].value == "smtp"
    assert transport["helo_data"].value == "$primary_hostname"


@pytest.mark.parametrize("who", WHO)
def test_authenticator_options_unprivileged_too(who):
    # Exim shows an authenticator's server_condition to any caller of -bP with -C.
    authenticator = parse_option_lines(recorded_stdout("bp-authenticator", who))
    assert authenticator["driver"].value == "plaintext" and authenticator["server_set_id"].value == "$auth2"
    assert (authenticator["server_condition"].value or "").startswith("${lookup{$auth2}lsearch")
    assert authenticator["client_ignore_invalid_base64"].boolean is False


@pytest.mark.parametrize("who", WHO)
def test_an_unknown_option_yields_nothing(who):
    assert parse_option_lines(recorded_stdout("bp-unknown", who)) == {}


@pytest.mark.parametrize("who", WHO)
def test_the_build(who):
    build = parse_build(recorded_stdout("bV", who))
    assert build.version == "4.96"
    assert (
        build.supports("DKIM") and build.supports("dkim", "feature") and not build.supports("DKIM", "lookup")
    )
    assert build.supports("lsearch", "lookup") and build.supports("manualroute", "router")
    assert build.supports("maildir", "transport") and build.supports("clamd", "malware scanner")
    assert build.supports("plaintext", "authenticator") and not build.supports("oracle")
    assert (
        build.version_at_least("4.94")
        and build.version_at_least("4.96")
        and not build.version_at_least("4.97")
    )


def test_version_numbers_compare_as_numbers():
    assert version_key("4.100") > version_key("4.96") > version_key("4.9")
    assert version_key("4.97.1") > version_key("4.97") == version_key("4.97.0")
    assert version_key("4.98-RC1") == version_key("4.98")
    with pytest.raises(InvalidInputError, match="not a version number"):
        version_key("four")


def test_an_unknown_kind_of_capability_is_refused():
    build = parse_build(recorded_stdout("bV", "root"))
    with pytest.raises(InvalidInputError, match="use one of: feature, lookup"):
        build.supports("DKIM", "plugin")


def test_a_configuration_error_from_a_one_shot_mode_names_the_line(tmp_path):
    config = tmp_path / "broken.conf"
    config.write_text("primary_hostname = x\nmessage_size_limt = 1M\n")
    stderr = [
        f"2026-11-25 02:32:28 Exim configuration error in line 2 of {config}:",
        '  main option "message_size_limt" unknown',
    ]
    error = startup_error(stderr, ["exim4", "-bV"], before="it answered exim4 -bV")
    assert isinstance(error, EximConfigError)
    assert 'main option "message_size_limt" unknown' in str(error)
    assert "2 | message_size_limt = 1M" in str(error)


EACH = ["board@coop.test", "ANNA@Coop.Test", "nobody@coop.test", "noreply@coop.test", "postmaster",
        "info@bakery.test", "anna@coop.test"]  # fmt: skip


def _blocks(output: str) -> list[str]:
    """-bt output cut into its answers (an address line and the lines below it)."""
    return re.split(r"\n(?=\S)", output.strip("\n"))


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("shuffled", [False, True])
def test_several_addresses_in_one_run_each_get_their_own_answers(who, shuffled):
    output = recorded_stdout("bt-each", who)
    if shuffled:  # Exim printing them in another order must change nothing
        output = "\n".join(reversed(_blocks(output))) + "\n"
    board, anna_cased, nobody, noreply, postmaster, info, anna = split_routing(EACH, output)
    assert [d.address for d in board.deliveries] == ["anna@coop.test"]  # printed as its target
    assert board.deliveries[0].parents == ("postmaster@coop.test", "board@coop.test")
    assert anna_cased.status == "routed" and anna_cased.deliveries[0].address == "ANNA@Coop.Test"
    assert nobody.status == "undeliverable" and noreply.status == "discarded"
    assert postmaster.status == "undeliverable"  # printed qualified: postmaster@mx.coop.test
    assert postmaster.failures[0].address == "postmaster@mx.coop.test"
    assert sorted(d.address for d in info.deliveries) == ["bea@bakery.test", "carl@bakery.test"]
    assert anna.status == "routed" and anna.deliveries[0].parents == ()  # the duplicate, its own


@pytest.mark.parametrize("who", WHO)
def test_several_verifications_in_one_run_each_get_their_own_line(who):
    asked = ["board@coop.test", "ANNA@Coop.Test", "nobody@coop.test", "postmaster", "anna@coop.test"]
    lines = recorded_stdout("bv-each", who).splitlines()
    for output in ("\n".join(lines), "\n".join(reversed(lines))):
        results = split_verification(asked, output)
        assert [result.verified for result in results] == [True, True, False, False, True]
        assert [result.address for result in results] == asked


def test_an_answer_about_an_address_nobody_asked_for_is_never_attributed():
    output = recorded_stdout("bt-each", "root")
    with pytest.raises(UnexpectedOutputError, match="which is none of the addresses asked"):
        split_routing(["nobody@coop.test"], output)
    with pytest.raises(UnexpectedOutputError, match="said nothing about someone@coop.test"):
        split_routing([*EACH, "someone@coop.test"], output)
    with pytest.raises(UnexpectedOutputError, match="none of the addresses asked"):
        split_verification(["anna@coop.test"], "bob@coop.test verified\n")


def test_an_answer_that_could_be_about_two_addresses_asked_differently_is_refused():
    with pytest.raises(UnexpectedOutputError, match="may be any of Anna@coop.test, anna@COOP.test"):
        output = "ANNA@coop.test verified\nanna@coop.test verified\n"
        split_verification(["Anna@coop.test", "anna@COOP.test"], output)
