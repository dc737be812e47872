"""Reading Exim's -bh trace as ACL runs, and the statements as the configuration has
them (tests/recorded/acl/, recorded by its record.sh against tests/configs/acl.conf)."""

from __future__ import annotations

import pytest

from eximunit_bdd.acl.decision import describe_decision
from eximunit_bdd.acl.source import acl_statements, router_names, statement_text
from eximunit_bdd.trace.acl_runs import parse_acl_runs
from eximunit_bdd.trace.variables import acl_variables

from ..conftest import EXAMPLE_CONFIG, ROOT

ACL_CONF = "tests/configs/acl.conf"
INNER_CONF = "tests/configs/acl_inner.conf"


@pytest.fixture
def runs(recorded, monkeypatch):
    monkeypatch.chdir(ROOT)  # the recording names the files relative to the repository
    return parse_acl_runs(recorded("acl/session.stderr").splitlines())


def _decided(run):
    return [(s.acl, s.verb, s.file.rsplit("/", 1)[-1], s.line, s.message) for s in run.decision_chain]


def test_each_command_s_run_and_its_verdict(runs):
    assert [(run.acl, run.verdict) for run in runs] == [
        ("acl_check_mail", "ACCEPT"),
        ("acl_check_rcpt", "ACCEPT"),
        ("acl_check_rcpt", "not OK"),
        ("acl_check_mail", "ACCEPT"),
        ("acl_check_rcpt", "DEFER"),
        ("acl_check_rcpt", "DENY"),
        ("acl_check_rcpt", "ACCEPT"),
        ("acl_check_mail", "implicit DENY"),
    ]


def test_the_deciding_statement_of_accept_defer_and_deny(runs):
    assert _decided(runs[1]) == [("acl_check_rcpt", "accept", "acl.conf", 29, None)]
    assert _decided(runs[4]) == [("acl_check_rcpt", "defer", "acl.conf", 31, "try later")]
    assert _decided(runs[5]) == [("acl_check_rcpt", "deny", "acl.conf", 33, "relay not permitted")]


def test_a_decision_inside_a_nested_acl_is_followed_inwards(runs):
    assert _decided(runs[2]) == [
        ("acl_check_rcpt", "require", "acl.conf", 30, None),
        ("acl_sender_ok", "deny", "acl_inner.conf", 3, "sender $sender_address refused"),
    ]
    # When the nested ACL accepts, the require passes and a later statement decides.
    assert _decided(runs[6]) == [("acl_check_rcpt", "accept", "acl.conf", 36, None)]
    assert [s.line for s in runs[6].all_statements()] == [28, 29, 30, 3, 5, 31, 33, 36]


def test_the_conditions_tested_are_kept_in_order(runs):
    require = runs[2].statements[2]
    assert require.conditions == ["acl = acl_sender_ok"]
    assert runs[5].decided_by.conditions == ["!domains = +local_domains"]
    assert runs[1].statements[0].conditions == ["add_header = X-Seen: $local_part"]


def test_a_warn_is_applied_but_never_decides(runs):
    warn = runs[1].statements[0]
    assert (warn.verb, warn.line, warn.outcome, warn.decides) == ("warn", 28, "succeeded", False)


def test_running_off_the_end_is_an_implicit_deny_without_a_statement(runs):
    assert runs[7].decided_by is None and runs[7].decision_chain == []
    assert describe_decision(runs[7]) == (
        'Decided by the end of ACL "acl_check_mail": no statement ended it, so Exim answered implicit DENY.'
    )


def test_a_decision_is_described_with_the_statements_text(runs):
    assert describe_decision(runs[2]).splitlines() == [
        f'Decided by the "require" statement of ACL "acl_check_rcpt" ({ACL_CONF}, line 30):',
        "  30 |   require acl = acl_sender_ok",
        f'  which ran an ACL decided by the "deny" statement of ACL "acl_sender_ok" ({INNER_CONF}, line 3):',
        "    3 |   deny    senders = *@bad.test",
        "    4 |           message = sender $sender_address refused",
    ]


def test_an_interrupted_trace_leaves_the_statement_undecided():
    runs = parse_acl_runs(['>>> using ACL "a"', '>>> processing "deny" (x.conf 3)', ">>> check hosts = *"])
    assert runs[0].statements[0].outcome == "" and runs[0].decided_by is None and runs[0].verdict == ""


def test_statement_text_stops_at_the_next_statement_comment_or_blank_line():
    assert statement_text(str(ROOT / ACL_CONF), 31) == [
        (31, "  defer   local_parts = later"),
        (32, "          message = try later"),
    ]
    assert statement_text(str(ROOT / ACL_CONF), 24) == [(24, "  discard senders = *@blackhole.test")]
    assert statement_text("/nonexistent.conf", 3) == []


def test_every_statement_of_a_configuration_and_its_includes():
    found = [(s.file.rsplit("/", 1)[-1], s.line, s.acl, s.verb) for s in acl_statements(ROOT / ACL_CONF)]
    assert found == [
        ("acl_inner.conf", 3, "acl_sender_ok", "deny"),
        ("acl_inner.conf", 5, "acl_sender_ok", "accept"),
        ("acl.conf", 23, "acl_check_mail", "accept"),
        ("acl.conf", 24, "acl_check_mail", "discard"),
        ("acl.conf", 28, "acl_check_rcpt", "warn"),
        ("acl.conf", 29, "acl_check_rcpt", "accept"),
        ("acl.conf", 30, "acl_check_rcpt", "require"),
        ("acl.conf", 31, "acl_check_rcpt", "defer"),
        ("acl.conf", 33, "acl_check_rcpt", "deny"),
        ("acl.conf", 36, "acl_check_rcpt", "accept"),
    ]


def test_the_routers_of_a_configuration():
    assert router_names(EXAMPLE_CONFIG) == ["hubbed", "aliases", "mailboxes", "remote"]


def test_a_statement_keeps_its_log_message_as_written(runs):
    deny = runs[5].decided_by
    assert deny is not None and deny.log_message == "relay to $domain"
    assert runs[4].decided_by is not None and runs[4].decided_by.log_message is None


def test_acl_variables_keep_the_last_value_the_trace_shows(recorded):
    trace = recorded("acl/session.stderr").splitlines()
    assert acl_variables(trace) == {"acl_m_last": "bob"}
    assert acl_variables([">>> check set acl_c_n = 1", ">>> check set acl_c_n = 2"]) == {"acl_c_n": "2"}
    # A nested ACL's trace is one space deeper; the expanded value follows its own line only.
    nested = [">>>  check set acl_m_x = $domain", ">>>                   = a.test", ">>>  = not a value"]
    assert acl_variables(nested) == {"acl_m_x": "a.test"}
