"""Reply parsing against recorded `exim -bh` output, and as properties."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eximunit_bdd.smtp.reply import REPLY_END, Reply, format_reply, parse_reply, split_replies


def test_a_whole_recorded_session_splits_into_its_replies(recorded):
    replies = list(split_replies(recorded("session.stdout")))
    assert [r.code for r in replies] == [220, 250, 250, 250, 550, 451, 354, 250, 221]
    ehlo = replies[1]
    assert ehlo.lines[0] == "mx.coop.test Hello client.example [192.0.2.1]"
    assert ehlo.lines[-1] == "HELP" and "SIZE 20971520" in ehlo.lines
    assert replies[4].text == "5.1.1 <nobody@coop.test>: no such user here"


def test_banner_and_notes_are_not_part_of_any_reply(recorded):
    for reply in split_replies(recorded("session.stdout")):
        assert not any(line.startswith("*") for line in reply.lines)


def test_a_refused_connection_is_one_5xx_reply(recorded):
    (reply,) = split_replies(recorded("refused.stdout"))
    assert reply.rejected and reply.code == 550
    assert reply.closes_connection(greeting=True)


def test_reply_end_waits_for_the_last_line_of_a_multiline_reply():
    assert REPLY_END.search("250-mx Hello\r\n250-SIZE 1\r\n") is None
    assert REPLY_END.search("250-mx Hello\r\n250 HELP") is None  # line not complete yet
    assert REPLY_END.search("250-mx Hello\r\n250 HELP\r\n") is not None
    assert REPLY_END.search("250\r\n") is not None


def test_verdicts_follow_the_first_digit():
    assert Reply(250).accepted and Reply(354).accepted
    assert Reply(451).deferred and Reply(452).verdict == "deferred"
    assert Reply(550).rejected and Reply(554).verdict == "rejected"
    assert Reply(421).closes_connection() and Reply(221).closes_connection()
    assert not Reply(550).closes_connection() and Reply(550).closes_connection(greeting=True)


def test_text_joins_the_lines_with_spaces():
    assert Reply(550, ("no such", "user")).text == "no such user"


def test_chunk_without_reply_is_an_error():
    with pytest.raises(ValueError, match="no SMTP reply"):
        parse_reply("**** SMTP testing session\n")


_text_line = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r\n"), max_size=40
)


@given(st.integers(200, 599), st.lists(_text_line, min_size=1, max_size=6))
def test_formatting_then_parsing_gives_the_reply_back(code, lines):
    wire = format_reply(code, lines).replace("\n", "\r\n") + "\r\n"
    assert parse_reply(wire) == Reply(code, tuple(lines))


@given(st.lists(st.tuples(st.integers(200, 599), st.lists(_text_line, min_size=1, max_size=4)), max_size=6))
def test_a_stream_of_replies_splits_exactly(replies):
    banner = "\n**** SMTP testing session as if from host 192.0.2.1\n**** This is not for real!\n\n"
    wire = banner + "".join(format_reply(c, ls).replace("\n", "\r\n") + "\r\n" for c, ls in replies)
    assert [(r.code, list(r.lines)) for r in split_replies(wire)] == [(c, ls) for c, ls in replies]


@given(_text_line)
def test_reply_end_never_matches_inside_a_continuation_line(text):
    assert not re.fullmatch(REPLY_END, "\n250-" + text + "\r\n")
