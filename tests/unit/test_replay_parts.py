"""The parts of a replay that need no Exim: comparing two outcomes, the summary's words,
and the characterization suite written from replayed decisions."""

from __future__ import annotations

from pathlib import Path

from eximunit_bdd.replay.comparison import Compared, Comparison
from eximunit_bdd.replay.features import write_features
from eximunit_bdd.replay.replayer import Replayed, from_log
from eximunit_bdd.replay.summary import summary_text
from eximunit_bdd.replay.transactions import LoggedDecision

RELAY = LoggedDecision(
    "2026-12-01 03:36:12", "192.0.2.1", "rcpt", "rejected", "client.example", "alice@example.net",
    "bob@other.example", "relay attempt for bob@other.example",
)  # fmt: skip
AUTHENTICATED = LoggedDecision(
    "2026-12-01 03:36:13", "192.0.2.16", "rcpt", "accepted", "phone.example.net", "anna@coop.test",
    "friend@elsewhere.example", authenticator="plain_server", authenticated_id="anna@coop.test",
)  # fmt: skip


def test_the_same_decision_is_the_same_outcome_at_the_same_stage():
    refused = Replayed("rejected", "rcpt", 550, "relay not permitted", "exim4.conf:213 deny")
    assert refused.same_decision(from_log(RELAY))  # the log has no code: the outcome decides
    assert not refused.same_decision(Replayed("rejected", "mail", 550))  # refused earlier
    assert not refused.same_decision(Replayed("rejected", "rcpt", 554))
    assert not refused.same_decision(Replayed("deferred", "rcpt", 451))


def test_the_summary_names_each_change_with_its_statements():
    comparison = Comparison(read=3, against="the old configuration")
    comparison.skipped["decided after DATA: the log does not hold the message"] = 1
    comparison.compared = [
        Compared(
            RELAY,
            2,
            Replayed("rejected", "rcpt", 550, "relay not permitted", "old.conf:213 deny"),
            Replayed("accepted", "rcpt", 250, "Accepted", "new.conf:209 accept"),
        ),  # fmt: skip
    ]
    text = summary_text(comparison, "new.conf", {"not a decision": 4})
    assert "Read 3 decisions from the logs (4 lines not a decision)." in text
    assert "Replayed 2 of them (1 distinct) against new.conf, compared with the old configuration." in text
    assert "Not replayed: 1 decided after DATA" in text and "Decisions that would change: 1." in text
    assert "192.0.2.1 (HELO client.example) <alice@example.net> -> <bob@other.example> (seen 2 times)" in text
    assert '  before: rejected at RCPT 550 "relay not permitted"  [old.conf:213 deny]' in text
    assert '  after:  accepted at RCPT 250 "Accepted"  [new.conf:209 accept]' in text


def test_the_written_suite_claims_the_kept_side_in_the_public_vocabulary(tmp_path: Path):
    changed = Compared(
        RELAY, 1, Replayed("rejected", "rcpt", 550, 'say "no"'), Replayed("accepted", "rcpt", 250, "OK")
    )
    logged_in = Compared(
        AUTHENTICATED, 1, Replayed("accepted", "rcpt", 250), Replayed("rejected", "mail", 530, "Must")
    )
    feature = write_features([changed, logged_in], tmp_path, Path("/etc/exim4/new.conf"), keep="old")
    text = feature.read_text()
    assert 'Given the Exim configuration "/etc/exim4/new.conf"' in text
    assert "Then RCPT TO <bob@other.example> is rejected with 550\n" in text  # a quote: no text claimed
    assert (
        'And the client has authenticated as "anna@coop.test" with the authenticator "plain_server"' in text
    )
    assert "Then RCPT TO <friend@elsewhere.example> is accepted with 250" in text
    assert (tmp_path / "environment.py").exists() and (tmp_path / "steps" / "eximunit.py").exists()
    new_side = write_features([logged_in], tmp_path / "new", None).read_text()
    assert "Background" not in new_side  # the installed configuration: behave's own
    assert 'Then MAIL FROM <anna@coop.test> is rejected with 530 "Must"' in new_side


def test_what_a_client_wrote_never_makes_it_authenticated_or_encrypted():
    from eximunit_bdd.replay.log_reader import LogStats, read_decisions

    line = (
        "2026-12-01 03:36:12 1xYEf6-00000A-0I <= mallory@example.net H=(x.example) [192.0.2.66] "
        'P=esmtp S=320 T="re: X=TLS A=plain_server:anna@coop.test" for anna@coop.test\n'
    )
    rejected = (
        "2026-12-01 03:36:13 H=(x.example) [192.0.2.66] F=<m@example.net> rejected RCPT <b@other.example>: "
        "A=plain_server:anna X=TLS\n"
    )
    decisions = list(read_decisions([line, rejected], LogStats()))
    assert [(d.authenticator, d.tls) for d in decisions] == [(None, False), (None, False)]


def test_many_tls_items_are_read_at_once():
    import time

    from eximunit_bdd.replay import log_lines

    started = time.monotonic()
    log_lines.rejection("H=(x) [192.0.2.1]" + ' X="a"' * 40 + " F=<a@b> incomplete")
    assert time.monotonic() - started < 0.5  # no backtracking blow-up on a hostile line
