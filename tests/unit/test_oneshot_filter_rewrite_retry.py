"""The -bf/-bF, -brw and -brt parsers and their assertions on real Exim output recorded
under tests/recorded/oneshot/ (record.sh), as root and unprivileged; the checks made on
a filter file and a test message before Exim runs."""

from __future__ import annotations

import dataclasses

import pytest

from eximunit_bdd.errors import (
    ConfigAssertionError,
    InvalidInputError,
    StepUsageError,
    UnexpectedOutputError,
)
from eximunit_bdd.oneshot import filtering, retry, rewriting
from eximunit_bdd.oneshot.filtering import AddedHeader, FilterError, filter_kind, parse_filter
from eximunit_bdd.oneshot.message_text import check_message
from eximunit_bdd.oneshot.options import parse_option_lines
from eximunit_bdd.oneshot.retry import RetryRule, parse_retry
from eximunit_bdd.oneshot.rewriting import parse_rewriting

from ..conftest import RECORDED, ROOT

WHO = ["root", "user"]
FILTERS = ROOT / "tests" / "configs" / "filters"


def recorded(name: str, who: str) -> tuple[str, str]:
    """The stdout and stderr of a recording (files: command, exit code, stdout, stderr)."""
    text = (RECORDED / "oneshot" / f"{name}.{who}.txt").read_text()
    stdout, stderr = text.split("--- stdout\n", 1)[1].split("--- stderr\n", 1)
    return stdout, stderr


def filtered(name: str, who: str, system: bool = False, trace: bool = True):
    """A recorded filter run parsed; Sieve runs with their -v stderr as the trace."""
    stdout, stderr = recorded(name, who)
    sieve = "sieve" in name and trace
    return parse_filter(stdout, stderr if sieve else None, system=system, command=f"exim4 -bf {name}")


def fails(match: str):
    return pytest.raises(ConfigAssertionError, match=match)


# ---- Exim filters -----------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_a_filter_s_deliveries_saves_and_pipes(who):
    result = filtered("bf-deliver", who)
    assert result.kind == "exim" and not result.system
    assert result.deliveries == ("bob@shop.test", "copy@coop.test")  # the unseen one too
    assert result.saves == ("/var/mail/archive/joe",)
    assert result.pipes == ("/usr/bin/logger -t filter",)
    assert not result.normal_delivery and not result.discarded and result.error is None
    filtering.assert_delivers_to(result, "<BOB@shop.test>")
    filtering.assert_saves_to(result, "/var/mail/archive/joe")
    filtering.assert_pipes_to(result, "|/usr/bin/logger -t filter")
    filtering.assert_no_normal_delivery(result)


@pytest.mark.parametrize("who", WHO)
def test_false_claims_about_deliveries_fail_showing_exim_s_words(who):
    result = filtered("bf-deliver", who)
    headline = "Expected the Exim filter to deliver the message to <eve@x.test>, but it delivers to "
    headline += r"bob@shop.test, copy@coop.test\.\nExim said:\n  \$ exim4 -bf bf-deliver\n"
    with fails(headline) as caught:
        filtering.assert_delivers_to(result, "eve@x.test")
    assert "    Deliver message to: bob@shop.test" in str(caught.value)
    with fails("to save the message to /tmp/x, but it saves to /var/mail/archive/joe"):
        filtering.assert_saves_to(result, "/tmp/x")
    with fails("to pipe the message to /bin/cat, but it pipes to /usr/bin/logger -t filter"):
        filtering.assert_pipes_to(result, "/bin/cat")
    with fails(r"to let normal delivery occur, but it does not \(it delivers to bob@shop.test"):
        filtering.assert_normal_delivery(result)
    with fails("to discard the message, but it delivers to"):
        filtering.assert_discards(result)
    with fails(r"to fail the message, but it does not \(it delivers to"):
        filtering.assert_fails(result)
    with fails("to have an error, but Exim ran it without one"):
        filtering.assert_filter_error(result)
    with fails('to add the header "X-Spam", but it adds no header'):
        filtering.assert_adds_header(result, "X-Spam")


@pytest.mark.parametrize("who", WHO)
def test_the_envelope_is_set_by_f_bfl_and_bfd_else_it_is_the_caller(who):
    result = filtered("bf-deliver", who)
    assert (result.sender, result.recipient) == ("x@y.test", "joe@coop.test")
    assert result.testprints == ("local_part=joe domain=coop.test sender=x@y.test",)
    caller = "root" if who == "root" else "eximunit-test"
    default = filtered("bf-default-envelope", who)
    assert default.sender == default.recipient == f"{caller}@mx.filter.test"
    assert default.saves == (f"/var/mail/archive/{caller}",)


@pytest.mark.parametrize("who", WHO)
def test_an_unseen_delivery_leaves_normal_delivery(who):
    result = filtered("bf-normal", who)
    assert result.normal_delivery and result.deliveries == ("copy@coop.test",)
    filtering.assert_normal_delivery(result)
    with fails("to stop normal delivery, but normal delivery occurs"):
        filtering.assert_no_normal_delivery(result)
    with fails("to discard the message, but it delivers to copy@coop.test; normal delivery occurs"):
        filtering.assert_discards(result)


@pytest.mark.parametrize("who", WHO)
def test_seen_finish_alone_discards(who):
    result = filtered("bf-discard", who)
    assert result.discarded and not result.normal_delivery
    filtering.assert_discards(result)
    filtering.assert_no_normal_delivery(result)
    with fails("to deliver the message to <a@b.test>, but it delivers to nothing"):
        filtering.assert_delivers_to(result, "a@b.test")
    with fails(r"to let normal delivery occur, but it does not \(it discards the message\)"):
        filtering.assert_normal_delivery(result)


@pytest.mark.parametrize("who", WHO)
def test_a_syntax_error_is_reported_with_its_line(who):
    result = filtered("bf-error", who)
    assert result.error == FilterError(
        '"and" or "or" or "then" expected near line 4 of filter file, but found "deliver"', 4
    )
    assert not result.discarded and not result.normal_delivery
    assert filtering.assert_filter_error(result, 'THEN" expected').line == 4
    with fails('to have an error containing "semicolon", but the error is: "and" or'):
        filtering.assert_filter_error(result, "semicolon")
    with fails(r"but it delivers to nothing"):
        filtering.assert_delivers_to(result, "bob@shop.test")
    with fails(r"to discard the message, but Exim reported an error \(line 4\)"):
        filtering.assert_discards(result)


@pytest.mark.parametrize("who", WHO)
def test_fail_in_a_user_s_filter_is_an_error_and_the_failure_says_why(who):
    result = filtered("bf-fail-disabled", who)
    assert result.error is not None and result.error.line == 4
    assert result.failed is None
    with fails(r"Exim allows fail only in system filters: test it as one, with -bF\)\."):
        filtering.assert_fails(result, "greetings")
    filtering.assert_filter_error(result, '"fail" is disabled')


@pytest.mark.parametrize("who", WHO)
def test_a_system_filter_fails_freezes_and_edits_headers(who):
    failing = filtered("bF-fail", who, system=True)
    assert failing.system and failing.failed == "No greetings here" and not failing.discarded
    filtering.assert_fails(failing, "greetings")
    with fails('Expected the system filter to fail the message with "spam", but its text is "No greetings'):
        filtering.assert_fails(failing, "spam")
    with fails(r'to freeze the message, but it does not \(it fails the message: "No greetings here"\)'):
        filtering.assert_freezes(failing)

    headers = filtered("bF-headers", who, system=True)
    assert headers.added_headers == (AddedHeader("X-Filtered", "yes"),)
    assert headers.removed_headers == ("X-Spam-Flag",) and headers.normal_delivery
    assert filtering.assert_adds_header(headers, "x-filtered", "YES") == ("X-Filtered", "yes")
    with fails('to add the header "X-Other", but it adds X-Filtered: yes'):
        filtering.assert_adds_header(headers, "X-Other")
    with fails('to add the header "X-Filtered" with "no", but it adds X-Filtered: yes'):
        filtering.assert_adds_header(headers, "X-Filtered", "no")

    frozen = filtered("bF-freeze", who, system=True)
    assert frozen.frozen == "Held for review" and frozen.added_headers
    filtering.assert_freezes(frozen, "review")
    with fails(
        r'to let normal delivery occur, but it does not \(it freezes the message: "Held for review"\)'
    ):
        filtering.assert_normal_delivery(frozen)
    assert filtered("bF-virus", who, system=True).failed == "Viruses are not accepted here"


@pytest.mark.parametrize("who", WHO)
def test_a_forward_file_is_refused_not_read_as_a_filter(who):
    stdout, _ = recorded("bf-forward", who)
    with pytest.raises(InvalidInputError, match="as a .forward file, not a filter: start it with '# Exim"):
        parse_filter(stdout)


def test_headers_with_newlines_and_autoreplies_are_read():
    # Measured with a system filter: a newline is printed as \n, a folded line keeps its indent.
    output = (
        'Testing Exim filter file "/f"\n\nHeaders add "X-A: 1\\nX-B: two\\n  folded"\n'
        "Mail to: Anna <anna@coop.test>\nsubject: Away\n   text: I am away\nReturn original message\n"
        "Unseen save message to: /tmp/folder 0640\nPipe message to: /bin/cat (noerror)\n"
        "Deliver message to: bob@shop.test errors_to root@coop.test\nAdd 3 to n1\n"
        'Logwrite "hello\\n"\nmail command ignored because return_path is empty\nFinish\n'
        "Filtering set up at least one significant delivery or other action.\n"
        "No other deliveries will occur.\n"
    )
    result = parse_filter(output, system=True)
    assert result.added_headers == (("X-A", "1"), ("X-B", "two\n  folded"))
    assert result.mails == ("Anna <anna@coop.test>",)
    assert (result.saves, result.pipes, result.deliveries) == (
        ("/tmp/folder",),
        ("/bin/cat",),
        ("bob@shop.test",),
    )


def test_an_unknown_line_or_no_outcome_is_reported_not_guessed():
    head = 'Testing Exim filter file "/f"\n\n'
    with pytest.raises(UnexpectedOutputError, match="does not know: 'Something new'"):
        parse_filter(head + "Something new\nNormal delivery will occur.\n")
    with pytest.raises(UnexpectedOutputError, match="no outcome"):
        parse_filter(head + "Deliver message to: a@b.test\n")
    with pytest.raises(UnexpectedOutputError, match="before naming the filter"):
        parse_filter("Deliver message to: a@b.test\n")


# ---- Sieve --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_sieve_actions_are_read_from_the_v_trace(who):
    result = filtered("bf-sieve-redirect", who)
    assert result.kind == "sieve" and result.actions_shown
    assert result.deliveries == ("bob@shop.test",) and result.saves == ("archive",)
    assert not result.normal_delivery and not result.discarded
    filtering.assert_delivers_to(result, "bob@shop.test")
    filtering.assert_saves_to(result, "archive")
    filtering.assert_no_normal_delivery(result)
    with fails("Expected the Sieve filter to save the message to inbox, but it saves to archive") as caught:
        filtering.assert_saves_to(result, "inbox")
    assert "    No implicit keep\n    redirect `bob@shop.test'\n    fileinto `archive'" in str(caught.value)


@pytest.mark.parametrize("who", WHO)
def test_what_exim_s_sieve_cannot_do_fails_saying_so(who):
    result = filtered("bf-sieve-redirect", who)
    cannot = "but it is a Sieve filter, and Exim's Sieve has no such action .*, so this cannot happen"
    with fails("to pipe the message to /bin/cat, " + cannot):
        filtering.assert_pipes_to(result, "/bin/cat")
    with fails('to add the header "X-A", ' + cannot):
        filtering.assert_adds_header(result, "X-A")
    with fails("to fail the message, " + cannot):
        filtering.assert_fails(result)
    with fails("to freeze the message, " + cannot):
        filtering.assert_freezes(result)


@pytest.mark.parametrize("who", WHO)
def test_sieve_keeps_implicitly_or_explicitly(who):
    kept = filtered("bf-sieve-keep", who)
    assert kept.normal_delivery and kept.deliveries == () and kept.saves == ()  # inbox is the keep
    filtering.assert_normal_delivery(kept)
    with fails(r"to discard the message, but normal delivery occurs\."):
        filtering.assert_discards(kept)
    # -bfl/-bfd make the envelope "to", -f the envelope "from"; `keep` files into inbox.
    envelope = filtered("bf-sieve-envelope", who)
    assert envelope.deliveries == ("joe@shop.test", "from-x@shop.test") and envelope.normal_delivery
    assert envelope.recipient == "joe@coop.test"


@pytest.mark.parametrize("who", WHO)
def test_sieve_discard(who):
    result = filtered("bf-sieve-discard", who)
    assert result.discarded
    filtering.assert_discards(result)
    with fails("to let normal delivery occur, but it does not"):
        filtering.assert_normal_delivery(result)


@pytest.mark.parametrize("who", WHO)
def test_a_sieve_error_is_reported_and_exim_keeps_the_message(who):
    result = filtered("bf-sieve-error", who)
    assert result.error == FilterError("missing semicolon in line 5", 5)
    assert result.normal_delivery and result.deliveries == ("bob@shop.test",)
    filtering.assert_filter_error(result, "semicolon")


@pytest.mark.parametrize("who", WHO)
def test_sieve_without_its_trace_cannot_tell_its_actions(who):
    result = filtered("bf-sieve-quiet", who, trace=False)  # exim -bf without -v
    assert result.kind == "sieve" and not result.actions_shown
    hidden = "but Exim printed no Sieve actions: without -v, exim -bf shows only whether the implicit keep"
    for check in (
        lambda: filtering.assert_delivers_to(result, "bob@shop.test"),
        lambda: filtering.assert_saves_to(result, "archive"),
        lambda: filtering.assert_discards(result),
        lambda: filtering.assert_no_normal_delivery(result),
        lambda: filtering.assert_normal_delivery(result),
    ):
        with fails(hidden):
            check()


# ---- checks before Exim runs ------------------------------------------------------------


def test_the_filter_file_is_checked_first(tmp_path):
    assert filter_kind(FILTERS / "deliver.filter") == "exim"
    assert filter_kind(FILTERS / "redirect.sieve") == "sieve"
    with pytest.raises(InvalidInputError, match="does not exist: give the path of a filter file"):
        filter_kind(tmp_path / "missing.filter")
    with pytest.raises(InvalidInputError, match=r"is not a filter: its first line is 'anna@coop.test, bob"):
        filter_kind(FILTERS / "forward-list")
    assert filter_kind(FILTERS / "forward-list", system=True) == "exim"  # Exim reads it as one
    with pytest.raises(InvalidInputError, match="Exim runs a system filter as an Exim filter only"):
        filter_kind(FILTERS / "redirect.sieve", system=True)
    loose = tmp_path / "loose.filter"
    loose.write_text("\n\n  # EXIM   Filter\ndeliver a@b.test\n")  # as Exim's rda_is_filter reads it
    assert filter_kind(loose) == "exim"


def test_a_test_message_is_headers_then_an_empty_line():
    assert check_message("Subject: x\r\n\r\nbody") == "Subject: x\n\nbody\n"
    assert check_message("Subject: x\nTo: a@b\n") == "Subject: x\nTo: a@b\n"  # headers alone
    assert check_message("") == "" and check_message("\nbody only\n") == "\nbody only\n"
    assert check_message("From a@b.test Mon Jan  1 00:00:00 2024\nSubject: x\n\nb\n")
    assert check_message("Subject: a\n  folded\n\nb\n")
    with pytest.raises(InvalidInputError, match=r"Line 2 of the test message, 'Body', is neither a header"):
        check_message("Subject: x\nBody\n")
    with pytest.raises(InvalidInputError, match="then an empty line, then the body"):
        check_message("Hello!\n\nbody\n")
    with pytest.raises(InvalidInputError, match="Line 1"):
        check_message("  folded first\n\n")


@pytest.mark.parametrize("who", WHO)
def test_the_system_filter_option_as_exim_prints_it(who):
    found = parse_option_lines(recorded("bp-system-filter", who)[0])
    assert found["system_filter"].value == "$config_dir/filters/system.filter"
    assert parse_option_lines(recorded("bp-no-system-filter", who)[0])["system_filter"].value == ""


# ---- rewriting ----------------------------------------------------------------------------


def rewritten(name: str, who: str, address: str):
    return parse_rewriting(address, recorded(name, who)[0], f"exim4 -brw {address}")


@pytest.mark.parametrize("who", WHO)
def test_each_field_s_rewriting(who):
    envelope = rewritten("brw-envelope", who, "someone@old.test")
    assert envelope.value("env-from") == envelope.value("ENV_TO:") == "someone@new.test"
    assert envelope.value("from") == "someone@old.test" and envelope.value("smtp") is None
    assert [name for name, _ in envelope.fields] == list(rewriting.FIELDS[:-1])
    rewriting.assert_rewrites(envelope, "someone@new.test", "env-from")
    rewriting.assert_rewrites(envelope, "someone@new.test", "envelope to")
    headline = "Expected <someone@old.test> to be rewritten to someone@new.test in from, but it is "
    headline += r"someone@old.test\.\nExim said:\n  \$ exim4 -brw someone@old.test\n      sender:"
    with fails(headline):
        rewriting.assert_rewrites(envelope, "someone@new.test", "from")
    with fails(
        "Expected no rewriting of <someone@old.test>, but env-from: someone@new.test; env-to: someone@new"
    ):
        rewriting.assert_rewrites_nothing(envelope)
    headers = rewritten("brw-headers", who, "anna@coop.test")
    rewriting.assert_rewrites(headers, "anna.smith@coop.test", "Reply-To")
    rewriting.assert_rewrites(headers, "anna@coop.test", "env-from")
    everywhere = rewritten("brw-all", who, "x@legacy.test")
    assert {value for _, value in everywhere.fields} == {"x@coop.test"}


@pytest.mark.parametrize("who", WHO)
def test_nothing_rewritten(who):
    rewriting.assert_rewrites_nothing(rewritten("brw-none-apply", who, "bob@other.test"))
    # A bare local part comes back qualified: with the configuration's qualify domains
    # (asked with -bP) that is no rewriting; with another domain it is.
    bare = rewritten("brw-local-part", who, "bob")
    rewriting.assert_rewrites_nothing(dataclasses.replace(bare, qualify=("mx.rewrite.test",) * 2))
    with fails("Expected no rewriting of <bob>, but sender: bob@mx.rewrite.test"):
        rewriting.assert_rewrites_nothing(dataclasses.replace(bare, qualify=("elsewhere.test",) * 2))
    none = rewritten("brw-no-rules", who, "anna@coop.test")
    assert not none.rules_defined and none.fields == ()
    rewriting.assert_rewrites_nothing(none)
    with fails("but the configuration has no rewrite rules"):
        rewriting.assert_rewrites(none, "a@b.test", "from")


@pytest.mark.parametrize("who", WHO)
def test_an_smtp_time_rewrite_is_printed_only_when_it_applies(who):
    smtp = rewritten("brw-smtp", who, "someone@smtp.test")
    assert smtp.value("SMTP") == "someone@coop.test"
    rewriting.assert_rewrites(smtp, "someone@coop.test", "smtp")
    with fails("Expected no rewriting of <someone@smtp.test>, but smtp: someone@coop.test."):
        rewriting.assert_rewrites_nothing(smtp)
    with fails("but no SMTP-time .S flag. rule changes it"):
        rewriting.assert_rewrites(rewritten("brw-envelope", who, "someone@old.test"), "x@y.test", "smtp")


@pytest.mark.parametrize("who", WHO)
def test_a_field_exim_does_not_print_and_a_non_address_are_refused(who):
    result = rewritten("brw-envelope", who, "someone@old.test")
    with pytest.raises(
        StepUsageError, match="exim -brw prints no field 'subject': it prints sender, from, to"
    ):
        rewriting.assert_rewrites(result, "x@y.test", "subject")
    with pytest.raises(InvalidInputError, match="is not a mail address: Missing or malformed local part"):
        rewritten("brw-syntax", who, "not an address")
    with pytest.raises(UnexpectedOutputError, match="does not know"):
        parse_rewriting("a@b", "  sender: a@b\nsomething new\n")


# ---- retry rules --------------------------------------------------------------------------


def retried(name: str, who: str, address: str):
    return parse_retry(address, recorded(name, who)[0], f"exim4 -brt {address}")


@pytest.mark.parametrize("who", WHO)
def test_the_retry_rule_that_applies(who):
    result = retried("brt-domain", who, "slow.test")
    assert result.rule == RetryRule("slow.test", "*", ("F,2h,15m", "G,16h,1h,1.5", "F,4d,6h"))
    for claim in ("F,2h,15m; G,16h,1h,1.5; F,4d,6h", " F,2h,15m;G,16h,1h,1.5;  F,4d,6h ; ",
                  "slow.test  *  F,2h,15m; G,16h,1h,1.5; F,4d,6h;"):  # fmt: skip
        retry.assert_retry_rule(result, claim)
    headline = r'Expected the retry rule for slow.test to be "F,2h,15m", but it is "slow.test \* F,2h,15m; '
    headline += r'G,16h,1h,1.5; F,4d,6h"\.\nExim said:\n  \$ exim4 -brt slow.test\n    Retry rule:'
    with fails(headline):
        retry.assert_retry_rule(result, "F,2h,15m")
    with fails('but "slow.test'):
        retry.assert_no_retry_rule(result)
    assert retried("brt-address", who, "bob@shop.test").rule == RetryRule(
        "*@shop.test", "*", ("F,30m,5m", "F,2d,1h")
    )
    with_error = retried("brt-error", who, "bob@shop.test")
    retry.assert_retry_rule(with_error, "*@shop.test timeout_connect F,1h,10m")


@pytest.mark.parametrize("who", WHO)
def test_no_retry_rule(who):
    for name, address in (("brt-none", "x@other.test"), ("brt-one-component", "localhost")):
        result = retried(name, who, address)
        assert result.rule is None
        retry.assert_no_retry_rule(result)
        with fails(f'Expected the retry rule for {address} to be "F,1h,10m", but no retry rule applies'):
            retry.assert_retry_rule(result, "F,1h,10m;")


@pytest.mark.parametrize("who", WHO)
def test_an_unknown_error_name_is_refused(who):
    with pytest.raises(InvalidInputError, match='Exim says: unknown or malformed retry error "nosuch_error"'):
        retried("brt-bad-error", who, "bob@shop.test")
    with pytest.raises(UnexpectedOutputError, match="does not know"):
        parse_retry("a@b", "Something new\n")
