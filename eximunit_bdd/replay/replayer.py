"""A logged decision replayed as an `exim -bh` session: the client connects from its
address (to the port it used, with `+incoming_interface`), greets with its HELO name,
gives its sender and recipient, and the configuration decides again. Nothing is sent
anywhere: `-bh` without callouts, in the private network unless asked otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..errors import EximUnitError
from ..exim.options import EximOptions
from ..smtp.reply import Reply
from ..smtp.session import DEFAULT_HELO_NAME, EximSession
from .transactions import LoggedDecision, Outcome, Stage

__all__ = ["Replayed", "replay", "from_log", "NOT_REPLAYABLE", "OVER_TLS"]

#: Decisions the log records but `-bh` up to RCPT cannot replay, and why.
NOT_REPLAYABLE: dict[Stage, str] = {
    "data": "decided after DATA: the log does not hold the message",
}


#: Why a decision made over TLS is not replayed.
OVER_TLS = "made over TLS, which an exim -bh session cannot play (test it in a live scenario)"


@dataclass(frozen=True)
class Replayed:
    """What a configuration decided (or the log says it decided): the outcome, at which
    stage (a recipient may be refused at MAIL already), the reply, and the statement
    that decided (`FILE:LINE verb`, from the trace; "" when none or unknown)."""

    outcome: Outcome | Literal["error"]
    stage: Stage
    code: int | None = None
    text: str = ""
    decided_by: str = ""

    def same_decision(self, other: Replayed) -> bool:
        """The same outcome at the same stage (and the same code when both have one); a
        replay that failed is the same as nothing (errors are told apart)."""
        if "error" in (self.outcome, other.outcome):
            return False
        codes = self.code is None or other.code is None or self.code == other.code
        return self.outcome == other.outcome and self.stage == other.stage and codes

    def __str__(self) -> str:
        reply = f" {self.code}" if self.code is not None else ""
        text = f' "{self.text}"' if self.text else ""
        return (
            f"{self.outcome} at {self.stage.upper() if self.stage != 'connect' else 'connect'}{reply}{text}"
        )


def from_log(decision: LoggedDecision) -> Replayed:
    """The decision as the log recorded it (no code: Exim logs the text only)."""
    return Replayed(decision.outcome, decision.stage, None, decision.reply)


def replay(options: EximOptions, decision: LoggedDecision) -> Replayed:
    """Replay `decision` against the configuration of `options` (one `exim -bh`); an
    Exim that fails (a configuration error, a timeout) gives outcome "error"."""
    try:
        with EximSession(
            decision.client_ip,
            options=options,
            client_port=decision.client_port,
            server_ip=decision.server_ip,
            server_port=decision.server_port,
            # The log holds no password: the client counts as authenticated (-oMaa, -oMai).
            authenticated_id=decision.authenticated_id if decision.authenticator else None,
            authenticator=decision.authenticator if decision.authenticated_id else None,
        ) as session:
            return _conversation(session, decision)
    except (EximUnitError, OSError) as error:  # OSError: out of processes or files at a high -j
        return Replayed("error", decision.stage, None, str(error).splitlines()[0])


def _conversation(session: EximSession, decision: LoggedDecision) -> Replayed:
    if decision.stage == "connect" or not session.greeting.accepted:
        return _outcome(session.greeting, "connect")
    reply = session.send(f"EHLO {decision.helo or DEFAULT_HELO_NAME}")
    if decision.stage == "helo" or not reply.accepted:
        return _outcome(reply, "helo")
    reply = session.send(f"MAIL FROM:<{decision.sender or ''}>")
    if decision.stage == "mail" or not reply.accepted:
        return _outcome(reply, "mail")
    reply = session.send(f"RCPT TO:<{decision.recipient or ''}>")
    return _outcome(reply, "rcpt")


def _outcome(reply: Reply, stage: Stage) -> Replayed:
    run = reply.decision
    statement = run.decision_chain[-1] if run is not None and run.decision_chain else None
    decided_by = f"{statement.file}:{statement.line} {statement.verb}" if statement is not None else ""
    return Replayed(reply.verdict, stage, reply.code, reply.text, decided_by)
