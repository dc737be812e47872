"""EximSession's dialogue, driven through a ScriptedChannel: no Exim involved."""

from __future__ import annotations

import pytest

from eximunit_bdd import (
    ConnectionClosedError,
    EximCrashedError,
    EximSession,
    EximUnitError,
    InvalidInputError,
    ReplyTimeoutError,
    StepUsageError,
    UnexpectedReplyError,
    UnsolicitedReplyError,
    UnsupportedCommandError,
)
from eximunit_bdd.smtp.bh_channel import BH_REFUSALS
from eximunit_bdd.smtp.channel import Received
from eximunit_bdd.smtp.scripted_channel import HANG_UP, ScriptedChannel

GREETING = "220 mx.test ESMTP Exim 4.96\r\n"
EHLO_REPLY = (
    "250-mx.test Hello client.example [192.0.2.1]\r\n250-SIZE 52428800\r\n250-STARTTLS\r\n250 HELP\r\n"
)


def scripted(
    *replies: str | Received | EximUnitError | None, **options
) -> tuple[EximSession, ScriptedChannel]:
    channel = ScriptedChannel([GREETING, *replies], **options)
    return EximSession.over(channel, "192.0.2.1"), channel


def test_a_refused_greeting_closes_the_session_and_later_commands_fail():
    channel = ScriptedChannel(["554 5.7.1 you are on our blocklist\r\n"])
    session = EximSession.over(channel, "192.0.2.9")
    assert session.greeting.code == 554 and not session.is_open
    session.assert_connection_rejected(554, "blocklist")
    with pytest.raises(ConnectionClosedError, match="already closed the connection after replying 554"):
        session.send("EHLO client.example")
    assert channel.sent == []  # nothing was sent to a server that had hung up


def test_a_421_mid_session_ends_it():
    session, channel = scripted(EHLO_REPLY, "421 mx.test lost input connection\r\n")
    session.send("EHLO client.example")
    assert session.send("MAIL FROM:<a@example.net>").code == 421
    assert session.closed_by_server and not session.is_open
    with pytest.raises(ConnectionClosedError) as caught:
        session.send_rcpt_to("b@test.example")
    assert caught.value.reply is session.last_reply
    assert "S: 421 mx.test lost input connection" in str(caught.value)


def test_multi_line_replies_keep_every_line():
    session, _ = scripted(EHLO_REPLY)
    reply = session.send("EHLO client.example")
    assert reply.code == 250 and reply.lines == ("mx.test Hello client.example [192.0.2.1]", "SIZE 52428800",
                                                 "STARTTLS", "HELP")
    assert session.greeted
    assert [line.text for line in session.transcript if line.speaker == "S"][-1] == "250 HELP"


def test_the_data_state_takes_only_the_message():
    session, channel = scripted(
        EHLO_REPLY,
        "250 OK\r\n",
        "250 Accepted\r\n",
        '354 Enter message, ending with "." on a line by itself\r\n',
        "250 OK id=1abc\r\n",
    )
    session.mail_from("a@example.net").rcpt_to("b@test.example")
    assert session.send("DATA").code == 354 and session.in_data
    with pytest.raises(UnsupportedCommandError, match="waiting for the message text"):
        session.send("RCPT TO:<c@test.example>")
    assert channel.sent[-1] == "DATA\r\n"  # the refused command was not sent
    reply = session.send_message("Subject: hi\n\n.hidden dot\nbody\n")
    assert reply.code == 250 and not session.in_data
    assert channel.sent[-1] == "Subject: hi\r\n\r\n..hidden dot\r\nbody\r\n.\r\n"


def test_a_refused_data_command_leaves_the_data_state_untouched():
    session, _ = scripted(EHLO_REPLY, "250 OK\r\n", "554 no valid recipients\r\n")
    session.mail_from("a@example.net")
    assert session.send_message("Subject: x\n\nbody\n").code == 554  # DATA itself refused
    assert not session.in_data


def test_starttls_in_bh_is_refused_at_once_and_the_session_goes_on():
    session, channel = scripted(EHLO_REPLY, "250 OK\r\n", refusals=BH_REFUSALS)
    session.ehlo()
    with pytest.raises(UnsupportedCommandError, match="STARTTLS cannot be tested in an exim -bh") as caught:
        session.starttls()
    assert isinstance(caught.value, StepUsageError)
    assert 'Then the reply contains "STARTTLS"' in str(caught.value)
    assert channel.sent == ["EHLO client.example\r\n"] and session.is_open
    session.mail_from("a@example.net")  # the conversation goes on


def test_starttls_over_a_channel_with_tls_needs_a_new_greeting():
    session, channel = scripted(EHLO_REPLY, "220 TLS go ahead\r\n")
    session.ehlo()
    assert session.starttls().code == 220
    assert channel.tls and not session.greeted


def test_starttls_sent_as_a_plain_command_switches_to_tls_too():
    session, channel = scripted(EHLO_REPLY, "220 TLS go ahead\r\n")
    session.ehlo()
    session.send("STARTTLS")  # what 'When I send the command "STARTTLS"' does
    assert channel.tls and not session.greeted


def test_a_refused_starttls_leaves_the_conversation_in_clear():
    session, channel = scripted(EHLO_REPLY, "454 TLS currently unavailable\r\n")
    session.ehlo()
    assert session.starttls().code == 454
    assert not channel.tls and session.greeted


def test_a_channel_comes_alone_and_is_closed_when_the_session_is_refused():
    channel = ScriptedChannel([GREETING])
    with pytest.raises(InvalidInputError, match="takes no Exim options"):
        EximSession("192.0.2.1", config="/etc/exim4/exim4.conf", channel=channel)
    assert channel.closed and channel.sent == []
    other = ScriptedChannel([GREETING])
    with pytest.raises(InvalidInputError, match="not an IP address"):
        EximSession.over(other, "not-an-ip")
    assert other.closed


def test_bdat_is_refused_before_anything_is_sent():
    session, channel = scripted(EHLO_REPLY)
    session.ehlo()
    with pytest.raises(UnsupportedCommandError, match="BDAT"):
        session.send("BDAT 5 LAST")
    assert channel.sent == ["EHLO client.example\r\n"]


def test_quit_closes_the_input_before_the_reply_is_read():
    session, channel = scripted("221 mx.test closing connection\r\n")
    session.quit()
    assert channel.input_closed and not session.is_open
    session.close()
    assert channel.closed


def test_a_hang_up_without_failure_is_a_closed_connection_after_the_last_reply():
    session, _ = scripted(EHLO_REPLY, HANG_UP)
    session.ehlo()
    with pytest.raises(ConnectionClosedError, match="closed the connection after replying 250, so MAIL"):
        session.send_mail_from("a@example.net")


def test_a_hang_up_with_the_channels_failure_raises_that_failure():
    session, channel = scripted(HANG_UP, failure=EximCrashedError("Exim exited without answering EHLO"))
    with pytest.raises(EximCrashedError, match="without answering EHLO"):
        session.ehlo()
    assert channel.closed and not session.is_open


def test_a_timeout_closes_the_session():
    session, channel = scripted(ReplyTimeoutError("No complete reply to EHLO within 1 s"))
    with pytest.raises(ReplyTimeoutError):
        session.ehlo()
    assert channel.closed and not session.is_open


def test_trace_lines_come_with_their_reply_and_a_channel_without_them_says_so():
    trace = (">>> check add_header = X-Seen: yes", "LOG: H=(x) [192.0.2.1] rejected RCPT")
    session, _ = scripted(Received("550 no\r\n", trace))
    reply = session.send("RCPT TO:<x@test.example>")
    assert reply.log_lines == ["H=(x) [192.0.2.1] rejected RCPT"]
    untraced, _ = scripted("250 OK\r\n", traced=False)
    with pytest.raises(StepUsageError, match="needs Exim's ACL trace"):
        untraced.require_trace("Then the log contains")
    for name, needed in (("log_lines", "trace"), ("added_headers", "added_headers"), ("trace", "trace")):
        with pytest.raises(StepUsageError, match=f"EximSession.{needed} needs"):
            getattr(untraced, name)


def test_a_wrong_reply_names_the_expectation_and_shows_the_conversation():
    session, _ = scripted(EHLO_REPLY, "250 OK\r\n", "550 relay not permitted\r\n")
    with pytest.raises(UnexpectedReplyError) as caught:
        session.mail_from("a@example.net").rcpt_to("b@other.example")
    message = str(caught.value)
    assert message.startswith("Expected RCPT TO:<b@other.example> to be accepted.")
    assert "C: RCPT TO:<b@other.example>\n  S: 550 relay not permitted" in message


def test_a_second_reply_to_one_command_stops_the_session_showing_both():
    twice = "500 unrecognized command\r\n500 unrecognized command\r\n"
    session, channel = scripted(EHLO_REPLY, "250 OK\r\n", twice)
    session.mail_from("a@example.net")
    with pytest.raises(UnsolicitedReplyError) as caught:
        session.send("RCPT TO:<" + "a" * 17000 + "@test.example>")
    assert [reply.code for reply in caught.value.replies] == [500, 500]
    message = str(caught.value)
    assert "Exim answered RCPT TO:<aaaa" in message and "(17023 characters)" in message
    assert " 2 times:\n  500 unrecognized command\n  500 unrecognized command\n" in message
    assert message.count("S: 500 unrecognized command") == 2  # both, in the transcript too
    assert not session.is_open and channel.closed
    with pytest.raises(ConnectionClosedError, match="the session stopped when Exim answered more"):
        session.send_rcpt_to("b@test.example")


def test_replies_that_came_before_a_command_was_sent_stop_it_too():
    session, channel = scripted(EHLO_REPLY)
    session.ehlo()
    channel._pending = "421 mx.test shutting down\r\n"  # as if the server spoke out of turn
    with pytest.raises(UnsolicitedReplyError, match="Before MAIL FROM:<a@example.net> was sent") as caught:
        session.send_mail_from("a@example.net")
    assert [reply.code for reply in caught.value.replies] == [421]
    assert channel.sent == ["EHLO client.example\r\n"]  # the command was not sent


def test_what_is_no_reply_after_a_reply_is_not_taken_for_one():
    banner = "\n**** SMTP testing: that is not a real message id!\n\n"
    session, _ = scripted(EHLO_REPLY, "250 OK id=1abc\r\n" + banner)
    session.ehlo()
    assert session.send("NOOP").code == 250 and session.is_open


def test_prdr_gives_each_recipient_a_verdict_and_the_final_reply_is_the_answer():
    after_the_dot = (
        "353 PRDR content analysis beginning\r\n250 PRDR R=<anna@test.example> acceptance\r\n"
        "550 refuses does not want this\r\n250 message accepted for some recipients\r\n"
    )
    session, _ = scripted(EHLO_REPLY, "250 OK\r\n", "250 Accepted\r\n", "250 Accepted\r\n",
                          "354 go ahead\r\n", after_the_dot)  # fmt: skip
    session.send_mail_from("a@example.net", prdr=True)
    session.rcpt_to("anna@test.example").rcpt_to("refuses@test.example")
    final = session.send_message("Subject: x\n\nbody\n")
    assert final.text == "message accepted for some recipients" and session.is_open
    assert {address: reply.code for address, reply in session.prdr_verdicts.items()} == {
        "anna@test.example": 250,
        "refuses@test.example": 550,
    }


def test_without_prdr_a_353_and_more_are_replies_nobody_asked_for():
    after_the_dot = "353 PRDR content analysis beginning\r\n250 ok\r\n250 accepted\r\n"
    session, _ = scripted(EHLO_REPLY, "250 OK\r\n", "250 Accepted\r\n", "354 go ahead\r\n", after_the_dot)
    session.mail_from("a@example.net").rcpt_to("anna@test.example")
    with pytest.raises(UnsolicitedReplyError, match="Exim answered the message 3 times"):
        session.send_message("Subject: x\n\nbody\n")
