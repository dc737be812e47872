"""What a log records of one SMTP decision: who, from where, for whom, and the outcome."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

__all__ = ["Stage", "Outcome", "LoggedDecision"]

#: Where in the conversation the decision fell.
Stage = Literal["connect", "helo", "mail", "rcpt", "data"]
Outcome = Literal["accepted", "rejected", "deferred"]


@dataclass(frozen=True)
class LoggedDecision:
    """One decision a log line (or an accepted message's lines) records.

    An accepted message gives one per recipient (stage `rcpt`, outcome `accepted`); a
    rejection one for its command. `key` is what makes two decisions the same to
    replay: the same client, HELO, sender and recipient at the same stage.
    """

    when: str  # the timestamp as logged ("2026-12-01 02:45:05"), "" when the line has none
    client_ip: str
    stage: Stage
    outcome: Outcome
    helo: Optional[str] = None  # as the client gave it; None when the log does not say
    sender: Optional[str] = None  # "" for <>; None before MAIL
    recipient: Optional[str] = None  # None before RCPT
    reply: str = ""  # the reason logged for a rejection ("relay not permitted")
    client_port: Optional[int] = None  # with log_selector +incoming_port
    server_ip: Optional[str] = None  # with +incoming_interface (I=[ip]:port)
    server_port: Optional[int] = None
    message_id: Optional[str] = None  # for accepted messages
    #: The client had authenticated (`A=NAME:ID` in the line), as ID by the authenticator NAME.
    authenticator: Optional[str] = None
    authenticated_id: Optional[str] = None
    #: The connection was encrypted (`X=...` in the line), which `exim -bh` cannot play.
    tls: bool = False
    line: str = ""  # the log line it came from (the first, for an accepted message)

    @property
    def key(self) -> tuple[object, ...]:
        return (
            self.client_ip, self.server_ip, self.server_port, self.helo, self.sender, self.recipient,
            self.stage, self.authenticator, self.authenticated_id,
        )  # fmt: skip
