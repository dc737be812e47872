"""Throwaway TLS material for one test run: a certificate authority made on the spot,
and the server and client certificates it signs.

A live scenario must not need a real key or a real CA (a suite would then hold secrets,
or depend on a CA's renewals): `TestCA` makes an EC P-256 CA valid from a day ago to a
week ahead, writes it and everything it issues as PEM files into a directory of its own
under `sandbox_base()` (or the `base` given), and `close()` removes them all. Making one
with a server certificate takes milliseconds (see EXIM-NOTES.md).
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import re
import shutil
import ssl
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..errors import InvalidInputError
from ..exim.sandbox import owned_directory

__all__ = ["CertificateFiles", "TestCA"]

CA_NAME = "eximunit-bdd throwaway CA"
_ORGANIZATION = "eximunit-bdd throwaway"
_BACK = datetime.timedelta(days=1)  # a clock a little behind still accepts it
_AHEAD = datetime.timedelta(days=7)
# A host name (letters, digits, '-', '_', '.', a leading '*.' wildcard) or an IP address.
_HOST_NAME = re.compile(r"(\*\.)?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*")
# Private keys are 0o600, owned by the caller; certificates and the directory are
# public. Measured with Exim 4.96 (-C, -bw): run by root with exim_user = the caller
# (root), the daemon reads the key as root; run by an unprivileged caller, Exim stays
# that caller, who owns it. A root run that leaves Exim its own user (Debian-exim)
# cannot read it: STARTTLS then answers "454 TLS currently unavailable" (log: "Error
# while reading file"), so the live server gives that key to that user (`chown`). The
# CA's own key is never written at all.
_KEY_MODE = 0o600
_PUBLIC_MODE = 0o644


@dataclass(frozen=True)
class CertificateFiles:
    """A certificate and its private key as PEM files, and the names it was issued for
    (its common name first), for `tls_certificate`/`tls_privatekey` or a client."""

    certificate: Path
    private_key: Path
    names: tuple[str, ...]


class TestCA:
    """A throwaway certificate authority, made on creation; `close()` (or leaving a
    `with` block) removes its directory and every file it wrote.

    Example: `with TestCA() as ca: files = ca.server_certificate("mx.test", "127.0.0.1")`
    """

    __test__ = False  # a library class, not a pytest test class

    def __init__(self, base: str | None = None) -> None:
        """`base`: where to make its directory (default `sandbox_base()`)."""
        self.directory = owned_directory("ca", base)
        try:
            os.chmod(self.directory, 0o755)  # Exim and the client read the certificates
            self._key = ec.generate_private_key(ec.SECP256R1())
            self._name = x509.Name(
                [
                    x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, _ORGANIZATION),
                ]
            )
            now = datetime.datetime.now(datetime.timezone.utc)
            self._not_before, self._not_after = now - _BACK, now + _AHEAD
            public = self._key.public_key()
            self._certificate = (
                self._builder(self._name, public)
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(_key_usage(signs_certificates=True), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
                .sign(self._key, hashes.SHA256())
            )
            self.ca_file = self._write("ca.crt", _pem(self._certificate), _PUBLIC_MODE)
        except BaseException:
            shutil.rmtree(self.directory, ignore_errors=True)
            raise
        self._issued = 0

    @property
    def certificate(self) -> x509.Certificate:
        """The CA's own certificate (the one in `ca_file`)."""
        return self._certificate

    def server_certificate(self, name: str, *alt_names: str) -> CertificateFiles:
        """A certificate for a server called `name` (its common name), valid also for
        `alt_names`; each is a DNS name in subjectAltName, or an IP address if it is one."""
        return self._issue((name, *alt_names), ExtendedKeyUsageOID.SERVER_AUTH, "server")

    def client_certificate(self, name: str) -> CertificateFiles:
        """A certificate a client presents (clientAuth), for Exim's `verify = certificate`."""
        return self._issue((name,), ExtendedKeyUsageOID.CLIENT_AUTH, "client")

    def client_context(self, certificate: CertificateFiles | None = None) -> ssl.SSLContext:
        """A client `ssl.SSLContext` that trusts this CA only, presenting `certificate`
        if given. Host names are checked: wrap with `server_hostname=` one of the
        server certificate's names (an IP address is matched against its IP names)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED, check_hostname
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_verify_locations(cafile=self.ca_file)
        if certificate is not None:
            context.load_cert_chain(certificate.certificate, certificate.private_key)
        return context

    def close(self) -> None:
        """Remove the directory and every file in it; calling it again does nothing."""
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> TestCA:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def _issue(self, names: tuple[str, ...], usage: x509.ObjectIdentifier, kind: str) -> CertificateFiles:
        for name in names:
            _check_name(name)
        if not self.directory.is_dir():
            raise InvalidInputError("This TestCA is closed; make a new TestCA() to issue certificates.")
        key = ec.generate_private_key(ec.SECP256R1())
        public = key.public_key()
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, names[0]),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, _ORGANIZATION),
            ]
        )
        unique = list(dict.fromkeys(names))
        certificate = (
            self._builder(subject, public)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(signs_certificates=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(
                x509.SubjectAlternativeName([_general_name(name) for name in unique]), critical=False
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), critical=False
            )
            .sign(self._key, hashes.SHA256())
        )
        self._issued += 1
        stem = f"{kind}-{self._issued}"  # not the name: a name may hold '*' or ':'
        key_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return CertificateFiles(
            certificate=self._write(f"{stem}.crt", _pem(certificate), _PUBLIC_MODE),
            private_key=self._write(f"{stem}.key", key_pem, _KEY_MODE),
            names=tuple(unique),
        )

    def _builder(self, subject: x509.Name, public: ec.EllipticCurvePublicKey) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self._name)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(self._not_before)
            .not_valid_after(self._not_after)
        )

    def _write(self, name: str, data: bytes, mode: int) -> Path:
        path = self.directory / name
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)  # never readable wider
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(path, mode)  # whatever the umask took away
        return path


def _check_name(name: object) -> None:
    """Refuse what no certificate should name, saying what to write instead."""
    if not isinstance(name, str) or not name:
        raise InvalidInputError(
            "A certificate needs a host name such as mx.test or an IP address such as 127.0.0.1, "
            f"not {name!r}."
        )
    if _is_ip(name):
        return
    if len(name) > 253 or not _HOST_NAME.fullmatch(name):
        raise InvalidInputError(
            f"{name!r} cannot be named in a certificate: write a host name of letters, digits, '-' and '.' "
            "(such as mx.test; an international name in its xn-- form), or an IP address such as 127.0.0.1."
        )


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _general_name(name: str) -> x509.GeneralName:
    if _is_ip(name):
        return x509.IPAddress(ipaddress.ip_address(name))
    return x509.DNSName(name)


def _key_usage(*, signs_certificates: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not signs_certificates,  # an EC leaf signs the handshake
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=signs_certificates,
        crl_sign=signs_certificates,
        encipher_only=False,
        decipher_only=False,
    )


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)
