"""The fake peers' protocols, spoken to by a plain client (Exim is in the
integration tests), and the port helpers."""

from __future__ import annotations

import smtplib
import socket
import struct
import threading
import time

import pytest

from eximunit_bdd import InvalidInputError
from eximunit_bdd.exim.options import MAX_MACROS, EximOptions
from eximunit_bdd.fakes import (
    DownPeer,
    FakeClamd,
    FakeGreylistd,
    FakeSmtpServer,
    FakeSpamd,
    SpamVerdict,
    port_macro,
)
from eximunit_bdd.fakes.spamd import spamd_reply
from eximunit_bdd.network.ports import bind_free_port, find_free_ports


def converse(port: int, request: bytes, shut: bool = True) -> bytes:
    """Send a request as Exim does (then shut our side), return the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        if shut:
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(4096):
            chunks.append(chunk)
    return b"".join(chunks)


# ---- ports -----------------------------------------------------------------------------


def test_free_ports_are_distinct_and_bindable():
    ports = find_free_ports(20)
    assert len(set(ports)) == 20 and all(1024 <= port < 65536 for port in ports)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", ports[0]))


def test_peer_sockets_say_tcp_so_that_asyncio_turns_nagle_off():
    # With Nagle, each multi-line SMTP reply of the fake hub stalled a callout 40 ms.
    with bind_free_port() as sock:
        assert sock.proto == socket.IPPROTO_TCP


@pytest.mark.parametrize("bad", [-1, "2", 1.5, True])
def test_free_ports_refuse_a_bad_count(bad):
    with pytest.raises(InvalidInputError, match="count of 0 or more"):
        find_free_ports(bad)


def test_a_peer_keeps_its_port_while_running():
    with DownPeer("hub") as peer, socket.socket() as other:
        with pytest.raises(OSError):
            other.bind(("127.0.0.1", peer.port))


# ---- names and macros ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, macro", [("hub", "HUB_PORT"), ("spam-d", "SPAM_D_PORT"), ("Clam2", "CLAM2_PORT")]
)
def test_peer_names_become_port_macros(name, macro):
    assert port_macro(name) == macro


@pytest.mark.parametrize("name", ["", "the hub", "2hub", "hub!", "hüb"])
def test_peer_names_that_cannot_be_macros_are_refused(name):
    with pytest.raises(InvalidInputError, match="not usable"):
        port_macro(name)


def test_a_peer_gives_exim_its_port_as_one_macro():
    with DownPeer("hub") as peer:
        assert peer.macros() == {"HUB_PORT": str(peer.port)}
    assert not peer.running


def test_too_many_macros_are_refused_before_exim_runs():
    options = EximOptions(macros={f"M{i}": "x" for i in range(MAX_MACROS - 2)})
    assert len(options.macro_args({"A": "1", "B": "2"})) == MAX_MACROS
    with pytest.raises(InvalidInputError, match="at most 10 -D macros and this session has 11"):
        options.macro_args({"A": "1", "B": "2", "C": "3"})


# ---- a peer that is down ---------------------------------------------------------------


def test_a_down_peer_refuses_connections_at_once():
    with DownPeer("hub", "SMTP server") as peer:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", peer.port), timeout=2)
        assert "(down)" in repr(peer) and "SMTP server" in repr(peer)


# ---- SMTP ------------------------------------------------------------------------------


def test_the_fake_smtp_server_accepts_only_its_recipients_and_records_them():
    with FakeSmtpServer("hub", recipients=["Bob@shop.test"]) as hub:
        with smtplib.SMTP("127.0.0.1", hub.port, timeout=5) as client:
            assert client.ehlo()[0] == 250
            assert client.mail("<>")[0] == 250
            assert client.rcpt("bob@shop.test")[0] == 250
            code, text = client.rcpt("nobody@shop.test")
            assert (code, text) == (550, b"5.1.1 no such user")
        [seen] = hub.envelopes
        assert (seen.mail_from, seen.accepted, seen.refused) == (
            "<>",
            ["bob@shop.test"],
            ["nobody@shop.test"],
        )
        assert hub.asked_about("NOBODY@shop.test") and not hub.asked_about("carol@shop.test")


def test_the_fake_smtp_server_records_a_message_without_delivering_it():
    with FakeSmtpServer("hub") as hub:
        with smtplib.SMTP("127.0.0.1", hub.port, timeout=5) as client:
            client.sendmail("a@example.net", ["anyone@shop.test"], b"Subject: hi\r\n\r\nbody\r\n")
        assert b"Subject: hi" in (hub.envelopes[0].message or b"")


# ---- spamd -----------------------------------------------------------------------------


def test_spamd_reply_is_in_the_form_exim_parses():
    reply = spamd_reply(SpamVerdict(15.0, 5.0, ["'pills' scores 15"])).decode()
    assert reply.startswith("SPAMD/1.1 0 EX_OK\r\nSpam: True ; 15.0 / 5.0\r\n\r\n")
    assert spamd_reply(SpamVerdict(0.0, 5.0, [])).startswith(
        b"SPAMD/1.1 0 EX_OK\r\nSpam: False ; 0.0 / 5.0\r\n"
    )


def test_the_fake_spamd_adds_the_scores_of_the_rules_a_message_matches():
    with FakeSpamd("spamd", [("pills", 3.0)]) as spamd:
        spamd.add_rule("LOTTERY", 2.5)
        message = b"Subject: Lottery pills\r\n\r\nwin\r\n"
        head = b"REPORT SPAMC/1.2\r\nUser: nobody\r\nContent-length: %d\r\n\r\n" % len(message)
        answer = converse(spamd.port, head + message)
        assert answer.startswith(b"SPAMD/1.1 0 EX_OK\r\nSpam: True ; 5.5 / 5.0\r\n\r\n")
        assert b"Spam: False ; 0.0 / 5.0" in converse(spamd.port, head + b"Subject: minutes\r\n\r\n")
        assert spamd.scanned[0] == message


def test_the_fake_spamd_answers_nothing_to_garbage():
    with FakeSpamd("spamd") as spamd:
        assert converse(spamd.port, b"HELLO\r\n\r\n") == b""


# ---- clamd -----------------------------------------------------------------------------


def instream(*chunks: bytes) -> bytes:
    return b"zINSTREAM\0" + b"".join(struct.pack("!I", len(c)) + c for c in chunks) + struct.pack("!I", 0)


def test_the_fake_clamd_finds_the_virus_across_chunks():
    with FakeClamd("clamd", [("EICAR-TEST", "Eicar-Test-Signature")]) as clamd:
        assert converse(clamd.port, instream(b"Subject: x\r\n\r\nEICAR", b"-test\r\n"), shut=False) == (
            b"stream: Eicar-Test-Signature FOUND\0"
        )
        assert converse(clamd.port, instream(b"clean"), shut=False) == b"stream: OK\0"
        assert converse(clamd.port, b"nPING\n", shut=False) == b"PONG\n"
        assert clamd.scanned == [b"Subject: x\r\n\r\nEICAR-test\r\n", b"clean"]


# ---- greylistd -------------------------------------------------------------------------


def test_the_fake_greylistd_defers_the_first_attempt_only():
    with FakeGreylistd("greylistd") as grey:
        ask = b"--grey 192.0.2.1 a@example.net dora@bookshop.test"
        assert converse(grey.port, ask) == b"true"
        assert converse(grey.port, ask) == b"false"
        assert converse(grey.port, b"--grey 192.0.2.1 b@example.net dora@bookshop.test") == b"true"
        assert grey.ask("check 192.0.2.9 x@y z@w") == "grey" and grey.ask("check 192.0.2.9 x@y z@w") == "grey"
        assert grey.seen[:2] == ["192.0.2.1 a@example.net dora@bookshop.test"] * 2


# ---- lifetime --------------------------------------------------------------------------


@pytest.mark.parametrize("make", [FakeSmtpServer, FakeSpamd, FakeClamd, FakeGreylistd])
def test_stopping_a_peer_ends_its_thread_and_frees_its_port(make):
    before = set(threading.enumerate())
    peer = make("peer").start()
    port = peer.port
    peer.stop()
    peer.stop()  # twice is harmless
    assert set(threading.enumerate()) <= before
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)


@pytest.mark.parametrize("wait", [0, 0.05])  # before and after the server took it up
def test_stopping_a_peer_cuts_a_conversation_in_progress(wait):
    for _ in range(20):
        with (
            FakeSpamd("spamd") as spamd,
            socket.create_connection(("127.0.0.1", spamd.port), timeout=5) as client,
        ):
            client.sendall(b"REPORT SPAMC/1.2\r\n")  # and never the rest
            time.sleep(wait)
            spamd.stop()
            try:
                assert client.recv(100) == b""  # closed by the fake ...
            except ConnectionResetError:  # ... or refused from the backlog
                pass
