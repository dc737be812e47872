"""Steps of live mode: a real Exim daemon for the scenario (`Given the Exim server is
running`), in its private network, that can deliver nothing; real TCP connections to
it, TLS, pipelining, early talkers, silence, connection limits. The reply steps work
on its connections unchanged."""

from __future__ import annotations

from ..errors import StepUsageError
from ..live.channel import LiveChannel
from ..smtp.expectations import matches
from ..smtp.reply import Reply
from ..smtp.session import EximSession
from .registry import Context, given, scenario_state, table_column, then, when


@given("the Exim server is running")
def step_server_running(context: Context) -> None:
    """Run a real Exim daemon for this scenario, in its private network, listening on
    the configuration's own ports, with a throwaway TLS certificate for its
    primary_hostname; it queues what it accepts and delivers nothing. Connections are
    then real TCP connections from the client's address.

    Example: Given the Exim server is running
    """
    scenario_state(context).live.declare("Given the Exim server is running")


@given('the Exim server is running with a TLS certificate for "{name:EximText}"')
def step_server_running_with_certificate(context: Context, name: str) -> None:
    """The same, its certificate made for NAME by the run's throwaway CA (the
    configuration reads it from the macros EXIMUNIT_TLS_CERTIFICATE and
    EXIMUNIT_TLS_PRIVATEKEY).

    Example: Given the Exim server is running with a TLS certificate for "mx.coop.test"
    """
    scenario_state(context).live.declare("Given the Exim server is running with a TLS certificate", name)


@given("a TLS connection from {ip:EximWord} to {server_ip:EximWord} port {port:EximWord}")
def step_tls_connection(context: Context, ip: str, server_ip: str, port: str) -> None:
    """Connect to the live server with TLS from the first byte (implicit TLS, the
    configuration's tls_on_connect_ports, usually 465).

    Example: Given a TLS connection from 192.0.2.1 to 127.0.0.1 port 465
    """
    scenario_state(context).connect(ip, server_ip, port, tls=True)


def _live_session(context: Context, step: str) -> tuple[EximSession, LiveChannel]:
    state = scenario_state(context)
    state.live_server(step)  # a clear error in a scenario without one
    session = state.session
    assert isinstance(session.channel, LiveChannel)
    return session, session.channel


@when("I start TLS")
def step_start_tls(context: Context) -> None:
    """Send STARTTLS and, after the server's 220, go on over TLS (trusting only the
    run's throwaway CA); the reply is checked next.

    Example: When I start TLS
    """
    session, _ = _live_session(context, "When I start TLS")
    session.starttls()


@when('I start TLS with a client certificate for "{name:EximText}"')
def step_start_tls_with_certificate(context: Context, name: str) -> None:
    """The same, presenting a client certificate for NAME from the run's throwaway CA
    (which the configuration may trust: EXIMUNIT_LIVE/ca.pem).

    Example: When I start TLS with a client certificate for "office.coop.test"
    """
    session, channel = _live_session(context, "When I start TLS with a client certificate")
    assert channel.server.ca is not None
    channel.client_certificate = channel.server.ca.client_certificate(name)
    session.starttls()


def _encrypted(context: Context, step: str) -> tuple[EximSession, LiveChannel, str]:
    session, channel = _live_session(context, step)
    version = channel.tls_version
    if version is None:
        raise session.failure("Expected the connection to be encrypted, but it is not: no TLS was started.")
    return session, channel, version


@then("the connection is encrypted")
def step_encrypted(context: Context) -> None:
    """Check that the connection runs over TLS now (after STARTTLS, or implicit TLS).

    Example: Then the connection is encrypted
    """
    _encrypted(context, "Then the connection is encrypted")


@then('the connection is encrypted with "{version:EximText}"')
def step_encrypted_with(context: Context, version: str) -> None:
    """Check the TLS version the connection uses, as Python names it (TLSv1.3,
    TLSv1.2; "TLS 1.3" reads the same).

    Example: Then the connection is encrypted with "TLSv1.3"
    """
    session, _, used = _encrypted(context, "Then the connection is encrypted with ...")
    if _version(used) != _version(version):
        raise session.failure(
            f'Expected the connection to be encrypted with "{version}", but it uses {used}.'
        )


def _version(name: str) -> str:
    return name.lower().replace(" ", "").replace("tlsv", "tls")


@then('the server\'s certificate is for "{name:EximText}"')
def step_certificate_for(context: Context, name: str) -> None:
    """Check that the certificate the server showed names NAME (its common name or a
    subjectAltName).

    Example: Then the server's certificate is for "mx.coop.test"
    """
    session, channel, _ = _encrypted(context, "Then the server's certificate is for ...")
    der = channel.server_certificate()
    names = _certificate_names(der) if der else []
    if name.lower() not in (known.lower() for known in names):
        listed = ", ".join(names) or "nothing"
        raise session.failure(
            f'Expected the server\'s certificate to be for "{name}", but it is for: {listed}.'
        )


def _certificate_names(der: bytes) -> list[str]:
    from cryptography import x509  # loaded only when a certificate is read

    certificate = x509.load_der_x509_certificate(der)
    names = [
        str(attribute.value)
        for attribute in certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    ]
    try:
        alternatives = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return names
    names += [str(value) for value in alternatives.get_values_for_type(x509.DNSName)]
    names += [str(value) for value in alternatives.get_values_for_type(x509.IPAddress)]
    return list(dict.fromkeys(names))  # the common name is usually a subjectAltName too


@when("I send these commands at once:")
def step_commands_at_once(context: Context) -> None:
    """Write the commands below the step (one a line) in a single write, as a
    pipelining client does, then read a reply for each; check them with 'Then the
    replies are:'. A server that does not allow it answers 554 (synchronization error).

    Example: When I send these commands at once:
                 \"\"\"
                 MAIL FROM:<alice@example.net>
                 RCPT TO:<anna@coop.test>
                 \"\"\"
    """
    if not context.text or not context.text.strip():
        raise StepUsageError('write the commands below the step, one a line, between two lines of """.')
    lines = [line.strip() for line in context.text.splitlines() if line.strip()]
    session, _ = _live_session(context, "When I send these commands at once")
    session.ensure_greeted()
    scenario_state(context).batch = session.send_at_once(lines)


@then("the replies are:")
def step_replies_are(context: Context) -> None:
    """Check the replies to the commands sent at once, in order (table: `command`,
    `reply`: a code, or a code and text the reply contains).

    Example: Then the replies are:
                 | command                       | reply |
                 | MAIL FROM:<alice@example.net> | 250   |
                 | RCPT TO:<anna@coop.test>      | 250   |
    """
    state = scenario_state(context)
    rows = table_column(context, "command", "reply")
    replies: list[Reply] = state.batch
    if not replies:
        raise StepUsageError(
            "'Then the replies are:' checks commands sent at once: "
            "write 'When I send these commands at once:' first."
        )
    session = state.session
    for index, row in enumerate(rows):
        got = replies[index] if index < len(replies) else None
        code, _, text = row["reply"].partition(" ")
        if not (len(code) == 3 and code.isdigit()):
            raise StepUsageError(
                f"the reply {row['reply']!r} should start with a code: 250, or 550 relay not permitted"
            )
        if got is None or not matches(got, None, int(code), text or None) or got.command != row["command"]:
            shown = "\n".join(f"  {reply.command} -> {reply}" for reply in replies) or "  (none)"
            headline = f"Expected {row['command']} to get {row['reply']} (row {index + 1})"
            raise session.failure(f"{headline}, but the replies were:\n{shown}")


@when('I send "{line:EximText}" before the greeting')
def step_before_greeting(context: Context, line: str) -> None:
    """Send a line as soon as the connection is open, before the server's greeting
    (an early talker, as spam software is); the greeting, or the refusal, is checked
    next.

    Example: When I send "EHLO hasty.example" before the greeting
    """
    scenario_state(context).talk_before_greeting(line)


@when("I drop the connection")
def step_drop(context: Context) -> None:
    """Hang up without QUIT, as a client that crashed.

    Example: When I drop the connection
    """
    session, _ = _live_session(context, "When I drop the connection")
    session.drop()


@when("I stay silent for {seconds:d} seconds")
def step_silent(context: Context, seconds: int) -> None:
    """Send nothing for that long; what the server said meanwhile (a timeout's 421)
    becomes the last reply.

    Example: When I stay silent for 3 seconds
    """
    session, _ = _live_session(context, "When I stay silent")
    session.stay_silent(seconds)


@given("the SMTP command timeout is {seconds:d} seconds")
def step_command_timeout(context: Context, seconds: int) -> None:
    """Give the live server this smtp_receive_timeout (`-os`), so that a silence test
    takes seconds, not the configuration's minutes.

    Example: Given the SMTP command timeout is 2 seconds
    """
    scenario_state(context).live.add_arguments("Given the SMTP command timeout is ...", "-os", f"{seconds}s")


@given("{count:d} open connections from {ip:EximWord}")
def step_open_connections(context: Context, count: int, ip: str) -> None:
    """Open that many connections to the live server from IP, each greeted, and hold
    them open for the rest of the scenario (for a per-host connection limit).

    Example: Given 3 open connections from 192.0.2.7
    """
    scenario_state(context).hold_connections(ip, count)


@then("a new connection from {ip:EximWord} is refused with {code:EximCode}")
def step_new_connection_refused(context: Context, ip: str, code: int) -> None:
    """Check that one more connection from IP gets a refusal with CODE instead of a
    greeting.

    Example: Then a new connection from 192.0.2.7 is refused with 421
    """
    session = scenario_state(context).try_connection(ip)
    if session.greeting.accepted:
        raise session.failure(
            f"Expected a new connection from {ip} to be refused with {code}, but it was greeted."
        )
    session.expect(session.greeting, None, code)
