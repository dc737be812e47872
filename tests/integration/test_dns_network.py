"""The fake DNS in its private network, with the real Exim: what Exim resolves, what
the network leaves behind, and what happens where no network can be made."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from eximunit_bdd import EximConfig, EximOptions, EximSession, ReplyTimeoutError
from eximunit_bdd.fakes import FakeSmtpServer
from eximunit_bdd.fakes.dns_network import DnsNetwork
from eximunit_bdd.network.netns import PrivateNetwork

from ..conftest import EXAMPLE_CONFIG, ROOT
from .conftest import MINIMAL, marking_exim


@pytest.fixture
def world(private_tmp):
    with DnsNetwork() as world:
        yield world
    assert world.network._helper is None


def _inside(world: DnsNetwork, **macros: str) -> EximOptions:
    return EximOptions(config=EXAMPLE_CONFIG, macros=macros, network=world.network)


def test_exim_asks_the_fake_dns_and_only_it(world):
    world.dns.add("mx1.partner.test", "A", "192.0.2.25")
    config = EximConfig(options=_inside(world))
    # example.com exists in the real DNS: here, nothing exists but what the zone has.
    expansion = config.expand("${lookup dnsdb{a=mx1.partner.test}}|${lookup dnsdb{a=example.com}{yes}{no}}")
    assert expansion.result == "192.0.2.25|no"
    assert ("mx1.partner.test", "A") in world.dns.queries and ("example.com", "A") in world.dns.queries


def test_a_record_too_long_for_udp_reaches_exim_over_tcp(world):
    value = "v=spf1 " + " ".join(f"ip4:192.0.2.{n}" for n in range(60)) + " -all"
    world.dns.add("big.test", "TXT", value)  # 901 characters: four strings, over 512 bytes
    # (">:;" joins the strings of a TXT record; by default Exim gives only the first)
    assert EximConfig(options=_inside(world)).expand("${lookup dnsdb{>:; txt=big.test}}").result == value


def test_a_fake_peer_in_the_network_answers_exims_callout(world):
    hub = FakeSmtpServer("hub", recipients=["bob@shop.test"])
    hub.network = world.network
    with hub, EximSession("192.0.2.1", options=_inside(world, **hub.macros())) as session:
        session.mail_from("alice@example.net")
        session.assert_rcpt_to_accepted("bob@shop.test")
        session.assert_rcpt_to_rejected("nobody@shop.test", 550)
    assert hub.asked_about("nobody@shop.test")


def test_the_machines_own_network_cannot_reach_a_peer_in_the_private_one(world):
    """The peer's port exists only inside: Exim on the machine's network gets no answer."""
    hub = FakeSmtpServer("hub", recipients=["bob@shop.test"])
    hub.network = world.network
    with hub, EximSession("192.0.2.1", config=EXAMPLE_CONFIG, macros=hub.macros()) as session:
        session.mail_from("alice@example.net")
        session.assert_rcpt_to_deferred("bob@shop.test", 451)
    assert hub.envelopes == []


def test_closing_twice_is_harmless_and_stops_everything(private_tmp):
    world = DnsNetwork().start()
    helper = world.network._helper
    world.close()
    world.close()
    assert helper is not None and helper.returncode is not None
    assert world.dns._thread is None and world.dns._sockets == []


def test_where_no_network_can_be_made_dns_scenarios_are_skipped_with_the_reason(tmp_path):
    """In a user namespace that maps nobody, the helper cannot map its user, as in a
    container that forbids namespaces: the scenarios are skipped, never passed."""
    env = dict(os.environ, TMPDIR=str(tmp_path))
    tmp_path.chmod(0o777)
    run = subprocess.run(
        ["unshare", "--user", sys.executable, "-m", "behave", "--no-color", "-f", "plain",
         "-D", f"exim_config={EXAMPLE_CONFIG}", "features/dns.feature"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 scenarios passed, 0 failed, 15 skipped" in run.stdout, run.stdout
    reason = "eximunit: scenarios with DNS steps are skipped: cannot make a private network"
    assert run.stderr.count(reason) == 1, run.stderr
    assert "It needs Linux network namespaces" in run.stderr


def test_where_no_network_can_be_made_other_scenarios_run_on_the_host_with_one_notice(tmp_path):
    env = dict(os.environ, TMPDIR=str(tmp_path))
    tmp_path.chmod(0o777)
    specs = ROOT / "tests" / "specs"
    run = subprocess.run(
        ["unshare", "--user", sys.executable, "-m", "behave", "--no-color", "-f", "plain",
         str(specs / "spool.feature"), str(specs / "hermetic.feature")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "2 scenarios passed, 2 failed" in run.stdout, run.stdout  # hermetic.feature's claims fail
    assert "550 the resolver is the host one" in run.stdout
    notice = (
        "eximunit: scenarios run on the machine's network, not a private one: cannot make a private network"
    )
    assert run.stderr.count(notice) == 1, run.stderr
    assert "Say network=host in the userdata to run so on purpose." in run.stderr


def test_a_greeting_that_waits_for_a_silent_resolver_says_what_it_waits_for(private_tmp):
    with PrivateNetwork() as network:
        silent = network.bound_socket("udp", 53)  # the resolver: bound, never answering
        try:
            options = EximOptions(config=MINIMAL, macros={"HOST_LOOKUP": None}, timeout=1, network=network)
            with pytest.raises(ReplyTimeoutError, match="No complete reply to the connection") as caught:
                EximSession("192.0.2.1", options=options)
        finally:
            silent.close()
    assert "looks up the client's name when host_lookup matches it" in str(caught.value)
    assert "Given the client's reverse DNS name is" in str(caught.value)


def _exim_runs_inside(tmp_path, *behave_args: str) -> list[tuple[bool, bool]]:
    """Run behave with an `exim` that notes, for itself and its parent (behave: nsenter,
    when used, has become Exim by then), whether it is in the mount namespace where
    our resolv.conf (from an eximunit-net- directory) covers /etc/resolv.conf."""
    wrapper, marks = marking_exim(
        tmp_path,
        "$(grep -c eximunit-net- /proc/self/mountinfo) $(grep -c eximunit-net- /proc/$PPID/mountinfo)",
    )
    run = subprocess.run(
        [sys.executable, "-m", "behave", "--no-color", "-f", "plain", "-D", f"exim={wrapper}", *behave_args],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    return [
        (own == "1", parent == "1")
        for own, parent in (line.split() for line in marks.read_text().splitlines())
    ]


def test_by_default_the_run_itself_moves_into_the_private_network_and_starts_exim_there(tmp_path):
    runs = _exim_runs_inside(tmp_path, str(ROOT / "tests" / "specs" / "hermetic.feature"))
    assert runs and all(runs_inside == (True, True) for runs_inside in runs), runs


def test_with_network_host_dns_scenarios_enter_the_network_with_nsenter(tmp_path):
    feature = ROOT / "features" / "dns.feature"
    runs = _exim_runs_inside(
        tmp_path, "-D", "network=host", "-D", f"exim_config={EXAMPLE_CONFIG}", str(feature)
    )
    assert runs and all(runs_inside == (True, False) for runs_inside in runs), runs
