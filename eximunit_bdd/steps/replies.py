"""Steps that check replies: the last one, the greeting, or one they send themselves.

The phrases are regular (SUBJECT is VERDICT [with CODE ["TEXT"]]), so they are made
from the tables below, each with its own docstring for the step catalog.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from ..bdd.scenario import ScenarioState
from ..errors import StepUsageError, UnexpectedReplyError
from ..smtp.ehlo import extensions, offers
from ..smtp.expectations import Verdict, matches, smtp_failure
from ..smtp.reply import Reply
from .registry import Context, scenario_state, table_column, then

#: A verdict's example: the step up to the verdict, then a code and a text of the reply
#: that the bundled example configuration (examples/coop) gives there.
_Example = tuple[str, int, str]


class _Subject(NamedTuple):
    pattern: str  # the words before the verdict
    summary: str  # what is checked, in plain words
    accepted: str  # what "accepted" means for this reply
    examples: dict[Verdict, _Example]  # each verdict's example step
    reply: Callable[[ScenarioState, dict[str, Any]], Reply]


_SUBJECTS = {
    "last": _Subject(
        "it is",
        "the last reply",
        "accepted (2xx, or 3xx: 354 after DATA, 334 for an AUTH prompt)",
        {
            "accepted": ("Then it is", 250, "OK"),
            "rejected": ("Then it is", 550, "relay not permitted"),
            "deferred": ("Then it is", 451, "try again later"),
        },
        lambda state, _: state.last_reply,
    ),
    "connection": _Subject(
        "the connection is",
        "the server's greeting (which the connect ACL decides)",
        "accepted (greeted with 220)",
        {
            "accepted": ("Then the connection is", 220, "mx.coop.test ESMTP"),
            "rejected": ("Then the connection is", 550, "is blocked here"),
            "deferred": ("Then the connection is", 451, "down for maintenance"),
        },
        lambda state, _: state.session.greeting,
    ),
    "mail": _Subject(
        "MAIL FROM <{address:EximAddress}> is",
        "the reply to MAIL FROM, sent by this step (with EHLO first if needed)",
        "accepted (2xx)",
        {
            "accepted": ("Then MAIL FROM <alice@example.net> is", 250, "OK"),
            "rejected": ("Then MAIL FROM <bulk@offers.example> is", 550, "blocked by co-op policy"),
            "deferred": ("Then MAIL FROM <alice@example.net> is", 451, "please slow down"),
        },
        lambda state, args: state.session.send_mail_from(args["address"]),
    ),
    "rcpt": _Subject(
        "RCPT TO <{address:EximAddress}> is",
        "the reply to RCPT TO, sent by this step",
        "accepted (2xx)",
        {
            "accepted": ("Then RCPT TO <anna@coop.test> is", 250, "Accepted"),
            "rejected": ("Then RCPT TO <nobody@coop.test> is", 550, "no such user here"),
            "deferred": ("Then RCPT TO <erik@choir.test> is", 451, "is moving to a new server"),
        },
        lambda state, args: state.session.send_rcpt_to(args["address"]),
    ),
}
#: What each verdict means (a subject says what "accepted" means for its reply).
_VERDICTS: dict[Verdict, str] = {
    "accepted": "accepted (2xx)",
    "rejected": "rejected for good (5xx)",
    "deferred": "deferred: try again later (4xx)",
}
_DETAILS = {
    "": "",
    " with {code:EximCode}": " with exactly this code",
    ' with {code:EximCode} "{text:EximText}"': (
        " with exactly this code, and TEXT appears in the reply "
        "(case-insensitive; the lines of a multi-line reply are joined)"
    ),
}
#: The PRDR verdicts' examples: a recipient, then a code and a text of its verdict, from
#: a configuration that enables PRDR (the co-op's does not), such as tests/configs/prdr.conf.
_PRDR_EXAMPLES: dict[Verdict, _Example] = {
    "accepted": ("anna@prdr.test", 250, "acceptance"),
    "rejected": ("refuses@prdr.test", 550, "does not want this"),
    "deferred": ("later@prdr.test", 450, "is busy"),
}


def _detailed(detail: str, code: int, text: str) -> str:
    """The detail of a phrase (` with CODE "TEXT"`) as an example writes it."""
    return detail.replace("{code:EximCode}", str(code)).replace("{text:EximText}", text)


def _register(subject_key: str, verdict: Verdict, detail: str) -> None:
    subject = _SUBJECTS[subject_key]
    meaning = subject.accepted if verdict == "accepted" else _VERDICTS[verdict]
    before, code, text = subject.examples[verdict]
    example = f"{before} {verdict}" + _detailed(detail, code, text)

    def step(context: Context, **args: Any) -> None:
        state = scenario_state(context)
        reply = subject.reply(state, args)
        state.session.expect(reply, verdict, args.get("code"), args.get("text"))

    step.__name__ = (
        f"step_{subject_key}_is_{verdict}"
        + ("_with_code" if "code" in detail else "")
        + ("_and_text" if "text" in detail else "")
    )
    step.__doc__ = f"Check that {subject.summary} is {meaning}{_DETAILS[detail]}.\n\nExample: {example}\n"
    then(f"{subject.pattern} {verdict}{detail}")(step)


for _subject in _SUBJECTS:
    for _verdict in _VERDICTS:
        for _detail in _DETAILS:
            _register(_subject, _verdict, _detail)


def _verdict_for(state: ScenarioState, address: str) -> Reply:
    """The last message's PRDR verdict for `address`."""
    session = state.session
    verdicts = session.prdr_verdicts
    if not verdicts:
        raise StepUsageError(
            "the last message got no verdict for each recipient: send MAIL FROM with PRDR "
            "('When I send MAIL FROM <...> with PRDR'), recipients and a message, to a server "
            "that offers PRDR (prdr_enable = true)."
        )
    for recipient, reply in verdicts.items():
        if recipient.lower() == address.lower():
            return reply
    listed = "\n".join(f"  <{recipient}>: {reply.code} {reply.text}" for recipient, reply in verdicts.items())
    raise session.failure(f"Expected a verdict for <{address}>, but the message's recipients were:\n{listed}")


def _register_prdr(verdict: Verdict, detail: str) -> None:
    meaning = _VERDICTS[verdict]
    recipient, code, text = _PRDR_EXAMPLES[verdict]
    example = f"Then the message is {verdict} for <{recipient}>" + _detailed(detail, code, text)

    def step(context: Context, address: str, **args: Any) -> None:
        state = scenario_state(context)
        state.session.expect(_verdict_for(state, address), verdict, args.get("code"), args.get("text"))

    step.__name__ = (
        f"step_message_is_{verdict}_for"
        + ("_with_code" if "code" in detail else "")
        + ("_and_text" if "text" in detail else "")
    )
    step.__doc__ = (
        f"After a message sent with PRDR, check that the server's verdict for this recipient "
        f"is {meaning}{_DETAILS[detail]}.\n\nExample: {example}\n"
    )
    then(f"the message is {verdict} for <{{address:EximAddress}}>{detail}")(step)


for _verdict in _VERDICTS:
    for _detail in _DETAILS:
        _register_prdr(_verdict, _detail)


@then("the reply is {code:EximCode}")
def step_reply_is(context: Context, code: int) -> None:
    """Check the exact code of the last reply, whatever its kind.

    Example: Then the reply is 354
    """
    state = scenario_state(context)
    state.session.expect(state.last_reply, None, code)


@then('the reply is {code:EximCode} "{text:EximText}"')
def step_reply_is_with_text(context: Context, code: int, text: str) -> None:
    """Check the exact code of the last reply, and that TEXT appears in it
    (case-insensitive).

    Example: Then the reply is 252 "Administrative prohibition"
    """
    state = scenario_state(context)
    state.session.expect(state.last_reply, None, code, text)


@then('the reply contains "{text:EximText}"')
def step_reply_contains(context: Context, text: str) -> None:
    """Check that TEXT appears in the last reply (case-insensitive; the lines of a
    multi-line reply are joined by spaces).

    Example: Then the reply contains "relay not permitted"
    """
    state = scenario_state(context)
    state.session.expect(state.last_reply, None, None, text)


@then("the server has closed the connection")
def step_server_closed(context: Context) -> None:
    """Check that the server hung up after its last reply (a 421, a 221 after QUIT, a
    refused greeting, an ACL's `drop`).

    Example: Then the server has closed the connection
    """
    session = scenario_state(context).session
    if not session.closed_by_server:
        raise session.failure(
            f"Expected the server to have closed the connection, but it is open after its last "
            f"reply, {session.last_reply.code} {session.last_reply.text}."
        )


def _check_offer(context: Context, extension: str, offered: bool) -> None:
    if not extension.strip():
        raise StepUsageError(
            'name the extension the EHLO reply should offer, e.g. "AUTH PLAIN" or "PIPELINING".'
        )
    session = scenario_state(context).session
    ehlo = session.ehlo_reply
    if ehlo is None:
        raise StepUsageError(
            '"the server offers" reads the EHLO reply, and there is none now: send EHLO first '
            "(When I send EHLO client.example; after HELO or STARTTLS, again)."
        )
    if offers(ehlo, extension) != offered:
        listed = (
            ", ".join(" ".join([keyword, *args]) for keyword, args in extensions(ehlo).items()) or "nothing"
        )
        wanted = "to offer" if offered else "not to offer"
        raise session.failure(f'Expected the server {wanted} "{extension}"; its EHLO reply offers: {listed}.')


@then('the server offers "{extension:EximText}"')
def step_server_offers(context: Context, extension: str) -> None:
    """Check that the server's EHLO reply offers this extension; words after its
    keyword must be among its parameters ("AUTH PLAIN": AUTH with PLAIN among its
    mechanisms; case-insensitive).

    Example: Then the server offers "AUTH PLAIN"
    """
    _check_offer(context, extension, True)


@then('the server does not offer "{extension:EximText}"')
def step_server_does_not_offer(context: Context, extension: str) -> None:
    """Check that the server's EHLO reply does not offer this extension (or, for
    "AUTH CRAM-MD5", not that mechanism).

    Example: Then the server does not offer "AUTH CRAM-MD5"
    """
    _check_offer(context, extension, False)


@then("these recipients get these replies:")
def step_recipients_table(context: Context) -> None:
    """Send RCPT TO for every address in the table and compare each reply with the
    expected code (or the word accepted, rejected, deferred); all rows are tried and
    every mismatch is listed.

    Example: Then these recipients get these replies:
               | address          | reply |
               | anna@coop.test   | 250   |
               | nobody@coop.test | 550   |
    """
    state = scenario_state(context)
    rows = table_column(context, "address", "reply")
    wrong = []
    for row in rows:
        verdict, code = _expected(row["reply"])
        reply = state.session.send_rcpt_to(row["address"])
        if not matches(reply, verdict, code, None):
            wrong.append((row["address"], row["reply"], f"{reply.code} {reply.text}"))
    if wrong:
        width = max(len(address) for address, _, _ in wrong + [("address", "", "")])
        lines = [f"  {'address':<{width}}  expected  got"]
        lines += [f"  {address:<{width}}  {expected:<8}  {got}" for address, expected, got in wrong]
        headline = f"{len(wrong)} of {len(rows)} recipients got another reply than expected:\n" + "\n".join(
            lines
        )
        raise smtp_failure(UnexpectedReplyError, headline, None, state.session.transcript)


def _expected(value: str) -> tuple[Verdict | None, int | None]:
    if value.isdigit() and len(value) == 3:
        return None, int(value)
    for verdict in _VERDICTS:
        if value == verdict:
            return verdict, None
    raise StepUsageError(
        f"reply {value!r} in the table: write a code such as 250, 550 or 451, "
        "or one of the words accepted, rejected, deferred."
    )
