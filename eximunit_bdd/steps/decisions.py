"""Steps that check what Exim decided besides the reply (added headers, log lines) and
which statement of the configuration decided it (from the `-bh` ACL trace)."""

from __future__ import annotations

from typing import Callable

from ..acl.decision import describe_decision
from ..acl.source import acl_statements, quoted
from ..errors import StepUsageError
from ..smtp.expectations import what
from ..smtp.session import EximSession
from ..text import appears_in
from ..trace.acl_runs import AclRun, AclStatement
from ..trace.headers import Header
from ..trace.variables import acl_variables
from .registry import Context, scenario_state, then


def _traced_session(context: Context, step: str) -> EximSession:
    """The scenario's session, which must carry Exim's ACL trace for `step`."""
    session = scenario_state(context).session
    session.require_trace(f"'{step}'")
    return session


def _headers_named(context: Context, step: str, name: str) -> tuple[EximSession, list[Header]]:
    """The session, and the headers its ACLs added under `name` (any case)."""
    session = _traced_session(context, step)
    return session, [header for header in session.added_headers if header.name.lower() == name.lower()]


def _check_header(context: Context, name: str, text: str | None) -> None:
    session, named = _headers_named(context, "Then the header ... is added", name)
    if any(text is None or appears_in(text, header.value) for header in named):
        return
    wanted = f'"{name}"' + (f' containing "{text}"' if text is not None else "")
    added = "\n".join(f"  {header}" for header in session.added_headers) or "  (none)"
    raise session.failure(f"Expected the ACLs to add the header {wanted}. Headers they added:\n{added}")


@then('the header "{name:EximText}" is added')
def step_header_added(context: Context, name: str) -> None:
    """Check that an ACL of this session added the header (`add_header`), whatever
    its value.

    Example: Then the header "X-Coop-Checked" is added
    """
    _check_header(context, name, None)


@then('the header "{name:EximText}" is added with "{text:EximText}"')
def step_header_added_with(context: Context, name: str, text: str) -> None:
    """Check that an ACL added the header and that TEXT appears in its expanded
    value (case-insensitive).

    Example: Then the header "X-Coop-Checked" is added with "192.0.2.1"
    """
    _check_header(context, name, text)


@then('the header "{name:EximText}" is not added')
def step_header_not_added(context: Context, name: str) -> None:
    """Check that no ACL of this session added the header (`add_header`), with any
    value: a message that is not tagged.

    Example: Then the header "X-SPF" is not added
    """
    session, added = _headers_named(context, "Then the header ... is not added", name)
    if added:
        shown = "\n".join(f"  {header}" for header in added)
        raise session.failure(f'Expected the ACLs not to add the header "{name}", but they added:\n{shown}')


@then('the log contains "{text:EximText}"')
def step_log_contains(context: Context, text: str) -> None:
    """Check that a line Exim logged during this session contains TEXT
    (case-insensitive). Nothing is written to the real log files.

    Example: Then the log contains "rejected RCPT <nobody@coop.test>"
    """
    session = _traced_session(context, "Then the log contains")
    if any(appears_in(text, line) for line in session.log_lines):
        return
    logged = "\n".join(f"  {line}" for line in session.log_lines) or "  (nothing)"
    raise session.failure(f'Expected the log to contain "{text}". Exim logged:\n{logged}')


def _decision(context: Context, step: str) -> tuple[EximSession, AclRun]:
    session = _traced_session(context, step)
    reply = session.last_reply
    if reply.decision is None:
        raise session.failure(f"Expected an ACL to decide {what(reply)}, but Exim ran none for it.")
    return session, reply.decision


def _check_decision(context: Context, wanted: str, fits: Callable[[AclStatement], bool]) -> None:
    """Pass if the deciding statement, or one it ran (`acl = ...`) that decided, fits.
    A statement Exim could not test decided nothing by its verb: Exim deferred."""
    session, run = _decision(context, "Then it was decided by ...")
    if not any(fits(statement) and not statement.untestable for statement in run.decision_chain):
        what_decided = what(session.last_reply)
        raise session.failure(f"Expected {what_decided} to be decided by {wanted}.\n{describe_decision(run)}")


@then('it was decided by the ACL "{acl:EximText}" statement at line {line:d}')
def step_decided_at(context: Context, acl: str, line: int) -> None:
    """Check which statement of the configuration decided the last reply: the one at
    LINE of ACL (a statement of an ACL that the deciding one ran with `acl =` counts).

    Example: Then it was decided by the ACL "acl_check_rcpt" statement at line 213
    """
    _check_decision(
        context, f'the statement at line {line} of ACL "{acl}"', lambda s: s.acl == acl and s.line == line
    )


@then('it was decided by the "{verb:EximWord}" statement at line {line:d}')
def step_decided_by_verb_at(context: Context, verb: str, line: int) -> None:
    """The same, naming the statement by its verb (accept, deny, defer, ...) and line.

    Example: Then it was decided by the "deny" statement at line 213
    """
    _check_decision(
        context, f'the "{verb}" statement at line {line}', lambda s: s.verb == verb and s.line == line
    )


@then('it was decided by the "{verb:EximWord}" statement with message "{text:EximText}"')
def step_decided_by_verb_with_message(context: Context, verb: str, text: str) -> None:
    """Check that a statement with this verb decided the last reply and that TEXT is
    in its message, as written in the configuration or as the client got it.

    Example: Then it was decided by the "deny" statement with message "relay not permitted"
    """
    reply = scenario_state(context).last_reply

    def fits(statement: AclStatement) -> bool:
        said = f"{statement.message or ''}\n{reply.text}"
        return statement.verb == verb and statement.message is not None and appears_in(text, said)

    _check_decision(context, f'a "{verb}" statement with message "{text}"', fits)


@then('it was decided by the "{verb:EximWord}" statement with log message "{text:EximText}"')
def step_decided_by_verb_with_log_message(context: Context, verb: str, text: str) -> None:
    """Check that a statement with this verb decided the last reply and that TEXT is
    in its `log_message`, as written in the configuration or as Exim logged it.

    Example: Then it was decided by the "deny" statement with log message "relay attempt"
    """
    # What Exim logged for the reply, after "rejected RCPT <x>: " and the like: the
    # expanded log message, not the client's address or the command.
    logged = [line.split(": ", 1)[-1] for line in scenario_state(context).last_reply.log_lines]

    def fits(statement: AclStatement) -> bool:
        written = statement.log_message
        return (
            statement.verb == verb and written is not None and appears_in(text, "\n".join([written, *logged]))
        )

    _check_decision(context, f'a "{verb}" statement with log message "{text}"', fits)


@then("it was deferred by the statement at line {line:d}")
def step_deferred_by(context: Context, line: int) -> None:
    """Check that the statement at LINE made Exim defer the last reply: a `defer` that
    applied, or any statement Exim could not test (a condition that failed with an error,
    a lookup that deferred), which makes Exim answer 4xx whatever its verb.

    Example: Then it was deferred by the statement at line 169
    """
    session, run = _decision(context, "Then it was deferred by ...")
    if not any(
        statement.line == line and (statement.untestable or (statement.verb == "defer" and statement.decides))
        for statement in run.decision_chain
    ):
        wanted = f"Expected {what(session.last_reply)} to be deferred by the statement at line {line}."
        raise session.failure(f"{wanted}\n{describe_decision(run)}")


def _statements_at(
    context: Context, step: str, line: int, acl: str
) -> tuple[EximSession, AclRun, list[AclStatement]]:
    """Every run of the statement at LINE of ACL while Exim decided the last reply; a
    StepUsageError if the configuration has no statement of that ACL starting there
    (a claim about a line that holds none would check nothing)."""
    state = scenario_state(context)
    session, run = _decision(context, step)
    config = state.config.configuration_file()
    starts = sorted({s.line for s in acl_statements(config) if s.acl == acl})
    if line not in starts:
        where = (
            f"its statements start at lines {', '.join(map(str, starts))}" if starts else "it has no such ACL"
        )
        raise StepUsageError(f'No statement of ACL "{acl}" starts at line {line} of {config}: {where}.')
    runs = session.last_reply.acl_runs
    return session, run, [s for r in runs for s in r.all_statements() if s.acl == acl and s.line == line]


@then('the statement at line {line:d} of ACL "{acl:EximText}" applied')
def step_statement_applied(context: Context, line: int, acl: str) -> None:
    """Check that the conditions of that statement held for the last reply, whether
    or not it decided: for a `warn` (which never decides), that it did its work.

    Example: Then the statement at line 225 of ACL "acl_check_data" applied
    """
    session, run, statements = _statements_at(context, "Then the statement at line ... applied", line, acl)
    if any(statement.outcome == "succeeded" for statement in statements):
        return
    wanted = (
        f'Expected the statement at line {line} of ACL "{acl}" to apply to {what(session.last_reply)}, but '
    )
    if not statements:
        raise session.failure(wanted + "Exim did not reach it.\n" + describe_decision(run))
    last = statements[-1]
    text = "\n".join(quoted(last.file, last.line))
    outcome = last.outcome or "were not all tested"
    raise session.failure(wanted + f"its conditions {outcome} ({last.file}):\n{text}")


@then('the statement at line {line:d} of ACL "{acl:EximText}" did not apply')
def step_statement_did_not_apply(context: Context, line: int, acl: str) -> None:
    """Check that the conditions of that statement did not all hold for the last
    reply, or that Exim never reached it: a rule that let this one through.

    Example: Then the statement at line 181 of ACL "acl_check_rcpt" did not apply
    """
    step = "Then the statement at line ... did not apply"
    session, run, statements = _statements_at(context, step, line, acl)
    applied = next((statement for statement in statements if statement.outcome == "succeeded"), None)
    if applied is None:
        return
    text = "\n".join(quoted(applied.file, applied.line))
    raise session.failure(
        f'Expected the statement at line {line} of ACL "{acl}" not to apply to {what(session.last_reply)}, '
        f"but its conditions held ({applied.file}):\n{text}\n{describe_decision(run)}"
    )


@then('the ACL variable "{name:EximText}" contains "{text:EximText}"')
def step_acl_variable_contains(context: Context, name: str, text: str) -> None:
    """Check that the last value this session's ACLs gave an ACL variable (`set
    acl_m_x = ...`, as Exim traced it expanded) contains TEXT (case-insensitive). The
    last one set in the session counts, though Exim forgets acl_m values after each
    message.

    Example: Then the ACL variable "acl_m_reject_spam" contains "yes"
    """
    session = _traced_session(context, "Then the ACL variable ... contains")
    variable = name.removeprefix("$")
    values = acl_variables(session.trace)
    if variable in values and appears_in(text, values[variable]):
        return
    wanted = f'Expected the ACL variable "{variable}" to contain "{text}", but '
    if variable in values:
        raise session.failure(wanted + f'the ACLs set it to "{values[variable]}".')
    shown = "\n".join(f"  {key} = {value}" for key, value in values.items()) or "  (none)"
    raise session.failure(wanted + f"the ACLs did not set it. Variables they set:\n{shown}")
