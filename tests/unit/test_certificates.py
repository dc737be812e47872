"""TestCA without Exim: the chains verify (cryptography's verifier and a real OpenSSL
handshake in memory), names and IP addresses land in subjectAltName, validity and key
usages are as promised, the files are private where they must be and gone after close."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from eximunit_bdd.errors import InvalidInputError
from eximunit_bdd.live.certificates import CA_NAME, CertificateFiles, TestCA


@pytest.fixture
def ca(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # sandbox_base()
    with TestCA() as made:
        yield made


def _load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _handshake(client: ssl.SSLContext, server: ssl.SSLContext, server_hostname: str) -> ssl.SSLObject:
    """A TLS handshake between the two contexts in memory; returns the server's side."""
    to_server, to_client = ssl.MemoryBIO(), ssl.MemoryBIO()
    client_side = client.wrap_bio(to_client, to_server, server_hostname=server_hostname)
    server_side = server.wrap_bio(to_server, to_client, server_side=True)
    done = {"client": False, "server": False}
    for _ in range(20):
        for name, side in (("client", client_side), ("server", server_side)):
            if not done[name]:
                try:
                    side.do_handshake()
                    done[name] = True
                except ssl.SSLWantReadError:
                    pass
        if all(done.values()):
            if server_side.version() == "TLSv1.3":
                client_side.write(b"x")  # TLS 1.3: the server checks the client's certificate
                server_side.read(1)  # when it has read the client's Finished
            return server_side
    raise AssertionError("the handshake did not finish")


def _server_context(files: CertificateFiles) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(files.certificate, files.private_key)
    return context


def test_the_ca_is_a_short_lived_p256_authority(ca):
    certificate = _load(ca.ca_file)
    assert certificate == ca.certificate
    assert certificate.subject == certificate.issuer  # self-signed
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == CA_NAME
    constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign and not usage.digital_signature
    key = certificate.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1"
    now = datetime.datetime.now(datetime.timezone.utc)
    minute = datetime.timedelta(minutes=1)
    assert abs(certificate.not_valid_before_utc - (now - datetime.timedelta(days=1))) < minute
    assert abs(certificate.not_valid_after_utc - (now + datetime.timedelta(days=7))) < minute


def test_files_live_in_a_directory_of_their_own_keys_private(ca, tmp_path):
    server = ca.server_certificate("mx.test")
    client = ca.client_certificate("client.test")
    assert ca.directory.parent == tmp_path
    assert _mode(ca.directory) == 0o755
    for path in (ca.ca_file, server.certificate, client.certificate):
        assert path.parent == ca.directory and _mode(path) == 0o644
    for path in (server.private_key, client.private_key):
        assert path.parent == ca.directory and _mode(path) == 0o600
    assert len({server.certificate, server.private_key, client.certificate, client.private_key}) == 4


def test_a_server_certificate_verifies_for_its_names_and_addresses(ca):
    files = ca.server_certificate("mx.test", "smtp.test", "127.0.0.1", "::1", "mx.test")
    assert files.names == ("mx.test", "smtp.test", "127.0.0.1", "::1")  # duplicates dropped
    certificate = _load(files.certificate)
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "mx.test"
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["mx.test", "smtp.test"]
    assert names.get_values_for_type(x509.IPAddress) == [
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
    ]
    verifier = PolicyBuilder().store(Store([ca.certificate])).build_server_verifier
    for subject in (
        x509.DNSName("mx.test"),
        x509.DNSName("smtp.test"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("::1")),
    ):
        chain = verifier(subject).verify(certificate, [])
        assert chain[-1] == ca.certificate
    with pytest.raises(VerificationError):
        verifier(x509.DNSName("other.test")).verify(certificate, [])


def test_key_usages_say_server_or_client(ca):
    server = _load(ca.server_certificate("mx.test").certificate)
    client = _load(ca.client_certificate("client.test").certificate)
    assert server.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value == x509.ExtendedKeyUsage(
        [ExtendedKeyUsageOID.SERVER_AUTH]
    )
    assert client.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value == x509.ExtendedKeyUsage(
        [ExtendedKeyUsageOID.CLIENT_AUTH]
    )
    for certificate in (server, client):
        assert not certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
        assert usage.digital_signature and not usage.key_cert_sign
        assert certificate.not_valid_after_utc <= ca.certificate.not_valid_after_utc
    verified = PolicyBuilder().store(Store([ca.certificate])).build_client_verifier().verify(client, [])
    assert verified.chain[-1] == ca.certificate
    with pytest.raises(VerificationError):  # a server certificate is no client's
        PolicyBuilder().store(Store([ca.certificate])).build_client_verifier().verify(server, [])


def test_each_private_key_belongs_to_its_certificate(ca):
    for files in (ca.server_certificate("mx.test"), ca.client_certificate("client.test")):
        key = serialization.load_pem_private_key(files.private_key.read_bytes(), password=None)
        assert key.public_key() == _load(files.certificate).public_key()


def test_the_client_context_trusts_this_ca_and_checks_the_host_name(ca):
    server = _server_context(ca.server_certificate("mx.test", "127.0.0.1"))
    context = ca.client_context()
    assert context.check_hostname and context.verify_mode == ssl.CERT_REQUIRED
    assert _handshake(context, server, "mx.test").version() in ("TLSv1.3", "TLSv1.2")
    _handshake(ca.client_context(), server, "127.0.0.1")
    with pytest.raises(ssl.SSLCertVerificationError, match="mismatch"):
        _handshake(ca.client_context(), server, "other.test")
    with TestCA() as other, pytest.raises(ssl.SSLCertVerificationError):
        _handshake(other.client_context(), server, "mx.test")  # another CA is not trusted


def test_the_client_context_presents_a_client_certificate(ca):
    server = _server_context(ca.server_certificate("mx.test"))
    server.verify_mode = ssl.CERT_REQUIRED
    server.load_verify_locations(cafile=ca.ca_file)
    seen = _handshake(ca.client_context(ca.client_certificate("client.test")), server, "mx.test")
    peer = seen.getpeercert(binary_form=True)
    assert peer is not None
    subject = x509.load_der_x509_certificate(peer).subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "client.test"
    with pytest.raises(ssl.SSLError):
        _handshake(ca.client_context(), server, "mx.test")  # none presented


def test_close_removes_everything_and_may_be_repeated(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    ca = TestCA()
    ca.server_certificate("mx.test")
    ca.close()
    ca.close()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(InvalidInputError, match="closed"):
        ca.client_certificate("client.test")
    with TestCA() as ca:
        ca.client_certificate("client.test")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "name", ["", "mx test", "mx.test\n", "mx\ttest", "nul\0", "bäck.test", "a/b", "a..b", "mx.test."]
)
def test_bad_names_are_refused_saying_what_to_write(ca, name):
    before = sorted(ca.directory.iterdir())
    with pytest.raises(InvalidInputError, match="mx.test"):
        ca.server_certificate(name)
    with pytest.raises(InvalidInputError, match="127.0.0.1"):
        ca.server_certificate("mx.test", name)
    with pytest.raises(InvalidInputError):
        ca.client_certificate(name)
    assert sorted(ca.directory.iterdir()) == before  # nothing issued


def test_a_wildcard_is_a_name(ca):
    assert ca.server_certificate("*.mx.test", "mx.test").names == ("*.mx.test", "mx.test")
