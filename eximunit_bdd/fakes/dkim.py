"""DKIM for scenarios: a key to publish, and messages signed with it (dkimpy).

One RSA key is made per process, when first needed, and serves every domain and
selector: what a scenario tests is whether its public half is published where Exim
looks, not the key itself.
"""

from __future__ import annotations

import base64
import functools

__all__ = ["dkim_txt_record", "sign_message", "dkim_record_name", "alter_body"]

#: Exim's smallest accepted RSA key (dkim_verify_min_keysizes) keeps the TXT record
#: within one UDP answer.
_KEY_BITS = 1024


@functools.lru_cache(maxsize=1)
def _key() -> tuple[bytes, bytes]:
    """(private key in PEM as dkimpy reads it, public key as DER)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=_KEY_BITS)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


def dkim_record_name(domain: str, selector: str) -> str:
    """`sel._domainkey.example.net`: where a verifier looks for the key."""
    return f"{selector}._domainkey.{domain}"


def dkim_txt_record() -> str:
    """`v=DKIM1; k=rsa; p=...`: the public key as a TXT record's value."""
    return "v=DKIM1; k=rsa; p=" + base64.b64encode(_key()[1]).decode("ascii")


def sign_message(message: str, domain: str, selector: str) -> str:
    """`message` with a DKIM-Signature header of `domain` (relaxed/relaxed) on top."""
    import dkim

    wire = message.replace("\r\n", "\n").replace("\n", "\r\n").encode()
    signature: bytes = dkim.sign(
        wire,
        selector.encode(),
        domain.encode(),
        _key()[0],
        canonicalize=(b"relaxed", b"relaxed"),
        include_headers=[b"from", b"to", b"subject", b"date", b"message-id"],
    )
    return (signature + wire).decode().replace("\r\n", "\n")


def alter_body(message: str) -> str:
    """The message as a careless relay might pass it on: a line added to the body."""
    return message.rstrip("\n") + "\n(added in transit)\n"
