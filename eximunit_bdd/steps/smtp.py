"""Steps that talk SMTP: open a connection, send commands and messages."""

from __future__ import annotations

from ..errors import StepUsageError
from .registry import Context, given, scenario_state, when


@given("a connection from {ip:EximWord}")
def step_connection(context: Context, ip: str) -> None:
    """Talk to Exim as if the client at this IP address had connected
    (`exim -bhc IP`). A second connection in one scenario starts a new session.

    Example: Given a connection from 192.0.2.1
    """
    scenario_state(context).connect(ip)


@given("a connection from {ip:EximWord} to {server_ip:EximWord} port {port:EximWord}")
def step_connection_to(context: Context, ip: str, server_ip: str, port: str) -> None:
    """Like 'a connection from IP', arriving at one of the server's own addresses
    and ports (`-oMi`), e.g. the submission port.

    Example: Given a connection from 192.0.2.1 to 198.51.100.25 port 587
    """
    scenario_state(context).connect(ip, server_ip, port)


@given("a connection from {ip:EximWord} on port {port:EximWord}")
def step_connection_on_port(context: Context, ip: str, port: str) -> None:
    """Like 'a connection from IP', arriving at this port of the server (the
    submission port, say), at the server address of the userdata `server_ip`.

    Example: Given a connection from 192.0.2.1 on port 587
    """
    scenario_state(context).connect(ip, server_port=port)


@given("a connection from {ip:EximWord} with client port {port:EximWord}")
def step_connection_with_client_port(context: Context, ip: str, port: str) -> None:
    """Like 'a connection from IP', from this port of the client (`$sender_host_port`).

    Example: Given a connection from 2001:db8::1 with client port 999
    """
    scenario_state(context).connect(ip, client_port=port)


@given("the client's host name is {name:EximName}")
def step_client_host_name(context: Context, name: str) -> None:
    """Give the connected client this host name, as a reverse lookup would
    (`$sender_host_name`); Exim then looks up nothing. Comes after the connection.

    Example: Given the client's host name is mail.example.net
    """
    scenario_state(context).tell("Given the client's host name is ...", host_name=name)


@given('the client\'s ident is "{ident:EximText}"')
def step_client_ident(context: Context, ident: str) -> None:
    """Give the connected client this ident (RFC 1413) answer (`$sender_ident`).

    Example: Given the client's ident is "alice"
    """
    scenario_state(context).tell("Given the client's ident is ...", ident=ident)


@given('the client has authenticated as "{identity:EximText}" with the authenticator "{name:EximText}"')
def step_client_authenticated(context: Context, identity: str, name: str) -> None:
    """Let the connected client count as authenticated as ID by the authenticator
    NAME (`$authenticated_id`, `$sender_host_authenticated`), without an AUTH command.

    Example: Given the client has authenticated as "anna" with the authenticator "plain_server"
    """
    scenario_state(context).tell("Given the client has authenticated ...", authenticated=(identity, name))


@when("I send HELO {name}")
def step_helo(context: Context, name: str) -> None:
    """Greet the server with HELO and this name.

    Example: When I send HELO client.example.net
    """
    scenario_state(context).session.send(f"HELO {name}")


@when("I send EHLO {name}")
def step_ehlo(context: Context, name: str) -> None:
    """Greet the server with EHLO and this name.

    Example: When I send EHLO client.example.net
    """
    scenario_state(context).session.send(f"EHLO {name}")


@when("I send MAIL FROM <{address:EximAddress}>")
def step_mail_from(context: Context, address: str) -> None:
    """Give the envelope sender (`<>` is the null sender of bounces). If the client
    has not greeted yet, `EHLO client.example` is sent first.

    Example: When I send MAIL FROM <alice@example.net>
    """
    scenario_state(context).session.send_mail_from(address)


@when("I send MAIL FROM <{address:EximAddress}> with PRDR")
def step_mail_from_prdr(context: Context, address: str) -> None:
    """Give the envelope sender and ask for PRDR: after the message, the server gives
    each recipient a verdict of its own (checked with 'the message is ... for').

    Example: When I send MAIL FROM <alice@example.net> with PRDR
    """
    scenario_state(context).session.send_mail_from(address, prdr=True)


@when("I send RCPT TO <{address:EximAddress}>")
def step_rcpt_to(context: Context, address: str) -> None:
    """Give one envelope recipient.

    Example: When I send RCPT TO <anna@coop.test>
    """
    scenario_state(context).session.send_rcpt_to(address)


@when("I send DATA")
def step_data(context: Context) -> None:
    """Ask to send the message; 354 means the server is ready for it.

    Example: When I send DATA
    """
    scenario_state(context).session.send("DATA")


@when("I send the message:")
def step_message(context: Context) -> None:
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
    scenario_state(context).session.send_message(context.text)


@when('I send a message with subject "{subject:EximText}"')
def step_message_with_subject(context: Context, subject: str) -> None:
    """Send a generated message with this subject (DATA first if needed).

    Example: When I send a message with subject "Invoice 2026-11"
    """
    session = scenario_state(context).session
    session.send_message(session.build_message(subject=subject))


@when("I send a random message")
def step_random_message(context: Context) -> None:
    """Send a generated message with a random body (DATA first if needed).

    Example: When I send a random message
    """
    session = scenario_state(context).session
    session.send_message(session.build_message())


@when('I send the command "{line:EximText}"')
def step_command(context: Context, line: str) -> None:
    """Send any other command line as it is: VRFY, RSET, NOOP, AUTH, ...

    Example: When I send the command "VRFY anna@coop.test"
    """
    scenario_state(context).session.send(line)


@when('I authenticate as "{user:EximText}" with password "{password:EximText}"')
def step_authenticate_plain(context: Context, user: str, password: str) -> None:
    """Log in with AUTH PLAIN, the credentials in the command (the transcript shows them
    decoded). The server's EHLO reply must offer AUTH PLAIN; check the outcome with
    'Then it is accepted' (235) or 'Then it is rejected with 535'.

    Example: When I authenticate as "anna@coop.test" with password "orchard"
    """
    scenario_state(context).session.authenticate(user, password, "PLAIN")


@when('I authenticate with LOGIN as "{user:EximText}" with password "{password:EximText}"')
def step_authenticate_login(context: Context, user: str, password: str) -> None:
    """Log in with AUTH LOGIN, answering the server's prompts for the user name and the
    password (the transcript shows them decoded); the last reply is checked next.

    Example: When I authenticate with LOGIN as "anna@coop.test" with password "orchard"
    """
    scenario_state(context).session.authenticate(user, password, "LOGIN")


@when("I send QUIT")
def step_quit(context: Context) -> None:
    """End the session politely; the server answers 221.

    Example: When I send QUIT
    """
    scenario_state(context).session.send("QUIT")
