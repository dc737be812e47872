"""The fake Dovecot auth server, spoken to as Exim speaks to it (Exim itself is in
tests/integration/test_dovecot_auth.py)."""

from __future__ import annotations

import base64
import logging
import socket
import threading
from typing import Iterator

import pytest

from eximunit_bdd import InvalidInputError
from eximunit_bdd.fakes import DovecotAttempt, FakeDovecotAuth

AUTH_PLAIN = "AUTH\t1\tPLAIN\tservice=smtp\trip=192.0.2.1\tlip=192.0.2.25\tnologin\tresp="


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


class Client:
    """An auth client: reads the handshake up to DONE, then sends lines, reads answers."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.file = self.sock.makefile("rb")
        self.handshake: list[str] = []
        while not self.handshake or self.handshake[-1] != "DONE":
            self.handshake.append(self.line())

    def line(self) -> str:
        return self.file.readline().decode().removesuffix("\n")

    def ask(self, *lines: str) -> str:
        """Send the lines (Exim's preamble first when the last is an AUTH) and read one answer."""
        preamble = ("VERSION\t1\t0", "CPID\t4242") if lines[-1].startswith("AUTH") else ()
        self.sock.sendall("".join(line + "\n" for line in (*preamble, *lines)).encode())
        return self.line()

    def close(self) -> None:
        self.file.close()
        self.sock.close()


@pytest.fixture
def dovecot() -> Iterator[FakeDovecotAuth]:
    with FakeDovecotAuth("dovecot", {"anna@coop.test": "s3cret"}) as fake:
        yield fake


@pytest.fixture
def client(dovecot: FakeDovecotAuth) -> Iterator[Client]:
    talker = Client(dovecot.port)
    yield talker
    talker.close()


def test_the_handshake_is_dovecots(dovecot, client):
    version, plain, login, spid, cuid, cookie, done = client.handshake
    assert (version, plain, login, done) == (
        "VERSION\t1\t2",
        "MECH\tPLAIN\tplaintext",
        "MECH\tLOGIN\tplaintext",
        "DONE",
    )
    assert spid.startswith("SPID\t") and cookie.startswith("COOKIE\t") and len(cookie) == 7 + 32
    second = Client(dovecot.port)
    assert (cuid, second.handshake[4]) == ("CUID\t1", "CUID\t2")  # one per connection
    second.close()


def test_plain_with_the_right_password_is_ok_and_recorded(dovecot, client):
    secured = AUTH_PLAIN.replace("service=smtp", "service=smtp\tsecured")
    assert client.ask(secured + b64("\0anna@coop.test\0s3cret")) == "OK\t1\tuser=anna@coop.test"
    assert dovecot.attempts == [
        DovecotAttempt("PLAIN", "anna@coop.test", True, "192.0.2.1", "192.0.2.25", True)
    ]


@pytest.mark.parametrize(
    "response, answer",
    [
        ("\0anna@coop.test\0wrong", "FAIL\t1\tuser=anna@coop.test"),
        ("\0bob@coop.test\0s3cret", "FAIL\t1\tuser=bob@coop.test"),
        ("bob@coop.test\0anna@coop.test\0s3cret", "FAIL\t1\tuser=anna@coop.test"),  # no master users
        ("anna@coop.test\0s3cret", "FAIL\t1\treason=Invalid PLAIN response."),
    ],
)
def test_plain_with_anything_else_fails(dovecot, client, response, answer):
    assert client.ask(AUTH_PLAIN + b64(response)) == answer
    [attempt] = dovecot.attempts
    assert not attempt.succeeded and not attempt.secured and attempt.mechanism == "PLAIN"


def test_plain_without_initial_response_asks_for_it_with_an_empty_challenge(dovecot, client):
    assert client.ask(AUTH_PLAIN) == "CONT\t1\t"
    assert client.ask("CONT\t1\t" + b64("\0anna@coop.test\0s3cret")) == "OK\t1\tuser=anna@coop.test"


def test_login_asks_for_the_user_then_the_password(dovecot, client):
    assert client.ask(AUTH_PLAIN.replace("PLAIN", "LOGIN")) == "CONT\t1\t" + b64("Username:")
    assert client.ask("CONT\t1\t" + b64("anna@coop.test")) == "CONT\t1\t" + b64("Password:")
    assert client.ask("CONT\t1\t" + b64("s3cret")) == "OK\t1\tuser=anna@coop.test"
    # An initial response is the user name.
    assert client.ask(
        AUTH_PLAIN.replace("PLAIN", "LOGIN").replace("\t1\t", "\t2\t") + b64("anna@coop.test")
    ) == ("CONT\t2\t" + b64("Password:"))
    assert client.ask("CONT\t2\t" + b64("wrong")) == "FAIL\t2\tuser=anna@coop.test"
    assert [(a.mechanism, a.user, a.succeeded) for a in dovecot.attempts] == [
        ("LOGIN", "anna@coop.test", True),
        ("LOGIN", "anna@coop.test", False),
    ]


def test_a_mechanism_it_does_not_offer_fails(dovecot, client):
    answer = client.ask(AUTH_PLAIN.replace("PLAIN", "CRAM-MD5"))
    assert answer == "FAIL\t1\treason=Unsupported authentication mechanism."
    assert dovecot.attempts == [DovecotAttempt("CRAM-MD5", "", False, "192.0.2.1", "192.0.2.25", False)]


def test_bad_base64_fails_the_attempt(dovecot, client):
    assert client.ask(AUTH_PLAIN + "!!!") == "FAIL\t1\treason=Invalid base64 data."


def test_users_may_be_added_while_it_runs(dovecot, client):
    dovecot.add_user("bob@coop.test", "pw")
    assert client.ask(AUTH_PLAIN + b64("\0bob@coop.test\0pw")) == "OK\t1\tuser=bob@coop.test"


@pytest.mark.parametrize(
    "garbage",
    [
        b"\xff\x00garbage\n",
        b"CONT\t9\tabc\n",
        b"AUTH\t1\n",
        b"VERSION\t2\t0\n",
        b"x" * 70000 + b"\n",
        b"AUTH\t1",
    ],
)
def test_garbage_ends_the_connection_not_the_fake(dovecot, client, garbage, caplog):
    with caplog.at_level(logging.WARNING, "eximunit_bdd.fakes"):
        try:
            client.sock.sendall(garbage)
            client.sock.shutdown(socket.SHUT_WR)
            assert client.file.read() == b""  # no answer, the end
        except (ConnectionResetError, BrokenPipeError):  # it closed with bytes unread
            pass
    assert "conversation abandoned" in caplog.text
    assert Client(dovecot.port).ask(AUTH_PLAIN + b64("\0anna@coop.test\0s3cret")).startswith("OK\t1")


def test_stopping_leaves_no_thread_and_frees_the_port():
    fake = FakeDovecotAuth("dovecot").start()
    port = fake.port
    Client(port).close()
    fake.stop()
    assert not [thread for thread in threading.enumerate() if "Dovecot" in thread.name]
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)


@pytest.mark.parametrize(
    "user, password, complaint",
    [
        ("", "pw", "user name '' is not usable"),
        ("an\tna", "pw", "without tabs"),
        ("anna\n", "pw", "without tabs, line breaks"),
        (None, "pw", "non-empty name"),
        ("anna", "p\0w", "without NUL"),
        ("anna", 42, "must be text"),
    ],
)
def test_unusable_users_are_refused(user, password, complaint):
    with pytest.raises(InvalidInputError, match=complaint):
        FakeDovecotAuth("dovecot", {user: password})
