"""Fake peers: the other machines Exim talks to, on free loopback ports.

Each binds port 0 on 127.0.0.1 and keeps its socket (no port race), runs in a
thread of its own, and gives Exim its port as the macro NAME_PORT. Each is imported
when first used (eximunit_bdd.lazy): most scenarios start none.
"""

from typing import TYPE_CHECKING

from ..lazy import lazy_exports

_EXPORTS = {
    ".peer": ("DownPeer", "FakePeer", "port_macro"),
    ".base": ("RuleScanner", "StreamFake"),
    ".clamd": ("FakeClamd",),
    ".dovecot": ("DovecotAttempt", "FakeDovecotAuth"),
    ".greylistd": ("FakeGreylistd",),
    ".smtp": ("NO_SUCH_USER", "FakeSmtpServer", "SeenEnvelope"),
    ".spamd": ("FakeSpamd", "SpamVerdict"),
}
if TYPE_CHECKING:  # pragma: no cover
    from .base import RuleScanner, StreamFake
    from .clamd import FakeClamd
    from .dovecot import DovecotAttempt, FakeDovecotAuth
    from .greylistd import FakeGreylistd
    from .peer import DownPeer, FakePeer, port_macro
    from .smtp import NO_SUCH_USER, FakeSmtpServer, SeenEnvelope
    from .spamd import FakeSpamd, SpamVerdict

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

__all__ = [
    "FakePeer",
    "StreamFake",
    "RuleScanner",
    "DownPeer",
    "FakeSmtpServer",
    "SeenEnvelope",
    "NO_SUCH_USER",
    "FakeSpamd",
    "SpamVerdict",
    "FakeClamd",
    "FakeGreylistd",
    "FakeDovecotAuth",
    "DovecotAttempt",
    "port_macro",
]
