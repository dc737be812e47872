"""Expectations on replies, and the failure messages people read."""

from __future__ import annotations

import pytest

from eximunit_bdd.errors import SmtpAssertionError, UnexpectedReplyError
from eximunit_bdd.smtp.expectations import describe_expectation, expect_reply
from eximunit_bdd.smtp.reply import Reply
from eximunit_bdd.smtp.transcript import Transcript


def _transcript() -> Transcript:
    transcript = Transcript()
    transcript.server(Reply(220, ("mx ESMTP",)))
    transcript.client("RCPT TO:<anna@coop.test>")
    transcript.server(Reply(250, ("Accepted",), "RCPT TO:<anna@coop.test>"))
    return transcript


def test_matching_reply_is_returned():
    reply = Reply(550, ("relay not permitted",), "RCPT TO:<x@y>")
    assert expect_reply(reply, Transcript(), "rejected", 550, "RELAY") is reply


@pytest.mark.parametrize(
    "verdict, code, text",
    [("rejected", None, None), (None, 550, None), ("accepted", 251, None), ("accepted", None, "nope")],
)
def test_a_wrong_reply_fails_with_expected_actual_and_transcript(verdict, code, text):
    reply = Reply(250, ("Accepted",), "RCPT TO:<anna@coop.test>")
    with pytest.raises(UnexpectedReplyError) as caught:
        expect_reply(reply, _transcript(), verdict, code, text)
    message = str(caught.value)
    assert message.startswith("Expected RCPT TO:<anna@coop.test> to be ")
    assert "The server replied:\n  250 Accepted" in message
    assert "  C: RCPT TO:<anna@coop.test>\n  S: 250 Accepted" in message
    assert isinstance(caught.value, AssertionError) and isinstance(caught.value, SmtpAssertionError)
    assert caught.value.reply is reply


def test_descriptions_read_as_english():
    assert describe_expectation("rejected", 550, "no such user") == 'rejected with 550 "no such user"'
    assert describe_expectation(None, 354, None) == "answered 354"
    assert describe_expectation(None, None, "relay") == 'answered containing "relay"'


def test_greeting_and_message_are_named_in_words():
    with pytest.raises(UnexpectedReplyError, match="^Expected the connection to be rejected"):
        expect_reply(Reply(220), Transcript(), "rejected")
    with pytest.raises(UnexpectedReplyError, match="^Expected the message to be accepted"):
        expect_reply(Reply(550, (), "."), Transcript(), "accepted")
