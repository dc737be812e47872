"""TestCA's certificates in the real Exim: a daemon (tests/configs/tls.conf) presents
the throwaway server certificate after STARTTLS, Python's ssl verifies it against the
throwaway CA only, and Exim verifies the client certificate the same CA issued.

`-bh` cannot do TLS, so each test starts a daemon of its own with `-bw`: it is handed a
listening socket on stdin, bound here to a free port of 127.0.0.1, so no port is picked
and then raced for. Nothing is delivered (`-odq -N -oY`); the daemon and every child it
forked are killed in a `finally`, and its spool removed.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

from eximunit_bdd import find_exim
from eximunit_bdd.exim.process import kill_tree, start_process
from eximunit_bdd.exim.sandbox import Sandbox
from eximunit_bdd.live.certificates import CertificateFiles, TestCA
from eximunit_bdd.network.ports import LOOPBACK

from .conftest import CONFIGS

TLS_CONF = CONFIGS / "tls.conf"
TIMEOUT = 10  # seconds, for every connect, read and wait


@pytest.fixture
def ca(private_tmp) -> Iterator[TestCA]:
    """A throwaway CA under this test's private temp dir (checked empty afterwards)."""
    with TestCA() as made:
        yield made


@contextlib.contextmanager
def tls_daemon(ca: TestCA, server: CertificateFiles) -> Iterator[int]:
    """An Exim daemon presenting `server` and verifying clients against `ca`; yields its port."""
    sandbox = Sandbox()
    macros = {
        **sandbox.macros(),
        "EXIMUNIT_TLS_CERT": str(server.certificate),
        "EXIMUNIT_TLS_KEY": str(server.private_key),
        "EXIMUNIT_TLS_CA": str(ca.ca_file),
    }
    argv = [find_exim(), "-C", str(TLS_CONF), *(f"-D{name}={value}" for name, value in macros.items())]
    argv += ["-bw", "-odq", "-N", "-oY"]
    daemon = None
    try:
        with socket.create_server((LOOPBACK, 0)) as listener:
            port = listener.getsockname()[1]
            daemon = start_process(argv, stdin=listener.fileno(), stdout=subprocess.DEVNULL, stderr=None)
        yield port
    except BaseException:
        print(_logs(sandbox.spool))  # shown by pytest when the test fails
        raise
    finally:
        try:
            if daemon is not None:
                kill_tree(daemon)  # SIGKILL to it and every child serving a connection
                daemon.wait(timeout=TIMEOUT)
        finally:
            sandbox.cleanup()


def _logs(spool: Path) -> str:
    return "\n".join(
        f"== {path.name}\n{path.read_text(errors='replace')}" for path in sorted(spool.glob("*log"))
    )


class Client:
    """Just enough SMTP to reach STARTTLS and ask questions after it."""

    def __init__(self, port: int) -> None:
        self.sock: socket.socket = socket.create_connection((LOOPBACK, port), timeout=TIMEOUT)
        self.file = self.sock.makefile("rb")

    def reply(self) -> list[str]:
        lines: list[str] = []
        while not lines or lines[-1][3:4] == "-":
            line = self.file.readline()
            assert line, f"Exim closed the connection after {lines}"
            lines.append(line.decode().rstrip("\r\n"))
        return lines

    def command(self, text: str) -> list[str]:
        self.sock.sendall(text.encode() + b"\r\n")
        return self.reply()

    def starttls(self, context: ssl.SSLContext, server_hostname: str) -> ssl.SSLSocket:
        """STARTTLS, the handshake, and EHLO again (which no longer offers STARTTLS)."""
        assert self.command("STARTTLS") == ["220 TLS go ahead"]
        self.file.close()
        tls = context.wrap_socket(self.sock, server_hostname=server_hostname)
        self.sock, self.file = tls, tls.makefile("rb")
        ehlo = self.command("EHLO client.test")  # the session starts again (RFC 3207)
        assert ehlo[0].startswith("250-") and "250-STARTTLS" not in ehlo, ehlo
        return tls

    def close(self) -> None:
        self.file.close()
        self.sock.close()


@contextlib.contextmanager
def connected(port: int) -> Iterator[Client]:
    """A client past the greeting and EHLO, which offered STARTTLS."""
    client = Client(port)
    try:
        assert client.reply()[0].startswith("220 mx.test ESMTP Exim 4.96")
        assert "250-STARTTLS" in client.command("EHLO client.test")
        yield client
    finally:
        client.close()


def what_exim_saw(client: Client) -> str:
    """The MAIL reply of tls.conf: Exim's $tls_in_cipher, ..._certificate_verified, ..._peerdn
    (Exim wraps a long reply over lines; joined again here)."""
    lines = client.command("MAIL FROM:<sender@client.test>")
    assert all(line.startswith("250") for line in lines), lines
    return " ".join(line[4:] for line in lines)


def test_exim_presents_the_throwaway_certificate_for_its_name(ca):
    server = ca.server_certificate("mx.test", "127.0.0.1")
    with tls_daemon(ca, server) as port, connected(port) as client:
        tls = client.starttls(ca.client_context(), server_hostname="mx.test")
        version = tls.version()
        assert version in ("TLSv1.3", "TLSv1.2")  # measured: TLSv1.3
        assert tls.getpeercert(binary_form=True) == ssl.PEM_cert_to_DER_cert(server.certificate.read_text())
        saw = what_exim_saw(client)
        assert f"cipher=<{version.replace('v', '')}:" in saw  # Exim writes TLSv1.3 as TLS1.3
        assert "verified=<0> peerdn=<>" in saw  # no client certificate
        assert client.command("RCPT TO:<cert-required@test.example>") == [
            "550 a verified client certificate is required"
        ]
        assert client.command("QUIT")[0].startswith("221")


def test_its_ip_address_is_verified_too(ca):
    with tls_daemon(ca, ca.server_certificate("mx.test", "127.0.0.1")) as port, connected(port) as client:
        client.starttls(ca.client_context(), server_hostname="127.0.0.1")
        assert "cipher=<TLS1." in what_exim_saw(client)


def test_exim_verifies_a_client_certificate_from_the_same_ca(ca):
    with tls_daemon(ca, ca.server_certificate("mx.test")) as port, connected(port) as client:
        client.starttls(ca.client_context(ca.client_certificate("client.test")), server_hostname="mx.test")
        saw = what_exim_saw(client)
        assert "verified=<1>" in saw and "peerdn=<CN=client.test," in saw, saw
        assert client.command("RCPT TO:<cert-required@test.example>") == [
            "250 certificate verified for CN=client.test,O=eximunit-bdd throwaway"
        ]


def test_a_client_certificate_from_another_ca_is_not_verified(ca):
    with (
        TestCA() as stranger,
        tls_daemon(ca, ca.server_certificate("mx.test")) as port,
        connected(port) as client,
    ):
        client.starttls(
            ca.client_context(stranger.client_certificate("client.test")), server_hostname="mx.test"
        )
        saw = what_exim_saw(client)
        assert "verified=<0>" in saw  # tls_try_verify_hosts: asked for, not required
        assert "peerdn=<CN=client.test," in saw  # the DN is there all the same: not proof
        assert client.command("RCPT TO:<cert-required@test.example>")[0].startswith("550")


@pytest.mark.parametrize("wrong", ["a wrong name", "another CA"])
def test_the_client_refuses_what_it_was_not_given(ca, wrong):
    with (
        TestCA() as stranger,
        tls_daemon(ca, ca.server_certificate("mx.test")) as port,
        connected(port) as client,
    ):
        context, name = (
            (ca.client_context(), "other.test")
            if wrong == "a wrong name"
            else (stranger.client_context(), "mx.test")
        )
        with pytest.raises(ssl.SSLCertVerificationError):
            client.starttls(context, server_hostname=name)
