"""Which statement decided, with the real Exim: accept, deny, defer, a warn that
applied, a decision inside a nested ACL from an .included file, an implicit deny."""

from __future__ import annotations

import pytest

from eximunit_bdd import EximSession, UnexpectedReplyError

from .conftest import CONFIGS

ACL_CONF = CONFIGS / "acl.conf"


def _chain(reply):
    return [(s.acl, s.verb, s.file.rsplit("/", 1)[-1], s.line) for s in reply.decision.decision_chain]


@pytest.fixture
def session(private_tmp):
    with EximSession("192.0.2.1", config=ACL_CONF) as session:
        yield session


def test_accept_defer_deny_and_the_warn_before_them(session):
    session.mail_from("a@ok.test")
    postmaster = session.send_rcpt_to("postmaster@acl.test")
    assert _chain(postmaster) == [("acl_check_rcpt", "accept", "acl.conf", 29)]
    warn = postmaster.decision.statements[0]
    assert (warn.verb, warn.line, warn.outcome) == ("warn", 28, "succeeded")
    assert _chain(session.send_rcpt_to("later@acl.test")) == [("acl_check_rcpt", "defer", "acl.conf", 31)]
    assert _chain(session.send_rcpt_to("x@other.test")) == [("acl_check_rcpt", "deny", "acl.conf", 33)]


def test_a_decision_inside_a_nested_acl_of_an_included_file(session):
    session.mail_from("a@bad.test")
    reply = session.send_rcpt_to("bob@acl.test")
    assert reply.code == 550 and reply.decision.verdict == "not OK"
    assert _chain(reply) == [
        ("acl_check_rcpt", "require", "acl.conf", 30),
        ("acl_sender_ok", "deny", "acl_inner.conf", 3),
    ]
    assert reply.decision.decision_chain[-1].file == str(CONFIGS / "acl_inner.conf")


def test_an_implicit_deny_is_named_in_the_failure(session):
    with pytest.raises(UnexpectedReplyError) as failure:
        session.mail_from("x@stranger.test")
    assert 'Decided by the end of ACL "acl_check_mail": no statement ended it' in str(failure.value)
    assert "implicit DENY" in str(failure.value)
