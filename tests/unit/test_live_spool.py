"""The spool, dry-run and log readers of eximunit_bdd.live on what a real queue-only
daemon left, recorded under tests/recorded/live/ (record.py), as root and unprivileged."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

from eximunit_bdd.errors import ConfigAssertionError, InvalidInputError, UnexpectedOutputError
from eximunit_bdd.live.logs import (
    DryRunDelivery,
    assert_log_contains,
    assert_would_deliver,
    assert_would_send_to_host,
    log_lines,
    parse_dry_run,
)
from eximunit_bdd.live.spool import (
    Recipient,
    StoredHeader,
    assert_for_recipient,
    assert_header,
    assert_no_header,
    assert_nothing_queued,
    assert_queued,
    message_ids,
    parse_header_file,
    queued_messages,
    read_header_file,
)

from ..conftest import RECORDED

LIVE = RECORDED / "live"
WHO = ["root", "user"]


def recorded_header(who: str) -> bytes:
    return (LIVE / f"queued.{who}.H").read_bytes()


def message_id(who: str) -> str:
    return recorded_header(who).split(b"\n", 1)[0][:-2].decode()


def dry_run_output(name: str, who: str) -> tuple[str, str]:
    """A recorded dry run's message id and everything it wrote (stdout, then stderr)."""
    text = (LIVE / f"{name}.{who}.txt").read_text()
    return text.split("\n", 1)[0].rsplit(" ", 1)[1], text.split("--- stdout\n", 1)[1]


def log_directory(tmp_path: Path, who: str) -> Path:
    """The recorded logs of `who` as the daemon left them: mainlog, rejectlog."""
    for name in ("mainlog", "rejectlog"):
        shutil.copyfile(LIVE / f"{name}.{who}", tmp_path / name)
    return tmp_path


# ---- the -H file ------------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_the_envelope_is_read(who):
    message = read_header_file(LIVE / f"queued.{who}.H")
    assert message.id == message_id(who)
    assert message.sender == "sender@example.org"
    assert message.recipients == ("anna@coop.test", "bob@shop.test")
    assert message.delivered == ()
    assert message.host_address == "127.0.0.1"
    assert message.originator == ("Debian-exim" if who == "root" else "eximunit-test")
    assert message.received_time is not None and message.received_time.tzinfo == datetime.timezone.utc
    assert message.received_time.microsecond == int(message.variables["received_time_usec"][1:])


@pytest.mark.parametrize("who", WHO)
def test_a_recipient_with_dsn_options_keeps_them(who):
    first, second = read_header_file(LIVE / f"queued.{who}.H").recipient_lines
    assert first == Recipient("anna@coop.test")
    assert second == Recipient("bob@shop.test", orcpt="rfc822;bob@shop.test", dsn_flags=20)


@pytest.mark.parametrize("who", WHO)
def test_headers_keep_their_flag_and_continuation_lines_but_not_deleted_ones(who):
    message = read_header_file(LIVE / f"queued.{who}.H")
    assert [(header.name, header.flag) for header in message.headers] == [
        ("Received", "P"), ("From", "F"), ("To", "T"), ("Subject", " "), ("X-Checked", " "),
    ]  # fmt: skip
    assert message.header("subject") == [StoredHeader("Subject", "Hello\n  folded onto a second line", " ")]
    assert message.header("X-Checked")[0].value == "by the data ACL\n\tfor 2 recipients"
    assert message.header("X-Remove-Me") == []  # stored with the flag *: removed by the ACL
    assert message.header("Received")[0].value.endswith("+0000")


@pytest.mark.parametrize("who", WHO)
def test_variables_hold_acl_variables_by_their_exim_names_and_the_other_lines(who):
    variables = read_header_file(LIVE / f"queued.{who}.H").variables
    assert variables["acl_m_verdict"] == "clean"
    assert variables["acl_m_lines"] == "first\nsecond"  # the value's length spans lines
    assert variables["acl_m_from"] == "sender@example.org"  # tainted: --aclm
    assert variables["acl_c_helo"] == "client.example.org"
    assert variables["auth_id"] == "sender@example.org"  # --auth_id
    assert variables["received_protocol"] == "esmtpa"
    assert variables["host_address"].startswith("[127.0.0.1]:")
    assert variables["dsn_envid"] == "env-1"
    assert variables["N"] == ""  # the daemon's -N: never to be delivered


def test_delivered_recipients_are_read_from_the_tree_and_left_out():
    data = recorded_header("user").replace(b"XX\n", b"YY anna@coop.test\nNN x@coop.test\nNN y@coop.test\n")
    message = parse_header_file(data)
    assert message.delivered == ("anna@coop.test", "x@coop.test", "y@coop.test")
    assert message.recipients == ("bob@shop.test",)


def test_recipient_lines_of_older_exims_and_with_an_errors_to_address():
    data = recorded_header("user").replace(
        b"anna@coop.test\nbob@shop.test rfc822;bob@shop.test 20,20  0,-1#3\n",
        b"anna@coop.test 3\nbob@shop.test  0,0 owner@shop.test 15,2#3\n",
    )
    first, second = parse_header_file(data).recipient_lines
    assert first == Recipient("anna@coop.test", parent=3)
    assert second == Recipient("bob@shop.test", None, 0, "owner@shop.test", 2)


@pytest.mark.parametrize(
    "damage",
    [
        (b"-H\n", b"-X\n"),  # not a -H file
        (b"\n<sender@example.org>\n", b"\nsender@example.org\n"),  # the sender has no <>
        (b"\n2\nanna", b"\ntwo\nanna"),  # the count
        (b"034F From", b"999F From"),  # longer than the file
        (b"034F From", b"F From"),  # no length
    ],
)
def test_a_damaged_file_is_refused(damage):
    old, new = damage
    with pytest.raises(UnexpectedOutputError, match="is not an Exim -H file"):
        parse_header_file(recorded_header("user").replace(old, new, 1))


# ---- the queue --------------------------------------------------------------------------


def spool_with(tmp_path: Path, *whos: str, split: bool = False) -> Path:
    """A spool holding the recorded messages of `whos` (with the id's sixth character
    as the subdirectory when `split`), and files that are no message."""
    for who in whos:
        directory = tmp_path / "input" / (message_id(who)[5] if split else "")
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"{message_id(who)}-H").write_bytes(recorded_header(who))
        (directory / f"{message_id(who)}-D").write_bytes(b"")
    (tmp_path / "input" / "hdr.1234").write_bytes(b"")
    return tmp_path


@pytest.mark.parametrize("split", [False, True])
def test_the_queue_lists_every_message_oldest_first(tmp_path, split):
    spool = spool_with(tmp_path, "user", "root", split=split)
    messages = queued_messages(spool)
    stamps = {who: str(parse_header_file(recorded_header(who)).received_time) for who in WHO}
    assert [message.id for message in messages] == [
        message_id(who) for who in sorted(WHO, key=stamps.__getitem__)
    ]
    assert message_ids(spool) == sorted([message_id("root"), message_id("user")])


def test_an_empty_or_missing_spool_has_no_message(tmp_path):
    assert queued_messages(tmp_path) == []
    assert_nothing_queued(queued_messages(tmp_path))


def test_queue_assertions_pass_on_what_was_queued(tmp_path):
    messages = queued_messages(spool_with(tmp_path, "user"))
    message = assert_queued(messages)
    assert assert_queued(messages, 1) is message
    assert assert_header(message, "x-checked") == message.header("X-Checked")[0]
    assert assert_header(message, "X-Checked", "FOR 2 RECIPIENTS").flag == " "
    assert_no_header(message, "X-Remove-Me")
    assert_for_recipient(message, "Bob@Shop.Test")


def test_false_claims_about_the_queue_fail_showing_what_was_queued(tmp_path):
    messages = queued_messages(spool_with(tmp_path, "user"))
    message = messages[0]
    queued = f"Queued:\n    {message.id} from <sender@example.org> for <anna@coop.test>, <bob@shop.test>"
    with pytest.raises(
        ConfigAssertionError, match="Expected no message in the queue, but it has 1."
    ) as caught:
        assert_nothing_queued(messages)
    assert queued in str(caught.value) and "X-Checked: by the data ACL" in str(caught.value)
    assert "acl_m_lines = first\\nsecond" in str(caught.value)
    with pytest.raises(ConfigAssertionError, match=r"Expected 2 message\(s\) in the queue, but it has 1."):
        assert_queued(messages, 2)
    with pytest.raises(
        ConfigAssertionError, match="Expected a message in the queue, but it has 0."
    ) as caught:
        assert_queued([])
    assert "Queued:\n    (nothing)" in str(caught.value)
    with pytest.raises(
        ConfigAssertionError, match='have a header X-Checked containing "spam", but its value differs'
    ):
        assert_header(message, "X-Checked", "spam")
    with pytest.raises(ConfigAssertionError, match="have a header X-Remove-Me, but it has none") as caught:
        assert_header(message, "X-Remove-Me")
    assert queued in str(caught.value)
    with pytest.raises(ConfigAssertionError, match="to have no header Subject, but it has one"):
        assert_no_header(message, "Subject")
    with pytest.raises(ConfigAssertionError, match="to be for <carl@coop.test>, but it is not") as caught:
        assert_for_recipient(message, "carl@coop.test")
    assert queued in str(caught.value)


# ---- the dry run ------------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_a_dry_run_says_where_each_recipient_would_go(who):
    id, output = dry_run_output("dryrun", who)
    result = parse_dry_run(id, output)
    assert result.deliveries == (
        DryRunDelivery("anna", "mailboxes", "mailbox", original="anna@coop.test"),
        DryRunDelivery("bob@shop.test", "hub", "remote_smtp", "192.0.2.25", "192.0.2.25"),
    )
    assert result.deliveries[1].line.endswith('C="delivery bypassed by -N option"')
    # NOTIFY=SUCCESS: Exim made a DSN (itself unroutable, frozen); its lines are not ID's.
    assert len(result.notifications) == 1 and result.notifications[0].startswith(f"<= <> R={id} ")
    assert result.failures == ()


@pytest.mark.parametrize("who", WHO)
def test_the_main_log_tells_the_same_dry_run(who, tmp_path):
    id, output = dry_run_output("dryrun", who)
    from_log = parse_dry_run(id, "\n".join(log_lines(log_directory(tmp_path, who))))
    assert from_log.deliveries == parse_dry_run(id, output).deliveries
    assert len(from_log.notifications) == 1


def test_a_dry_run_as_root_with_exim_user_root_defers_every_address():
    id, output = dry_run_output("dryrun-as-root", "root")
    result = parse_dry_run(id, output)
    assert result.deliveries == ()
    assert [line.split(" R=")[0] for line in result.failures] == ["== anna@coop.test", "== bob@shop.test"]
    assert "fixed_never_users" in result.failures[0]


@pytest.mark.parametrize("who", WHO)
def test_dry_run_assertions_pass_on_what_exim_logged(who):
    result = parse_dry_run(*dry_run_output("dryrun", who))
    assert assert_would_deliver(result, "anna@coop.test", "mailboxes", "mailbox").address == "anna"
    assert assert_would_deliver(result, "ANNA@coop.test").transport == "mailbox"
    assert assert_would_deliver(result, "bob@shop.test", transport="remote_smtp").router == "hub"
    assert assert_would_send_to_host(result, "192.0.2.25").address == "bob@shop.test"
    assert assert_would_send_to_host(result, "[192.0.2.25]", "bob@shop.test").ip == "192.0.2.25"


def test_false_claims_about_a_dry_run_fail_showing_what_exim_logged():
    id, output = dry_run_output("dryrun", "user")
    result = parse_dry_run(id, output, f"exim4 -N -M {id}")
    logged = (
        f"Exim logged (exim4 -N -M {id}):\n"
        "    *> anna <anna@coop.test> R=mailboxes T=mailbox\n    *> bob@shop.test R=hub"
    )
    with pytest.raises(ConfigAssertionError) as caught:
        assert_would_deliver(result, "anna@coop.test", "hub")
    assert str(caught.value).startswith(
        f'Expected <anna@coop.test> to be delivered by router "hub" in a dry run of message {id}, '
        "but Exim delivered it otherwise.\n"
    )
    assert logged in str(caught.value)
    with pytest.raises(ConfigAssertionError, match="but no delivery is for that address"):
        assert_would_deliver(result, "carl@coop.test")
    with pytest.raises(ConfigAssertionError, match="Expected <anna@coop.test> to be sent to host 192.0.2.25"):
        assert_would_send_to_host(result, "192.0.2.25", "anna@coop.test")
    with pytest.raises(
        ConfigAssertionError, match="a recipient to be sent to host mail.shop.test .* no delivery"
    ):
        assert_would_send_to_host(result, "mail.shop.test")
    deferred = parse_dry_run(*dry_run_output("dryrun-as-root", "root"))
    with pytest.raises(ConfigAssertionError, match="fixed_never_users"):
        assert_would_deliver(deferred, "anna@coop.test")


# ---- the log files ----------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_log_lines_join_continuation_lines(who, tmp_path):
    directory = log_directory(tmp_path, who)
    main = log_lines(directory)
    assert main[0].endswith("will use a selfsigned one. Suggested action: either install a certificate "
                            "or change tls_advertise_hosts option")  # fmt: skip
    assert any("<= sender@example.org H=(client.example.org) [127.0.0.1] P=esmtpa" in line for line in main)
    assert log_lines(directory, "reject") == [line for line in main if "rejected RCPT" in line]
    assert log_lines(directory, "panic") == []  # never written: no file


def test_log_assertions(tmp_path):
    directory = log_directory(tmp_path, "user")
    assert assert_log_contains(directory, "reject", "RELAY NOT PERMITTED").endswith("relay not permitted")
    with pytest.raises(ConfigAssertionError) as caught:
        assert_log_contains(directory, "reject", "spam")
    expected = (
        'Expected the reject log to contain "spam", but it does not.\n'
        f"The reject log ({directory}/rejectlog) has:\n"
    )
    assert str(caught.value).startswith(expected)
    assert str(caught.value)[len(expected) :].startswith("    ") and "rejected RCPT" in str(caught.value)
    with pytest.raises(ConfigAssertionError, match=r"The panic log \(.*\) has:\n    \(nothing\)$"):
        assert_log_contains(directory, "panic", "x")
    with pytest.raises(InvalidInputError, match="No Exim log is called 'debug'"):
        log_lines(directory, "debug")  # type: ignore[arg-type]
