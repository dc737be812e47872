"""EximConfig against the real Exim: the one-shot modes' answers, each assertion
helper true and false, hidden reasons for non-admin callers, timeouts and cleanup."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import unittest

import pytest

from eximunit_bdd import (
    ConfigAssertionError,
    EximConfig,
    EximConfigError,
    EximOptions,
    EximTestCase,
    InvalidInputError,
    ReasonHiddenError,
    ReplyTimeoutError,
    find_exim,
)
from eximunit_bdd.fakes import FakeSmtpServer
from eximunit_bdd.fakes.dns_network import DnsNetwork

from ..conftest import EXAMPLE_CONFIG, ROOT
from .conftest import CONFIGS, wait_for_exim

ROUTING = CONFIGS / "routing.conf"


@pytest.fixture
def coop(private_tmp) -> EximConfig:
    return EximConfig(EXAMPLE_CONFIG, macros={"HUB_PORT": "2525"})


def test_route_returns_the_parsed_routing(coop):
    routing = coop.route("<board@coop.test>")
    assert routing.status == "routed"
    assert routing.deliveries[0].address == "anna@coop.test"
    assert routing.deliveries[0].parents == ("postmaster@coop.test", "board@coop.test")
    assert routing.command.endswith(" -bt -- board@coop.test")


def test_questions_answered_by_one_shot_modes(coop):
    assert coop.verify("anna@coop.test").verified
    assert coop.expand("${if eq{1}{1}{yes}{no}}").result == "yes"
    assert coop.expand("${nosuchop{x}}").error.startswith('"${nosuchop" is not a known operator')
    assert coop.option("message_size_limit").value == "20M"
    assert coop.option("port", transport="hub_smtp").value == "2525"  # the macro applies
    assert coop.option("driver", router="hubbed").value == "manualroute"
    assert coop.routers() == ["hubbed", "aliases", "mailboxes", "remote"]
    assert coop.transports() == ["remote_smtp", "hub_smtp", "mailbox", "address_file", "address_pipe"]
    assert coop.build().supports("DKIM")
    coop.check()


def test_an_address_starting_with_a_hyphen_is_an_address_not_an_option(coop):
    assert coop.route("-C/etc/passwd@coop.test").status == "undeliverable"


def test_a_run_can_feed_exim_a_message_on_stdin(coop, tmp_path):
    # -bf reads the message to filter on stdin: the input later modes (filters, -bem) need
    rules = tmp_path / "filter"
    rules.write_text('# Exim filter\nif $h_subject: contains "urgent" then deliver boss@coop.test endif\n')
    urgent = coop.run("-bf", str(rules), input="Subject: urgent matter\n\nbody\n")
    assert "Deliver message to: boss@coop.test" in urgent.lines
    calm = coop.run("-bf", str(rules), input=b"Subject: nothing\n\nbody\n")
    assert "Normal delivery will occur." in calm.lines and "Deliver" not in calm.stdout


def test_a_multi_line_expansion_is_kept_whole(coop):
    assert coop.expand("one\\ntwo").result == "one\ntwo"


# Each helper once true (returns) and once false (fails showing Exim's answer).
TRUE_AND_FALSE = [
    (
        "assert_routed",
        ("anna@coop.test", "mailboxes", "mailbox"),
        ("anna@coop.test", "hubbed"),
        "router = mailboxes, transport = mailbox",
    ),
    (
        "assert_routed_to_host",
        ("bob@shop.test", "127.0.0.1", 2525),
        ("bob@shop.test", "127.0.0.1", 25),
        "its port is 2525",
    ),
    (
        "assert_redirected",
        ("info@bakery.test", "bea@bakery.test"),
        ("info@bakery.test", "anna@coop.test"),
        "<-- info@bakery.test",
    ),
    ("assert_discarded", ("noreply@coop.test",), ("former@coop.test",), "it is undeliverable"),
    ("assert_undeliverable", ("former@coop.test", "has left"), ("noreply@coop.test",), "is discarded"),
    (
        "assert_temporarily_undeliverable",
        ("treasurer@coop.test", "moving"),
        ("anna@coop.test",),
        "it is routed",
    ),
    ("assert_verifies", ("anna@coop.test",), ("nobody@coop.test",), "failed to verify: Unrouteable address"),
    (
        "assert_fails_to_verify",
        ("nobody@coop.test", "unrouteable"),
        ("anna@coop.test",),
        "anna@coop.test verified",
    ),
    (
        "assert_expands",
        ("$primary_hostname", "mx.coop.test"),
        ("$primary_hostname", "mx"),
        "gave 'mx.coop.test'",
    ),
    ("assert_expansion_fails", ("${if}",), ("$primary_hostname",), "gave 'mx.coop.test'"),
    ("assert_option", ("recipients_max", "50"), ("recipients_max", "10"), "recipients_max = 50"),
    ("assert_option_set", ("av_scanner",), ("helo_lookup_domains",), "helo_lookup_domains ="),
    ("assert_option_unset", ("helo_lookup_domains",), ("av_scanner",), "av_scanner = clamd:"),
    ("assert_option_true", ("smtp_enforce_sync",), ("split_spool_directory",), "no_split_spool_directory"),
    (
        "assert_option_false",
        ("split_spool_directory",),
        ("smtp_enforce_sync",),
        "Exim has: smtp_enforce_sync",
    ),
    ("assert_supports", ("SPF",), ("Oracle",), "features: crypteq"),
    ("assert_does_not_support", ("Oracle",), ("SPF",), "lists it (feature)"),
    ("assert_version_at_least", ("4.90",), ("40.1",), "this is Exim 4."),
]


@pytest.mark.parametrize(
    "method, true_args, false_args, shown", TRUE_AND_FALSE, ids=[c[0] for c in TRUE_AND_FALSE]
)
def test_each_assertion_passes_when_true_and_fails_showing_exim_when_false(
    coop, method, true_args, false_args, shown
):
    getattr(coop, method)(*true_args)
    with pytest.raises(ConfigAssertionError) as failure:
        getattr(coop, method)(*false_args)
    assert shown in str(failure.value)


def test_router_and_transport_options_by_keyword(coop):
    coop.assert_option("route_list", "* 127.0.0.1", router="hubbed")
    coop.assert_option_true("verify_recipient", router="hubbed")
    with pytest.raises(ConfigAssertionError, match='the option "port" of transport "hub_smtp" to be "25"'):
        coop.assert_option("port", "25", transport="hub_smtp")


def test_assert_valid_turns_a_configuration_error_into_a_failure(private_tmp):
    EximConfig(EXAMPLE_CONFIG).assert_valid()
    broken = EximConfig(CONFIGS / "broken.conf")
    with pytest.raises(EximConfigError, match='main option "message_size_limt" unknown'):
        broken.check()
    with pytest.raises(ConfigAssertionError, match="3 \\| message_size_limt = 20M"):
        broken.assert_valid()
    with pytest.raises(EximConfigError):
        broken.route("anna@coop.test")  # every question needs a configuration Exim accepts


def test_misuse_is_refused_with_a_message(coop):
    with pytest.raises(InvalidInputError, match="Exim has no option 'no_such_thing'"):
        coop.option("no_such_thing")
    with pytest.raises(InvalidInputError, match="'config' is not an option name"):
        coop.option("config")
    with pytest.raises(
        InvalidInputError, match='There is no transport "smtp"; the transports are: remote_smtp'
    ):
        coop.option("port", transport="smtp")
    with pytest.raises(InvalidInputError, match="is a boolean: say it is true or false"):
        coop.assert_option_set("smtp_enforce_sync")
    with pytest.raises(InvalidInputError, match="is not a boolean"):
        coop.assert_option_true("message_size_limit")
    with pytest.raises(InvalidInputError, match="contains LF"):
        coop.route("anna@coop.test\nsomeone@else")


def test_reasons_reach_admins_and_admin_groups_makes_the_caller_one(private_tmp):
    # routing.conf keeps Exim's own user: root is an admin, the unprivileged caller
    # (scripts/test's second pass) is not, until SHOW_REASONS sets admin_groups.
    plain = EximConfig(ROUTING)
    plain.assert_undeliverable("someone@fail.test")  # the verdict itself is shown to anyone
    if os.geteuid() == 0:
        plain.assert_undeliverable("someone@fail.test", "Gone away")
    else:
        with pytest.raises(ReasonHiddenError, match="admin_groups = EXIMUNIT_GROUP"):
            plain.assert_undeliverable("someone@fail.test", "Gone away")
        with pytest.raises(ReasonHiddenError):
            plain.assert_fails_to_verify("someone@fail.test", "Gone away")
    EximConfig(ROUTING, macros={"SHOW_REASONS": None}).assert_undeliverable("someone@fail.test", "Gone away")


def test_routing_shapes_beyond_the_example(private_tmp):
    config = EximConfig(ROUTING)
    config.assert_routed_to_host("someone@port.test", "127.0.0.1", 2525)  # set by the router
    config.assert_routed_to_host("someone@multi.test", "127.0.0.2", 2626)  # the transport's port
    config.assert_redirected("someone@pipe.test", "|/bin/true")
    config.assert_undeliverable("someone@list.test")
    config.assert_redirected("someone@list.test", "someone@fail.test")
    with pytest.raises(ConfigAssertionError, match="it is undeliverable"):
        config.assert_routed("someone@list.test", router="with_port")


def test_a_hanging_expansion_times_out_and_leaves_nothing(private_tmp, silent_port):
    config = EximConfig(EXAMPLE_CONFIG, timeout=1)
    started = time.monotonic()
    with pytest.raises(ReplyTimeoutError, match="did not finish within 1 s and was stopped"):
        config.expand(f"${{readsocket{{inet:127.0.0.1:{silent_port}}}{{hello}}{{60s}}}}")
    assert time.monotonic() - started < 5


def test_ctrl_c_during_a_one_shot_check_leaves_nothing(private_tmp, silent_port):
    script = textwrap.dedent(
        f"""
        from eximunit_bdd import EximConfig
        EximConfig({str(EXAMPLE_CONFIG)!r}, timeout=60).expand(
            "${{readsocket{{inet:127.0.0.1:{silent_port}}}{{hello}}{{60s}}}}")
        """
    )
    run = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=dict(os.environ, TMPDIR=str(private_tmp)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    wait_for_exim(private_tmp, run)
    run.send_signal(signal.SIGINT)
    output, _ = run.communicate(timeout=30)
    assert "KeyboardInterrupt" in output
    # private_tmp then checks that no Exim process and no sandbox is left


def test_a_fake_peer_port_reaches_the_one_shot_modes(private_tmp):
    with FakeSmtpServer("hub") as hub:
        config = EximConfig(EXAMPLE_CONFIG, macros=hub.macros())
        config.assert_routed_to_host("bob@shop.test", "127.0.0.1", hub.port)


class ExampleRouting(EximTestCase):
    exim_config = EXAMPLE_CONFIG

    def test_routing_through_the_testcase(self):
        self.configuration().assert_redirected("postmaster@bakery.test", "anna@coop.test")

    def test_a_started_peer_reaches_configuration_checks(self):
        hub = self.start_peer(FakeSmtpServer("hub"))
        self.configuration().assert_routed_to_host("bob@shop.test", "127.0.0.1", hub.port)


def test_the_testcase_api(private_tmp):
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(ExampleRouting)
    result = unittest.TestResult()
    suite.run(result)
    assert result.testsRun == 2 and result.wasSuccessful(), result.failures + result.errors


def test_several_addresses_in_one_run_answer_as_one_run_each(coop):
    asked = ["board@coop.test", "ANNA@Coop.Test", "nobody@coop.test", "noreply@coop.test", "postmaster",
             "info@bakery.test", "anna@coop.test"]  # fmt: skip
    together = coop.route_each(asked)
    alone = [coop.route(address) for address in asked]
    assert [(r.address, r.status, r.deliveries, r.failures) for r in together] == [
        (r.address, r.status, r.deliveries, r.failures) for r in alone
    ]
    verified = coop.verify_each(asked)
    assert [v.verified for v in verified] == [coop.verify(address).verified for address in asked]


def test_the_installed_configuration_is_named_by_its_bare_path(private_tmp):
    # -bP configure_file prints the path alone, without "configure_file = ".
    printed = subprocess.run(
        [find_exim(), "-bP", "configure_file"], capture_output=True, text=True, timeout=30, check=True
    ).stdout.strip()
    installed = EximConfig()
    assert installed.option("configure_file").value == printed
    assert installed.configuration_file() == printed
    installed.assert_option("configure_file", printed)


def test_words_special_to_the_main_section_are_options_of_drivers(coop):
    assert coop.option("transport", router="hubbed").value == "hub_smtp"
    coop.assert_option("transport", "hub_smtp", router="hubbed")
    with pytest.raises(InvalidInputError, match="'transport' is not an option name"):
        coop.option("transport")  # in the main section, -bP reads it as a request of its own


def test_a_port_given_as_a_service_name_is_its_number(private_tmp):
    # remote_smtp keeps the smtp transport's default port, which -bP prints as "smtp".
    with DnsNetwork() as world:
        world.dns.add("partner.test", "MX", "10 mx1.partner.test")
        world.dns.add("mx1.partner.test", "A", "192.0.2.25")
        coop = EximConfig(options=EximOptions(config=EXAMPLE_CONFIG, network=world.network))
        assert coop.option("port", transport="remote_smtp").value == "smtp"
        coop.assert_routed_to_host("orders@partner.test", "mx1.partner.test", 25)
        with pytest.raises(ConfigAssertionError, match="its port is smtp"):
            coop.assert_routed_to_host("orders@partner.test", "mx1.partner.test", 587)


def test_the_exact_version_is_this_exims_and_no_other(coop):
    version = coop.build().version
    assert coop.assert_version(version).version == version
    for other in (f"{version}.1", version.rsplit(".", 1)[0], "4"):
        with pytest.raises(ConfigAssertionError, match=f"Expected Exim {other}, but this is Exim {version}"):
            coop.assert_version(other)


def test_an_option_claim_with_a_name_that_cannot_be_an_option_is_a_usage_error(coop):
    for claim in (coop.assert_has_option, coop.assert_has_no_option):
        with pytest.raises(InvalidInputError, match="is not an option name"):
            claim("no such option")
