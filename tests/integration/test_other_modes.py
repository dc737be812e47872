"""Exim's other one-shot modes against the real Exim: filters (-bf, -bF, the
configuration's system filter), expansion with a message (-bem), rewriting (-brw)
and retry rules (-brt); bad input refused before Exim runs."""

from __future__ import annotations

import pytest

from eximunit_bdd import ConfigAssertionError, EximConfig, InvalidInputError
from eximunit_bdd.errors import StepUsageError
from eximunit_bdd.oneshot import expansion, filtering

from .conftest import CONFIGS

FILTERING = CONFIGS / "system_filter.conf"
REWRITE_RETRY = CONFIGS / "rewrite_retry.conf"
FILTERS = CONFIGS / "filters"
HELLO = (FILTERS / "hello.eml").read_text()


@pytest.fixture
def filters(private_tmp) -> EximConfig:
    return EximConfig(FILTERING, sender="x@y.test")


@pytest.fixture
def rules(private_tmp) -> EximConfig:
    return EximConfig(REWRITE_RETRY)


def test_a_user_s_exim_filter_for_a_recipient(filters):
    result = filters.filter_message(FILTERS / "deliver.filter", HELLO, recipient="joe@coop.test")
    assert result.command.endswith(f"-f x@y.test -bfl joe -bfd coop.test -bf {FILTERS}/deliver.filter")
    assert result.deliveries == ("bob@shop.test", "copy@coop.test")
    assert result.saves == ("/var/mail/archive/joe",) and result.pipes == ("/usr/bin/logger -t filter",)
    assert result.testprints == ("local_part=joe domain=coop.test sender=x@y.test",)
    filtering.assert_no_normal_delivery(filtering.assert_delivers_to(result, "bob@shop.test"))
    with pytest.raises(ConfigAssertionError, match="to let normal delivery occur, but it does not"):
        filtering.assert_normal_delivery(result)


def test_a_sieve_filter_s_actions_are_seen(filters):
    result = filters.filter_message(FILTERS / "redirect.sieve", HELLO)
    assert result.kind == "sieve" and result.actions_shown and " -v " in result.command
    assert result.deliveries == ("bob@shop.test",) and result.saves == ("archive",)
    filtering.assert_no_normal_delivery(result)
    envelope = filters.filter_message(FILTERS / "envelope.sieve", HELLO, recipient="joe@coop.test")
    assert envelope.deliveries == ("joe@shop.test", "from-x@shop.test") and envelope.normal_delivery
    with pytest.raises(ConfigAssertionError, match="Exim's Sieve has no such action"):
        filtering.assert_pipes_to(envelope, "/bin/cat")


def test_the_configuration_s_system_filter(filters):
    assert filters.system_filter() == str(FILTERS / "system.filter")
    spam = filters.system_filter_message((FILTERS / "spam.eml").read_text())
    assert spam.system and " -bF " in spam.command
    filtering.assert_freezes(spam, "review")
    hello = filtering.assert_normal_delivery(filters.system_filter_message(HELLO))
    filtering.assert_adds_header(hello, "X-Filtered", "yes")
    with pytest.raises(ConfigAssertionError, match="to fail the message, but it does not"):
        filtering.assert_fails(hello)
    with pytest.raises(StepUsageError, match="The configuration sets no system_filter"):
        EximConfig(REWRITE_RETRY).system_filter_message(HELLO)


def test_fail_is_an_error_in_a_user_s_filter_and_works_in_a_system_filter(filters):
    user = filters.filter_message(FILTERS / "fail.filter", HELLO)
    with pytest.raises(ConfigAssertionError, match="Exim allows fail only in system filters"):
        filtering.assert_fails(user)
    system = filters.filter_message(FILTERS / "fail.filter", HELLO, system=True)
    filtering.assert_fails(system, "No greetings here")


def test_errors_in_filters(filters):
    exim = filters.filter_message(FILTERS / "error.filter", HELLO)
    assert filtering.assert_filter_error(exim, '"then" expected').line == 4
    sieve = filters.filter_message(FILTERS / "error.sieve", HELLO)
    assert filtering.assert_filter_error(sieve, "missing semicolon in line 5").line == 5
    assert sieve.normal_delivery  # Exim files the message into the inbox then


def test_bad_input_is_refused_before_exim_runs(private_tmp, tmp_path):
    broken = EximConfig(CONFIGS / "broken.conf")  # Exim would refuse it: nothing ran
    with pytest.raises(InvalidInputError, match="does not exist"):
        broken.filter_message(tmp_path / "missing.filter", HELLO)
    with pytest.raises(InvalidInputError, match="is not a filter: its first line is"):
        broken.filter_message(FILTERS / "forward-list", HELLO)
    with pytest.raises(InvalidInputError, match="Exim runs a system filter as an Exim filter only"):
        broken.filter_message(FILTERS / "redirect.sieve", HELLO, system=True)
    with pytest.raises(InvalidInputError, match="Line 2 of the test message, 'Hello!'"):
        broken.filter_message(FILTERS / "deliver.filter", "Subject: hi\nHello!\n")
    with pytest.raises(InvalidInputError, match="is not a recipient address"):
        broken.filter_message(FILTERS / "deliver.filter", HELLO, recipient="joe@")
    with pytest.raises(InvalidInputError, match="neither a header"):
        broken.expand_with_message("$h_subject:", "Subject: hi\nHello!\n")


def test_expansion_with_a_message(filters):
    """The message goes through a temporary file, removed afterwards (private_tmp checks)."""
    assert filters.expand_with_message("$h_subject:", HELLO).result == "Hello there"
    body = filters.expand_with_message("$message_body", HELLO)
    assert body.result is not None and "after a lone dot" in body.result  # -oi: "." is text
    expansion.assert_expands(filters.expand_with_message("${if def:h_x-spam-flag:{yes}{no}}", HELLO), "yes")
    failed = filters.expand_with_message("${nosuchop{$h_subject:}}", HELLO)
    expansion.assert_expansion_fails(failed, "not a known operator")
    assert " -bem " in failed.command


def test_rewriting(rules):
    rules.assert_rewrites("someone@old.test", "someone@new.test", "env-from")
    rules.assert_rewrites("anna@coop.test", "anna.smith@coop.test", "from")
    rules.assert_rewrites_nothing("bob@other.test")
    with pytest.raises(ConfigAssertionError, match="but it is anna@coop.test"):
        rules.assert_rewrites("anna@coop.test", "anna.smith@coop.test", "env-to")
    with pytest.raises(ConfigAssertionError, match="Expected no rewriting of <x@legacy.test>"):
        rules.assert_rewrites_nothing("x@legacy.test")
    with pytest.raises(StepUsageError, match="prints no field 'subject'"):
        rules.assert_rewrites("anna@coop.test", "x@y.test", "subject")
    with pytest.raises(InvalidInputError, match="is not a mail address"):
        rules.rewrite("not an address")


def test_retry_rules(rules):
    assert rules.assert_retry_rule("x@slow.test", "F,2h,15m; G,16h,1h,1.5; F,4d,6h;").pattern == "slow.test"
    rules.assert_retry_rule("bob@shop.test", "*@shop.test timeout_connect F,1h,10m", error="timeout_connect")
    rules.assert_no_retry_rule("x@other.test")
    with pytest.raises(ConfigAssertionError, match='Expected no retry rule for slow.test, but "slow.test'):
        rules.assert_no_retry_rule("slow.test")
    with pytest.raises(ConfigAssertionError, match='but it is "\\*@shop.test \\* F,30m,5m; F,2d,1h"'):
        rules.assert_retry_rule("bob@shop.test", "F,1h,10m")
    with pytest.raises(InvalidInputError, match='unknown or malformed retry error "nosuch_error"'):
        rules.retry_rule("bob@shop.test", "nosuch_error")


def test_where_debians_local_deliveries_write(private_tmp, tmp_path):
    # Debian's generated configuration, as its debconf setting makes it: the mbox of
    # mail_spool (file = /var/mail/$local_part_data), a local user's. The caller exists
    # on every machine the tests run on.
    import getpass

    from .test_acl_decisions import build_debian_split_config

    debian = EximConfig(build_debian_split_config(tmp_path))
    user = getpass.getuser()
    if user == "root":  # Debian redirects root's mail (to the mail alias): use a system user
        found = debian.assert_delivered_to_file("mail@localhost", "/var/mail/mail")
    else:
        found = debian.assert_delivered_to_file(f"{user}@localhost", f"/var/mail/{user}")
    assert found.option in ("file", "address")
    with pytest.raises(ConfigAssertionError, match='to be delivered to a file ending in "Maildir"'):
        debian.assert_delivered_to_file(f"{user}@localhost", "Maildir")


def test_a_maildir_in_the_users_home_and_a_file_a_redirect_names():
    local = EximConfig(CONFIGS / "local_delivery.conf")
    found = local.assert_delivered_to_file("root@maildir.test", "/root/Maildir")
    assert (found.option, found.written) == ("directory", "$home/Maildir")
    assert local.assert_delivered_to_file("x@archive.test", "/var/mail/archive/x").option == "address"


def test_the_local_part_is_as_the_router_sets_it_and_a_failed_expansion_is_shown():
    local = EximConfig(CONFIGS / "local_delivery.conf")
    # Exim's own debug output (admins only) says local_part=anna, suffix +lists, for this.
    found = local.assert_delivered_to_file("ANNA+lists@Boxes.Test", "/var/mail/boxes.test/anna/+lists")
    assert ("local_part_suffix", "+lists") in found.values
    local.assert_delivered_to_file("owner-Bob@boxes.test", "/var/mail/boxes.test/bob/owner-")
    with pytest.raises(ConfigAssertionError) as failure:
        local.assert_delivered_to_file("x@broken.test", "mailbox-list")
    assert "file = /var/mail/${lookup{$local_part}lsearch{/nonexistent/mailbox-list}} fails: " in str(
        failure.value
    )
    assert "/nonexistent/mailbox-list" in str(failure.value).split("fails: ", 1)[1]


def test_options_of_an_authenticator():
    coop = EximConfig("examples/coop/exim4.conf")
    assert coop.option("server_set_id", authenticator="plain_server").value == "$auth2"
    coop.assert_option("public_name", "LOGIN", authenticator="login_server")
    with pytest.raises(
        InvalidInputError,
        match='There is no authenticator "nope"; the authenticators are: plain_server, login_server.',
    ):
        coop.option("driver", authenticator="nope")
