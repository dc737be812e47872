"""Exim's `driver = dovecot` authenticators asking the fake Dovecot auth server:
PLAIN and LOGIN, right and wrong passwords, and Dovecot down."""

from __future__ import annotations

import base64
from typing import Iterator

import pytest

from eximunit_bdd import EximSession
from eximunit_bdd.fakes import DovecotAttempt, DownPeer, FakeDovecotAuth, FakePeer

from .conftest import CONFIGS

CONFIG = CONFIGS / "dovecot_auth.conf"
ANNA = "anna@auth.test"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture
def dovecot() -> Iterator[FakeDovecotAuth]:
    with FakeDovecotAuth("dovecot", {ANNA: "s3cret"}) as fake:
        yield fake


@pytest.fixture
def greeted(session_factory):
    """A session of the Dovecot configuration with `peer` as Dovecot, after EHLO."""

    def start(peer: FakePeer, client_ip: str = "192.0.2.1", **kwargs: str) -> EximSession:
        session: EximSession = session_factory(client_ip, config=CONFIG, macros=peer.macros(), **kwargs)
        assert "AUTH PLAIN LOGIN" in session.send("EHLO client.example").lines
        return session

    return start


def assert_reply(session: EximSession, command: str, code: int, text: str) -> None:
    reply = session.send(command)
    assert (reply.code, reply.text) == (code, text), reply


def test_auth_plain_with_the_right_password_lets_the_client_relay(dovecot, greeted):
    session = greeted(dovecot, server_ip="192.0.2.25")
    assert_reply(session, "AUTH PLAIN " + b64(f"\0{ANNA}\0s3cret"), 235, "Authentication succeeded")
    session.mail_from("a@example.net").assert_rcpt_to_accepted(
        "x@elsewhere.test", 250, f"relaying for {ANNA}"
    )
    assert dovecot.attempts == [DovecotAttempt("PLAIN", ANNA, True, "192.0.2.1", "192.0.2.25", False)]


def test_exim_says_secured_when_the_client_is_its_own_address_and_lip_null_without_one(dovecot, greeted):
    greeted(dovecot, "127.0.0.1", server_ip="127.0.0.1").send("AUTH PLAIN " + b64(f"\0{ANNA}\0s3cret"))
    greeted(dovecot).send("AUTH PLAIN " + b64(f"\0{ANNA}\0s3cret"))  # -bh without -oMi
    assert [(a.client_ip, a.server_ip, a.secured) for a in dovecot.attempts] == [
        ("127.0.0.1", "127.0.0.1", True),
        ("192.0.2.1", "NULL", False),
    ]


def test_auth_plain_with_a_wrong_password_is_refused_and_relaying_too(dovecot, greeted):
    session = greeted(dovecot)
    assert_reply(session, "AUTH PLAIN " + b64(f"\0{ANNA}\0wrong"), 535, "Incorrect authentication data")
    session.mail_from("a@example.net").assert_rcpt_to_rejected("x@elsewhere.test", 550, "relay not permitted")
    assert dovecot.attempts == [DovecotAttempt("PLAIN", ANNA, False, "192.0.2.1", "NULL", False)]


def test_auth_plain_without_initial_response_gets_an_empty_challenge(dovecot, greeted):
    session = greeted(dovecot)
    assert_reply(session, "AUTH PLAIN", 334, "")
    assert_reply(session, b64(f"\0{ANNA}\0s3cret"), 235, "Authentication succeeded")


@pytest.mark.parametrize(
    "password, code, text",
    [("s3cret", 235, "Authentication succeeded"), ("wrong", 535, "Incorrect authentication data")],
)
def test_auth_login_asks_for_user_and_password(dovecot, greeted, password, code, text):
    session = greeted(dovecot)
    assert_reply(session, "AUTH LOGIN", 334, b64("Username:"))
    assert_reply(session, b64(ANNA), 334, b64("Password:"))
    assert_reply(session, b64(password), code, text)
    assert [(a.mechanism, a.user, a.succeeded) for a in dovecot.attempts] == [("LOGIN", ANNA, code == 235)]


def test_a_client_cancelling_login_is_not_an_attempt(dovecot, greeted):
    session = greeted(dovecot)
    assert_reply(session, "AUTH LOGIN", 334, b64("Username:"))
    assert_reply(session, "*", 501, "Authentication cancelled")
    assert dovecot.attempts == []


def test_dovecot_down_defers_auth(greeted):
    with DownPeer("dovecot", FakeDovecotAuth.kind) as down:
        session = greeted(down)
        reply = session.send("AUTH PLAIN " + b64(f"\0{ANNA}\0s3cret"))
        assert (reply.code, reply.text) == (435, "Unable to authenticate at present"), reply
        assert any(
            "failed to connect to any address for 127.0.0.1: Connection refused" in line
            for line in reply.log_lines
        ), reply.log_lines
        session.mail_from("a@example.net").assert_rcpt_to_rejected("x@elsewhere.test", 550)
