"""EximSession against the real Exim."""

from __future__ import annotations

import pytest

from eximunit_bdd import (
    ConnectionClosedError,
    EximOptions,
    EximSession,
    Header,
    InvalidInputError,
    ScenarioState,
    UnexpectedReplyError,
    UnsolicitedReplyError,
    UnsupportedCommandError,
)
from eximunit_bdd.bdd.settings import options_from_userdata, server_from_userdata
from eximunit_bdd.smtp.bh_channel import BhChannel

from ..conftest import EXAMPLE_CONFIG
from .conftest import CONFIGS, MINIMAL


def test_greeting_fluent_dialogue_and_message(session_factory):
    session = session_factory()
    assert session.greeting.code == 220 and "mx.test" in session.greeting.text
    session.mail_from("a@example.net").rcpt_to("b@test.example").random_data().quit()
    assert [r.code for r in session.replies] == [220, 250, 250, 250, 354, 250, 221]
    assert session.transcript.lines[1].text == "EHLO client.example"  # greeted for us
    assert not session.is_open


def test_multi_line_reply_is_read_whole(session_factory):
    reply = session_factory().send("EHLO me.example")
    assert reply.code == 250 and reply.lines[-1] == "HELP" and len(reply.lines) > 3


def test_headers_and_log_lines_come_from_stderr(session_factory):
    session = session_factory()
    session.mail_from("a@example.net").rcpt_to("b@test.example")
    session.assert_rcpt_to_rejected("x@elsewhere.example", 550, "relay not permitted")
    session.data("Subject: hi\n\nbody\n")
    assert session.added_headers == [
        Header("X-Rcpt", "b"),
        Header("X-Rcpt", "x"),
        Header("X-One", "1"),
        Header("X-Two", "2"),
    ]
    assert any(
        "rejected RCPT <x@elsewhere.example>: relay not permitted" in line for line in session.log_lines
    )
    assert any(line.startswith(">>> using ACL") for line in session.trace)


def test_assertion_helpers_fail_with_the_reply_and_transcript(session_factory):
    session = session_factory().mail_from("a@example.net")
    with pytest.raises(UnexpectedReplyError) as caught:
        session.assert_rcpt_to_rejected("b@test.example", 550)
    assert caught.value.reply is not None and caught.value.reply.code == 250
    assert "C: RCPT TO:<b@test.example>" in caught.value.transcript
    assert isinstance(caught.value, AssertionError)
    with pytest.raises(UnexpectedReplyError, match="to be accepted"):
        session.rcpt_to("x@elsewhere.example")


def test_message_with_leading_dots_and_the_dot_reply(session_factory):
    session = session_factory().mail_from("a@example.net").rcpt_to("b@test.example")
    reply = session.send_message(".starts with a dot\r\n..two\n")
    assert reply.code == 250 and reply.command == "."
    assert "C: ..starts with a dot" in session.transcript.render()


def test_data_refused_returns_datas_own_reply(session_factory):
    reply = session_factory().send_message("Subject: x\n\nno recipients\n")
    assert reply.code == 503 and reply.command == "DATA"


def test_after_quit_further_commands_are_assertion_failures(session_factory):
    session = session_factory()
    session.quit()
    with pytest.raises(ConnectionClosedError, match="already closed the connection after replying 221"):
        session.send("NOOP")


def test_connect_acl_rejection_closes_the_session(private_tmp):
    with EximSession("203.0.113.66", config=EXAMPLE_CONFIG) as session:
        session.assert_connection_rejected(550, "is blocked here")
        with pytest.raises(ConnectionClosedError) as caught:
            session.mail_from("a@example.net")
        assert caught.value.reply is not None and caught.value.reply.code == 550
        assert "Cannot send EHLO client.example" in str(caught.value)


def test_acl_drop_is_a_closed_connection_not_a_crash(session_factory):
    session = session_factory().mail_from("a@example.net")
    session.assert_rcpt_to_rejected("drop-me@test.example", 550, "dropping you")
    with pytest.raises(ConnectionClosedError, match="closed the connection after replying 550"):
        session.send("NOOP")


@pytest.mark.parametrize("bad", ["a@b\r\nRSET", "a@b\nx", "a\0@b"])
def test_cr_lf_nul_are_refused_before_anything_is_sent(session_factory, bad):
    session = session_factory()
    before = list(session.transcript)
    with pytest.raises(ValueError):
        session.send_mail_from(bad)
    with pytest.raises(InvalidInputError):
        session.send(f"NOOP {bad}")
    assert list(session.transcript) == before
    assert session.send("NOOP").code == 250  # and the session goes on


@pytest.mark.parametrize("bad", ["999.1.1.1", "mail.example.net", ""])
def test_an_invalid_client_ip_is_refused_before_exim_runs(private_tmp, bad):
    with pytest.raises(InvalidInputError, match="not an IP address"):
        EximSession(bad, config=EXAMPLE_CONFIG)


def test_server_address_port_and_client_port_reach_exim(private_tmp):
    with EximSession("192.0.2.1", config=EXAMPLE_CONFIG, server_ip="198.51.100.25", server_port=587) as s:
        assert _bh(s).argv[-2:] == ["-oMi", "198.51.100.25.587"]
        s.assert_mail_from_rejected("anna@coop.test", 530, "STARTTLS")  # the submission port's rule
    with EximSession("2001:db8::1", client_port=4567, config=EXAMPLE_CONFIG, callouts=False) as s:
        assert _bh(s).argv[-2:] == ["-bh", "2001:db8::1.4567"]
        assert "[2001:0db8:0000:0000:0000:0000:0000:0001]" in s.send("EHLO me.example").text


def test_macros_reach_the_configuration(private_tmp):
    with EximSession("192.0.2.1", config=EXAMPLE_CONFIG, macros={"MAINTENANCE": None}) as session:
        assert session.greeting.code == 451
    with EximSession("192.0.2.1", config=EXAMPLE_CONFIG, macros={"RECIPIENTS_MAX": "1"}) as session:
        session.mail_from("a@example.net").rcpt_to("anna@coop.test")
        session.assert_rcpt_to_deferred("bea@bakery.test", 452)


def test_every_session_has_a_fresh_spool(private_tmp):
    spools = []
    for _ in range(2):
        with EximSession("192.0.2.1", config=EXAMPLE_CONFIG) as session:
            spools.append(_bh(session).sandbox.spool)
            for _ in range(3):
                session.mail_from("a@example.net").send("RSET")
            session.assert_mail_from_deferred("a@example.net", 451)  # the rate limit, per spool
    assert spools[0] != spools[1]


def test_relative_includes_and_config_dir_resolve_beside_the_configuration(private_tmp, tmp_path):
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "acl.conf").write_text(
        "acl_rcpt:\n  deny message = from an included file in $config_dir\n"
    )
    main = (
        MINIMAL.read_text()
        .replace("begin acl\n", "begin acl\n.include conf.d/acl.conf\n")
        .replace("acl_rcpt:\n", "acl_unused:\n", 1)
    )
    (tmp_path / "main.conf").write_text(main)
    for path in (tmp_path / "main.conf", tmp_path / "conf.d" / "acl.conf"):
        path.chmod(0o644)
    with EximSession("192.0.2.1", config=tmp_path / "main.conf") as session:
        session.mail_from("a@example.net")
        session.assert_rcpt_to_rejected("b@test.example", 550, f"from an included file in {tmp_path}")


def test_without_a_configuration_the_system_one_is_used_as_it_is(private_tmp):
    with EximSession("127.0.0.1") as session:
        assert "-C" not in _bh(session).argv and not any(arg.startswith("-D") for arg in _bh(session).argv)
        assert session.greeting.code == 220
        assert session.send("EHLO client.example").code == 250


def _bh(session: EximSession) -> BhChannel:
    """The session's `exim -bh` channel, to look at the command line and sandbox."""
    assert isinstance(session.channel, BhChannel)
    return session.channel


def test_bh_refuses_starttls_bdat_and_commands_in_the_data_state_before_sending(session_factory):
    # timeout=60: a refusal that waited for Exim would take a minute, not return at once
    session = session_factory(timeout=60)
    session.ehlo()
    assert "STARTTLS" in session.last_reply.text  # offered, yet not testable in -bh
    for command in ("STARTTLS", "BDAT 5 LAST"):
        with pytest.raises(UnsupportedCommandError):
            session.send(command)
    session.mail_from("a@example.net").rcpt_to("b@test.example")
    assert session.send("DATA").code == 354
    with pytest.raises(UnsupportedCommandError, match="waiting for the message text"):
        session.send("QUIT")
    assert session.send_message("Subject: still fine\n\nbody\n").code == 250
    sent = [line.text for line in session.transcript if line.speaker == "C"]
    assert "STARTTLS" not in sent and "BDAT 5 LAST" not in sent and "QUIT" not in sent


def _rcpt_line(length: int) -> str:
    """`RCPT TO:<aaa...@test.example>` of exactly `length` characters."""
    padding = length - len("RCPT TO:<@test.example>")
    return f"RCPT TO:<{'a' * padding}@test.example>"


def test_a_line_exim_answers_twice_stops_the_session_instead_of_shifting_every_reply(session_factory):
    in_step = session_factory().mail_from("a@example.net")
    reply = in_step.send(_rcpt_line(16383))  # one reply (Exim cannot quote the address back)
    assert (reply.code, reply.text) == (421, "Unexpected error") and in_step.replies[-1] is reply
    session = session_factory().mail_from("a@example.net")
    with pytest.raises(UnsolicitedReplyError) as caught:
        session.send(_rcpt_line(16384))  # sent as written: admins test their limits
    assert [reply.code for reply in caught.value.replies] == [500, 500]
    assert not session.is_open
    with pytest.raises(ConnectionClosedError):
        session.send_rcpt_to("c@test.example")  # never judged by the 500 left over


def test_a_literal_header_is_seen_like_an_expanded_one(session_factory):
    session = session_factory(macros={"LITERAL_HEADER": None})
    session.mail_from("a@example.net").rcpt_to("b@test.example").random_data()
    assert Header("X-Spam-Status", "Yes") in session.added_headers
    assert Header("X-One", "1") in session.added_headers  # the expanded ones still


def test_a_reply_in_latin1_matches_its_text(session_factory):
    session = session_factory(config=CONFIGS / "latin1.conf").mail_from("a@example.net")
    session.assert_rcpt_to_rejected("b@other.test", 550, "Accès refusé")
    assert session.last_reply.text == "Accès refusé: relais interdit"
    assert any("Accès refusé" in line for line in session.log_lines)
    with pytest.raises(UnexpectedReplyError, match="550 Accès refusé"):
        session.assert_rcpt_to_accepted("c@other.test")


def test_a_latin1_configuration_is_quoted_as_written(session_factory):
    session = session_factory(config=CONFIGS / "latin1.conf").mail_from("a@example.net")
    with pytest.raises(UnexpectedReplyError) as failure:
        session.assert_rcpt_to_accepted("b@other.test")
    assert "21 |           message = Accès refusé: relais interdit" in str(failure.value)


def test_connections_arrive_at_the_userdata_server_unless_a_step_says_otherwise(private_tmp):
    state = ScenarioState(EximOptions(config=CONFIGS / "who.conf"), server=("198.51.100.25", 25))
    try:
        state.connect("192.0.2.1", server_port="587")
        state.session.mail_from("a@example.net").rcpt_to("b@who.test")
        assert Header("X-Server", "[198.51.100.25]:587") in state.session.added_headers
        state.connect("192.0.2.1")
        state.session.mail_from("a@example.net").rcpt_to("b@who.test")
        assert Header("X-Server", "[198.51.100.25]:25") in state.session.added_headers
    finally:
        state.close_all()


def test_userdata_names_the_server_and_suite_wide_macros(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert server_from_userdata({"server_ip": "2001:db8::25", "server_port": "465"}) == ("2001:db8::25", 465)
    assert server_from_userdata({}) == (None, None)
    options = options_from_userdata({"macros": "HUB_PORT=2525 CONFDIR=./etc MAINTENANCE"})
    assert dict(options.macros) == {"HUB_PORT": "2525", "CONFDIR": str(tmp_path / "etc"), "MAINTENANCE": None}
    with pytest.raises(InvalidInputError, match="is not valid: Exim macro names"):
        options_from_userdata({"macros": "hub_port=1"})
