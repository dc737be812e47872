"""The `>>>` trace and `LOG:` lines, from recorded stderr."""

from __future__ import annotations

from eximunit_bdd.trace.headers import Header, added_headers, parse_header_block
from eximunit_bdd.trace.log import log_lines


def test_log_lines_of_a_recorded_session(recorded):
    lines = log_lines(recorded("session.stderr").splitlines())
    assert lines[0].endswith("rejected RCPT <nobody@coop.test>: Unrouteable address")
    assert "temporarily rejected RCPT <erik@choir.test>" in lines[1]
    assert "<= alice@example.net" in lines[2]
    assert not any(line.startswith(">>>") for line in lines)


def test_continuation_lines_join_their_log_line(recorded):
    (line,) = log_lines(recorded("config-error.stderr").splitlines())
    assert line == 'Exim configuration error in line 38 of /etc/exim4/c.conf: option "foo_bar" unknown'


def test_privilege_noise_is_not_a_log_line():
    assert log_lines(["LOG: exim user lost privilege for using -C option", "LOG: real"]) == ["real"]


def test_added_header_from_a_recorded_data_acl(recorded):
    assert added_headers(recorded("session.stderr").splitlines()) == [
        Header("X-Coop-Checked", "by mx.coop.test for [192.0.2.1]")
    ]


def test_multi_line_add_header_gives_every_header(recorded):
    headers = added_headers(recorded("multiline-header.stderr").splitlines())
    assert [h.name for h in headers] == ["X-Test", "X-Test", "X-Test", "X-Data", "X-Two"]
    assert headers[-1] == Header("X-Two", "2")


def test_verdict_lines_after_a_header_are_not_headers():
    trace = [
        ">>> check add_header = X-A: $x",
        ">>>                  = X-A: 1",
        '>>> warn: condition test succeeded in ACL "a"',
    ]
    assert added_headers(trace) == [Header("X-A", "1")]


def test_header_block_details():
    assert parse_header_block(":at_start:X-First: yes") == [Header("X-First", "yes")]
    assert parse_header_block("just words") == [Header("X-ACL-Warn", "just words")]
    assert parse_header_block("X-Long: a\n\tb") == [Header("X-Long", "a\n\tb")]


def test_a_header_with_nothing_to_expand_is_added_as_written():
    trace = [
        '>>> processing "warn" (minimal.conf 36)',
        ">>> check add_header = X-Spam-Status: Yes",
        '>>> warn: condition test succeeded in ACL "acl_data"',
        '>>> processing "accept" (minimal.conf 38)',
    ]
    assert added_headers(trace) == [Header("X-Spam-Status", "Yes")]
