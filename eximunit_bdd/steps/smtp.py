"""Steps that talk SMTP: open a connection, send commands and messages."""

from __future__ import annotations

from typing import Any

from ..errors import StepUsageError
from .registry import given, session_of, when


@given("a connection from {ip:EximWord}")
def step_connection(context: Any, ip: str) -> None:
    """Talk to Exim as if the client at this IP address had connected
    (`exim -bhc IP`). A second connection in one scenario starts a new session.

    Example: Given a connection from 192.0.2.1
    """
    session_of(context).connect(ip)


@given("a connection from {ip:EximWord} to {server_ip:EximWord} port {port:EximWord}")
def step_connection_to(context: Any, ip: str, server_ip: str, port: str) -> None:
    """Like 'a connection from IP', arriving at one of the server's own addresses
    and ports (`-oMi`), e.g. the submission port.

    Example: Given a connection from 192.0.2.1 to 198.51.100.25 port 587
    """
    session_of(context).connect(ip, server_ip, port)


@when("I send HELO {name}")
def step_helo(context: Any, name: str) -> None:
    """Greet the server with HELO and this name.

    Example: When I send HELO client.example.net
    """
    session_of(context).session.send(f"HELO {name}")


@when("I send EHLO {name}")
def step_ehlo(context: Any, name: str) -> None:
    """Greet the server with EHLO and this name.

    Example: When I send EHLO client.example.net
    """
    session_of(context).session.send(f"EHLO {name}")


@when("I send MAIL FROM <{address:EximAddress}>")
def step_mail_from(context: Any, address: str) -> None:
    """Give the envelope sender (`<>` is the null sender of bounces). If the client
    has not greeted yet, `EHLO client.example` is sent first.

    Example: When I send MAIL FROM <alice@example.net>
    """
    session_of(context).session.send_mail_from(address)


@when("I send RCPT TO <{address:EximAddress}>")
def step_rcpt_to(context: Any, address: str) -> None:
    """Give one envelope recipient.

    Example: When I send RCPT TO <anna@coop.test>
    """
    session_of(context).session.send_rcpt_to(address)


@when("I send DATA")
def step_data(context: Any) -> None:
    """Ask to send the message; 354 means the server is ready for it.

    Example: When I send DATA
    """
    session_of(context).session.send("DATA")


@when("I send the message:")
def step_message(context: Any) -> None:
    """Send the message written below the step (headers, a blank line, the body),
    sending DATA first if needed; the reply checked next is the one to the final dot
    (or DATA's own reply, if DATA was refused).

    Example: When I send the message:
                 \"\"\"
                 Subject: minutes of the meeting

                 See you on Tuesday.
                 \"\"\"
    """
    if context.text is None:
        raise StepUsageError('write the message below the step, between two lines of """.')
    session_of(context).session.send_message(context.text)


@when('I send a message with subject "{subject:EximText}"')
def step_message_with_subject(context: Any, subject: str) -> None:
    """Send a generated message with this subject (DATA first if needed).

    Example: When I send a message with subject "Invoice 2026-11"
    """
    session = session_of(context).session
    session.send_message(session.build_message(subject=subject))


@when("I send a random message")
def step_random_message(context: Any) -> None:
    """Send a generated message with a random body (DATA first if needed).

    Example: When I send a random message
    """
    session = session_of(context).session
    session.send_message(session.build_message())


@when('I send the command "{line:EximText}"')
def step_command(context: Any, line: str) -> None:
    """Send any other command line as it is: VRFY, RSET, NOOP, AUTH, ...

    Example: When I send the command "VRFY anna@coop.test"
    """
    session_of(context).session.send(line)


@when("I send QUIT")
def step_quit(context: Any) -> None:
    """End the session politely; the server answers 221.

    Example: When I send QUIT
    """
    session_of(context).session.send("QUIT")
