"""eximunit_bdd.replay.log_reader on logs of a real Exim 4.96 daemon of the co-op example
(tests/recorded/replay/record.py makes them), and on lines built in the shapes they show."""

from __future__ import annotations

import gzip
import io
import random
import sys
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Iterator

import pytest

from eximunit_bdd.errors import InvalidInputError
from eximunit_bdd.replay.log_reader import (
    DETAIL,
    DUPLICATE,
    MALFORMED,
    NOT_A_DECISION,
    OVERLONG,
    TRUNCATED,
    UNKNOWN,
    UNREADABLE,
    LogStats,
    open_logs,
    read_decisions,
)
from eximunit_bdd.replay.transactions import LoggedDecision

RECORDED = Path(__file__).resolve().parents[1] / "recorded" / "replay"
NOT_TLS = "530 Must issue a STARTTLS command first"
SLOW_15 = "Too many messages from 192.0.2.15, please slow down"
SLOW_16 = "Too many messages from 192.0.2.16, please slow down"
BROKEN = 'missing or malformed local part: failing address in "To:" header is: <<<broken'

#: What the recorded traffic decided (record.py's `converse`), in any log_selector:
#: client, HELO, sender, recipient, stage, outcome, reply.
REJECTIONS = [
    ("203.0.113.66", None, None, None, "connect", "rejected",
     "Your host 203.0.113.66 is blocked here; write to postmaster@coop.test"),
    ("192.0.2.12", "192.0.2.12", None, None, "helo", "rejected",
     "HELO with a bare IP address: use a host name or [address]"),
    ("192.0.2.11", "relay.example.net", "x@example.net", "friend@elsewhere.example", "rcpt", "rejected",
     "relay attempt for friend@elsewhere.example"),
    ("192.0.2.12", "[192.0.2.12]", "bulk@offers.example", None, "mail", "rejected",
     "Sender <bulk@offers.example> is blocked by co-op policy"),
    ("192.0.2.11", "relay.example.net", "x@example.net", "nobody@coop.test", "rcpt", "rejected",
     "Unrouteable address"),
    ("192.0.2.10", "mail.example.org", "alice@example.org", "erik@choir.test", "rcpt", "deferred",
     "choir.test is moving to a new server, please try again later"),
    ("192.0.2.12", "[192.0.2.12]", "Joe@Spam.Example", None, "mail", "rejected",
     "Sender <Joe@Spam.Example> is blocked by co-op policy"),
    ("192.0.2.13", "mx.coop.test", None, None, "helo", "rejected", "You are not mx.coop.test"),
    ("192.0.2.13", "mail.example.com", "carol@example.com", None, "data", "rejected", BROKEN),
    ("192.0.2.13", "mail.example.com", "carol@example.com", None, "data", "deferred", ""),
    ("192.0.2.14", "garden-client.example", "dan@example.net", "gina@garden.test", "rcpt", "deferred", ""),
    ("192.0.2.15", "busy.example.org", "news3@example.org", None, "mail", "deferred", SLOW_15),
    ("192.0.2.15", "busy.example.org", "news4@example.org", None, "mail", "deferred", SLOW_15),
    ("192.0.2.16", "laptop.example.net", "anna@coop.test", None, "mail", "rejected", NOT_TLS),
    ("192.0.2.16", "laptop.example.net", "anna@coop.test", None, "mail", "deferred", SLOW_16),
    ("2001:db8::7", "v6.example.net", "six@example.net", "someone@elsewhere.example", "rcpt", "rejected",
     "relay attempt for someone@elsewhere.example"),
]  # fmt: skip


def accepted(client: str, helo: str, sender: str, recipient: str) -> tuple[object, ...]:
    return (client, helo, sender, recipient, "rcpt", "accepted", "")


#: Accepted recipients the default log_selector shows (by the messages' delivery lines).
ACCEPTED = [
    accepted("192.0.2.11", "relay.example.net", "x@example.net", "postmaster@coop.test"),
    accepted("192.0.2.10", "mail.example.org", "alice@example.org", "board@coop.test"),
    accepted("192.0.2.12", "[192.0.2.12]", "", "postmaster@coop.test"),
    *[accepted("192.0.2.15", "busy.example.org", f"news{n}@example.org", "anna@coop.test") for n in range(3)],
    accepted("198.51.100.7", "pc7.office.coop.test", "bob@coop.test", "friend@elsewhere.example"),
    accepted("192.0.2.16", "phone.example.net", "anna@coop.test", "friend@elsewhere.example"),
    accepted("192.0.2.16", "laptop.example.net", "anna@coop.test", "friend@elsewhere.example"),
    accepted("2001:db8::7", "v6.example.net", "six@example.net", "anna@coop.test"),
    accepted("127.0.0.1", "localhost", "root@localhost.example", "postmaster@coop.test"),
    accepted("::1", "ip6-client.example", "root@localhost.example", "postmaster@coop.test"),
]


def shown(decision: LoggedDecision) -> tuple[object, ...]:
    return (decision.client_ip, decision.helo, decision.sender, decision.recipient, decision.stage,
            decision.outcome, decision.reply)  # fmt: skip


def read(*names: str, **options: int) -> tuple[list[LoggedDecision], LogStats]:
    stats = LogStats()
    decisions = list(
        read_decisions(open_logs([str(RECORDED / name) for name in names], stats), stats, **options)
    )
    assert stats.lines_read == stats.lines_used + stats.lines_skipped
    assert stats.decisions == len(decisions)
    return decisions, stats


def read_lines(lines: list[str], **options: int) -> tuple[list[LoggedDecision], LogStats]:
    stats = LogStats()
    decisions = list(read_decisions(lines, stats, **options))
    assert stats.lines_read == stats.lines_used + stats.lines_skipped == len(lines)
    return decisions, stats


# ---- the recordings ---------------------------------------------------------------------


def test_the_default_main_log_gives_every_decision_with_its_client_helo_sender_and_reply():
    decisions, stats = read("default.mainlog")
    assert Counter(map(shown, decisions)) == Counter(REJECTIONS + ACCEPTED)
    assert all(d.when.startswith("2026-12-01 ") and len(d.when) == 19 for d in decisions)
    assert all(d.client_port is None and d.server_port is None for d in decisions)
    relay = next(
        d for d in decisions if d.recipient == "friend@elsewhere.example" and d.outcome == "rejected"
    )
    assert relay.line.endswith(
        "rejected RCPT <friend@elsewhere.example>: relay attempt for friend@elsewhere.example"
    )
    assert relay.message_id is None
    assert all(d.message_id and " <= " in d.line for d in decisions if d.outcome == "accepted")
    # the daemon's start, `rewrite:`, clamd, the DNS list, the synchronization error, the lost connection
    assert stats.skipped == {NOT_A_DECISION: 7}
    assert stats.messages_without_recipients == 0


def test_without_received_recipients_a_recipient_delivered_as_another_ones_duplicate_is_not_known():
    decisions, _ = read("default.mainlog")
    two = [d.recipient for d in decisions if d.sender == "alice@example.org" and d.outcome == "accepted"]
    assert two == ["board@coop.test"]  # anna@coop.test too was accepted: Exim logs one delivery to anna


def test_a_log_selector_with_ports_pid_milliseconds_and_zone_adds_what_it_logs():
    decisions, stats = read("selectors.mainlog")
    by_recipient = {(d.client_ip, d.recipient, d.stage, d.outcome): d for d in decisions}
    with_recipients = Counter(map(shown, decisions))
    office = accepted(
        "198.51.100.7", "pc7.office.coop.test", "bob@pc7.office.coop.test", "friend@elsewhere.example"
    )
    assert with_recipients[office] == 1  # +received_sender: the sender before rewriting
    assert (
        with_recipients[accepted("192.0.2.10", "mail.example.org", "alice@example.org", "anna@coop.test")]
        == 1
    )
    assert (
        with_recipients[accepted("192.0.2.10", "mail.example.org", "alice@example.org", "board@coop.test")]
        == 1
    )
    # +smtp_incomplete_transaction: recipients accepted before RSET, QUIT or a lost connection
    for client, helo, sender, recipient in [
        ("192.0.2.14", "garden-client.example", "dan@example.net", "Anna@Coop.Test"),
        (
            "192.0.2.16",
            "laptop.example.net",
            "anna@coop.test",
            "bea@bakery.test",
        ),  # the next MAIL: rate limit
        ("192.0.2.13", "gone.example", "gone@example.com", "anna@coop.test"),
    ]:
        assert with_recipients[accepted(client, helo, sender, recipient)] == 1, recipient
    rejected = [shown(d) for d in decisions if d.outcome != "accepted"]
    assert Counter(rejected) == Counter(REJECTIONS)
    relay = by_recipient[("2001:db8::7", "someone@elsewhere.example", "rcpt", "rejected")]
    assert relay.client_port and relay.client_port > 1024
    assert (relay.server_ip, relay.server_port) == ("2001:db8::25", 25)
    assert relay.when.endswith(" +0000") and relay.when[19] == "." and len(relay.when) == 29
    not_tls = next(d for d in decisions if d.reply == NOT_TLS)
    assert (not_tls.server_ip, not_tls.server_port) == ("192.0.2.25", 587)
    local = by_recipient[("::1", "postmaster@coop.test", "rcpt", "accepted")]
    assert (local.server_ip, local.server_port) == ("::1", 25)
    assert stats.skipped == {NOT_A_DECISION: stats.lines_skipped}  # connections, QUITs, deliveries, ...


def test_a_reject_log_gives_its_rejections_and_the_recipients_a_data_time_rejection_had():
    decisions, stats = read("default.rejectlog")
    rejected = [shown(d) for d in decisions if d.outcome != "accepted"]
    assert Counter(rejected) == Counter(REJECTIONS)
    behind_data = [shown(d) for d in decisions if d.outcome == "accepted"]
    assert behind_data == [
        accepted("192.0.2.13", "mail.example.com", "carol@example.com", "anna@coop.test"),
        accepted("192.0.2.13", "mail.example.com", "carol@example.com", "info@bakery.test"),
        accepted("192.0.2.13", "mail.example.com", "carol@example.com", "anna@coop.test"),
    ]
    assert stats.skipped[DETAIL] > 10  # Envelope-from:, the headers and their continuations


@pytest.mark.parametrize(
    "order", [("default.mainlog", "default.rejectlog"), ("default.rejectlog", "default.mainlog")]
)
def test_both_logs_at_once_give_each_decision_once(order):
    decisions, stats = read(*order)
    main, _ = read("default.mainlog")
    rejected_only, _ = read("default.rejectlog")
    behind_data = [shown(d) for d in rejected_only if d.outcome == "accepted"]
    assert Counter(map(shown, decisions)) == Counter(map(shown, main)) + Counter(behind_data)
    assert stats.skipped[DUPLICATE] == len(REJECTIONS)


def test_a_gzipped_log_reads_as_the_plain_one():
    plain, plain_stats = read("default.mainlog")
    packed, packed_stats = read("default.mainlog.gz")
    assert packed == plain and packed_stats == plain_stats


def test_standard_input_is_a_dash(monkeypatch):
    data = (RECORDED / "default.mainlog").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    stats = LogStats()
    from_stdin = list(read_decisions(open_logs(["-"], stats), stats))
    assert from_stdin == read("default.mainlog")[0]


def test_a_missing_log_file_is_refused_at_once_by_name(tmp_path):
    missing = str(tmp_path / "mainlog.1")
    with pytest.raises(InvalidInputError, match="mainlog.1 does not exist"):
        open_logs([str(RECORDED / "default.mainlog"), missing])


def test_exim_bh_log_lines_have_no_timestamp_and_are_never_merged():
    decisions, stats = read("bh-default.log")
    assert all(d.when == "" for d in decisions)
    assert Counter(map(shown, decisions)) == Counter(
        [r for r in REJECTIONS if r[0] in ("192.0.2.11", "203.0.113.66") and r[4] != "data"]
        + [REJECTIONS[1], REJECTIONS[3], REJECTIONS[8]]
    )
    assert stats.messages_without_recipients == 1  # -bh's `<=` line, and no delivery
    twice, _ = read("bh-default.log", "bh-default.log")
    assert len(twice) == 2 * len(decisions)
    # +millisec, log_timezone and +pid leave `LOG: 441 +0000 [1576] ...` after the 20 characters cut
    selectors, stats = read("bh-selectors.log")
    assert len(selectors) == len(decisions) + 1 and stats.skipped == {NOT_A_DECISION: 8}
    assert shown(selectors[2]) == accepted(
        "192.0.2.11", "relay.example.net", "x@example.net", "postmaster@coop.test"
    )


# ---- damaged input ----------------------------------------------------------------------


def test_a_damaged_log_is_read_as_far_as_it_can_be_without_an_exception():
    decisions, stats = read("damaged.mainlog")
    plain, _ = read("default.mainlog")
    assert set(map(shown, decisions)) <= set(map(shown, plain))
    assert len(decisions) >= len(plain) - 2
    assert stats.skipped[MALFORMED] >= 3  # NUL bytes, binary garbage, an IP address 999.1.1.1
    assert stats.skipped[OVERLONG] == 1 and stats.skipped[TRUNCATED] == 1


def test_random_bytes_are_counted_and_skipped(tmp_path):
    generator = random.Random(18)
    good = (RECORDED / "default.mainlog").read_bytes().splitlines(keepends=True)
    chunks = []
    for line in good:
        chunks.append(
            line if generator.random() < 0.7 else bytes(generator.randrange(256) for _ in range(80))
        )
        if generator.random() < 0.2:
            chunks.append(line[: generator.randrange(len(line))] + b"\n")  # a line cut short
    path = tmp_path / "noise"
    path.write_bytes(b"".join(chunks))
    stats = LogStats()
    list(read_decisions(open_logs([str(path)], stats), stats))
    assert stats.lines_read == stats.lines_used + stats.lines_skipped > 0


def test_a_cut_gzip_file_gives_what_it_holds_and_says_it_is_cut(tmp_path):
    packed = gzip.compress((RECORDED / "default.mainlog").read_bytes() * 20)
    cut = tmp_path / "mainlog.2.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    not_gzip = tmp_path / "mainlog.3.gz"
    not_gzip.write_bytes(b"plain text, named .gz\n")
    stats = LogStats()
    decisions = list(read_decisions(open_logs([str(cut), str(not_gzip)], stats), stats))
    assert decisions and stats.skipped[UNREADABLE] == 2


def test_lines_of_no_known_shape_and_rejections_without_a_client_are_told_apart():
    decisions, stats = read_lines([
        "2026-12-01 10:00:00 something Exim never wrote",
        "2026-12-01 10:00:00 H=(x) [not-an-ip] F=<a@b> rejected RCPT <c@d>: no",
        "2026-12-01 10:00:00 H=(x) [192.0.2.1] rejected AUTH plain: 535 Incorrect authentication data",
        "no timestamp at all",
        " a continuation with nothing before it",
    ])  # fmt: skip
    assert decisions == []
    assert stats.skipped == {UNKNOWN: 1, MALFORMED: 3, NOT_A_DECISION: 1}


# ---- shapes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "client", "port", "helo_at_rcpt", "helo_at_connect"),
    [
        ("[192.0.2.1]", "192.0.2.1", None, None, None),
        ("(helo.example) [192.0.2.1]", "192.0.2.1", None, "helo.example", "helo.example"),
        ("name.example (helo.example) [192.0.2.1]", "192.0.2.1", None, "helo.example", "helo.example"),
        ("name.example [192.0.2.1]", "192.0.2.1", None, "name.example", None),  # HELO was the name
        ("(helo.example) [192.0.2.1]:4567", "192.0.2.1", 4567, "helo.example", "helo.example"),
        ("(a (b) c) [2001:db8::1]:25", "2001:db8::1", 25, "a (b) c", "a (b) c"),
        (
            "([IPv6:2001:db8::1]) [2001:db8::1]",
            "2001:db8::1",
            None,
            "[IPv6:2001:db8::1]",
            "[IPv6:2001:db8::1]",
        ),
        ("name.example [192.0.2.1]:4567 I=[192.0.2.25]:587 U=joe", "192.0.2.1", 4567, "name.example", None),
    ],
)
def test_every_form_of_the_client(host, client, port, helo_at_rcpt, helo_at_connect):
    decisions, _ = read_lines([
        f"2026-12-01 10:00:00.123 +0100 [77] H={host} F=<s@x.example> rejected RCPT <r@y.example>: no relay",
        f'2026-12-01 10:00:01 DS H={host} X=TLS1.3:AES:256 CV=yes DN="CN=x, O=y" rejected connection in '
        '"connect" ACL',
    ])  # fmt: skip
    rcpt, connect = decisions
    assert (rcpt.client_ip, rcpt.client_port, rcpt.helo, rcpt.reply) == (
        client,
        port,
        helo_at_rcpt,
        "no relay",
    )
    assert (rcpt.when, rcpt.sender, rcpt.recipient) == (
        "2026-12-01 10:00:00.123 +0100",
        "s@x.example",
        "r@y.example",
    )
    assert (connect.stage, connect.helo, connect.sender, connect.reply) == (
        "connect",
        helo_at_connect,
        None,
        "",
    )
    if "I=" in host:
        assert (rcpt.server_ip, rcpt.server_port) == ("192.0.2.25", 587)


def test_exims_own_refusals_and_a_mail_argument_with_parameters():
    decisions, _ = read_lines([
        "2026-12-01 10:00:00 rejected EHLO from [192.0.2.1]: syntactically invalid argument(s): bad_name!",
        "2026-12-01 10:00:00 rejected MAIL FROM:<big@x.example> H=(h.example) [192.0.2.1]: message too big: "
        "size=30000000 max=20971520",
        "2026-12-01 10:00:00 1xYEbE-000005-1M rejected from <s@x.example> H=(h.example) [192.0.2.1]: "
        "message too big: read=30000000 max=20971520",
        "2026-12-01 10:00:00 H=(h.example) [192.0.2.1] temporarily rejected MAIL <s@x.example> SIZE=1: later",
        "2026-12-01 10:00:00 H=(h.example) [192.0.2.1] F=<s@x.example> A=plain:s rejected RCPT r@y.test: no",
    ])  # fmt: skip
    assert [(d.stage, d.outcome, d.helo, d.sender, d.recipient) for d in decisions] == [
        ("helo", "rejected", "bad_name!", None, None),
        ("mail", "rejected", "h.example", "big@x.example", None),
        ("data", "rejected", "h.example", "s@x.example", None),
        ("mail", "deferred", "h.example", "s@x.example", None),
        ("rcpt", "rejected", "h.example", "s@x.example", "r@y.test"),
    ]


def test_interleaved_messages_are_grouped_by_id_until_completed():
    lines = [
        "2026-12-01 10:00:00 1aaaaa-000001-00 <= a@x.example H=(one.example) [192.0.2.1] P=esmtp S=10",
        "2026-12-01 10:00:00 1bbbbb-000002-00 <= b@x.example H=(two.example) [192.0.2.2] P=esmtp "
        'S=10 T="for you" id=<x@y>',
        "2026-12-01 10:00:01 H=(three.example) [192.0.2.3] F=<c@x.example> rejected RCPT <z@z.example>: no",
        "2026-12-01 10:00:01 1aaaaa-000001-00 => anna <anna@coop.test> R=mailboxes T=mailbox",
        "2026-12-01 10:00:01 1bbbbb-000002-00 => friend@far.example R=remote T=smtp H=mx.far.example"
        " C=\"250 OK id=1x\"",
        "2026-12-01 10:00:01 1bbbbb-000002-00 -> other@far.example R=remote T=smtp H=mx.far.example*",
        "2026-12-01 10:00:01 1aaaaa-000001-00 => bea <info@bakery.test> R=mailboxes T=mailbox",
        "2026-12-01 10:00:01 1aaaaa-000001-00 => carl <info@bakery.test> R=mailboxes T=mailbox",
        "2026-12-01 10:00:01 1aaaaa-000001-00 ** former@coop.test: has left the co-op",
        "2026-12-01 10:00:02 1aaaaa-000001-00 Completed",
        "2026-12-01 10:00:02 1bbbbb-000002-00 == late@far.example R=remote T=smtp defer (-44): retry later",
        "2026-12-01 10:00:03 1ccccc-000003-00 => nobody@example.com R=remote T=smtp",  # received earlier
    ]  # fmt: skip
    decisions, stats = read_lines(lines)
    assert [(d.message_id, d.client_ip, d.helo, d.sender, d.recipient) for d in decisions] == [
        (None, "192.0.2.3", "three.example", "c@x.example", "z@z.example"),
        ("1aaaaa-000001-00", "192.0.2.1", "one.example", "a@x.example", "anna@coop.test"),
        ("1aaaaa-000001-00", "192.0.2.1", "one.example", "a@x.example", "info@bakery.test"),
        ("1aaaaa-000001-00", "192.0.2.1", "one.example", "a@x.example", "former@coop.test"),
        # never completed: given at the end
        ("1bbbbb-000002-00", "192.0.2.2", "two.example", "b@x.example", "friend@far.example"),
        ("1bbbbb-000002-00", "192.0.2.2", "two.example", "b@x.example", "other@far.example"),
        ("1bbbbb-000002-00", "192.0.2.2", "two.example", "b@x.example", "late@far.example"),
    ]
    assert decisions[1].line == lines[0]
    assert stats.skipped == {NOT_A_DECISION: 1}


def test_at_most_max_pending_messages_wait_for_their_recipients():
    lines = [
        f"2026-12-01 10:00:00 1aaaaa-00000{n}-00 <= s@x.example H=(h.example) [192.0.2.{n}] P=esmtp S=1"
        for n in range(4)
    ] + ["2026-12-01 10:00:01 1aaaaa-000003-00 => r@y.example R=remote T=smtp"]
    decisions, stats = read_lines(lines, max_pending=2)
    assert [d.client_ip for d in decisions] == ["192.0.2.3"]
    assert stats.messages_without_recipients == 3  # the first two flushed early, the third at the end


# ---- memory -----------------------------------------------------------------------------


def generated_log(count: int) -> Iterator[str]:
    """`count` lines of busy-server traffic: rejections, messages never completed, noise."""
    for n in range(count):
        second = f"2026-12-01 {n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}"
        kind = n % 5
        ip = f"192.0.{n % 250}.{n % 199 + 1}"
        if kind == 0:
            yield f"{second} H=(h{n}.example) [{ip}] F=<s{n}@x.example> rejected RCPT <r{n}@coop.test>: no"
        elif kind == 1:
            yield f"{second} {n:06x}-{n:06d}-00 <= s{n}@x.example H=(h{n}.example) [{ip}] P=esmtp S=100"
        elif kind == 2:
            yield f"{second} {n - 1:06x}-{n - 1:06d}-00 => r{n}@far.example R=remote T=smtp"
        elif kind == 3:
            yield f"{second} SMTP connection from [{ip}] closed by QUIT"
        else:
            yield f"{second} H=(h{n}.example) [{ip}] rejected EHLO or HELO h{n}.example: go away"


def peak_memory(lines: int) -> tuple[int, LogStats]:
    stats = LogStats()
    tracemalloc.start()
    try:
        decisions = read_decisions(generated_log(lines), stats, max_pending=500, dedupe_window=2_000)
        assert sum(1 for _ in decisions) == stats.decisions == lines // 5 * 3
        return tracemalloc.get_traced_memory()[1], stats
    finally:
        tracemalloc.stop()


def test_a_long_log_is_read_in_bounded_memory():
    """Four times the lines, not more memory: 8,000 messages never completed wait at most
    `max_pending` at a time (a million lines with the defaults: 8 s, 38 MB more RSS,
    measured outside the tests, tracemalloc slowing Python sixfold)."""
    small, _ = peak_memory(10_000)
    large, stats = peak_memory(40_000)
    assert stats.lines_read == 40_000 == stats.lines_used + stats.lines_skipped
    assert large < 50_000_000 and large < small * 1.5, f"peaks {small / 1e6:.1f} and {large / 1e6:.1f} MB"
