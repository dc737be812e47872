"""What the client sends for AUTH, and what the server's EHLO reply offers (the reply
as recorded from Exim 4.96 in tests/recorded/acl/session.stdout)."""

from __future__ import annotations

import base64

import pytest

from eximunit_bdd.errors import InvalidInputError
from eximunit_bdd.smtp.auth import auth_lines
from eximunit_bdd.smtp.ehlo import extensions, last_ehlo_reply, offers
from eximunit_bdd.smtp.reply import Reply, split_replies


@pytest.fixture
def ehlo(recorded) -> Reply:
    replies = list(split_replies(recorded("acl/session.stdout")))
    return Reply(replies[1].code, replies[1].lines, "EHLO client.example")


def test_plain_sends_the_credentials_in_the_command_and_shows_them_decoded():
    [(sent, shown)] = auth_lines("PLAIN", "anna@coop.test", 'or"chard')
    assert base64.b64decode(sent.split()[2]) == b'\0anna@coop.test\0or"chard'
    assert shown == f'{sent} (user "anna@coop.test", password "or\\"chard")'


def test_login_answers_two_prompts_each_shown_decoded():
    lines = auth_lines("LOGIN", "bea@bakery.test", "sourdough")
    assert [sent for sent, _ in lines] == ["AUTH LOGIN", "YmVhQGJha2VyeS50ZXN0", "c291cmRvdWdo"]
    assert lines[2][1] == 'c291cmRvdWdo (AUTH LOGIN password "sourdough" for "bea@bakery.test")'


def test_a_credential_auth_cannot_carry_is_refused():
    with pytest.raises(InvalidInputError, match="contains NUL"):
        auth_lines("PLAIN", "anna\0", "x")


def test_extensions_of_a_recorded_ehlo_reply(ehlo):
    offered = extensions(ehlo)
    assert offered["SIZE"] == ["52428800"] and "PIPELINING" in offered and "HELP" in offered
    assert offers(ehlo, "pipelining") and offers(ehlo, "SIZE 52428800")
    assert not offers(ehlo, "AUTH") and not offers(ehlo, "SIZE 1")


def test_only_the_ehlo_reply_that_holds_now_counts(ehlo: Reply) -> None:
    helo = Reply(250, ("mx Hello",), "HELO x")
    tls = Reply(220, ("go ahead",), "STARTTLS")
    assert last_ehlo_reply([ehlo]) is ehlo
    assert last_ehlo_reply([ehlo, helo]) is None and last_ehlo_reply([ehlo, tls]) is None
    assert last_ehlo_reply([Reply(550, ("no",), "EHLO x")]) is None
