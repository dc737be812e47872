"""Fake peers: the other machines Exim talks to, on free loopback ports.

Each binds port 0 on 127.0.0.1 and keeps its socket (no port race), runs in a
thread of its own, and gives Exim its port as the macro NAME_PORT.
"""

from .base import DownPeer, FakePeer, RuleScanner, StreamFake, port_macro
from .clamd import FakeClamd
from .dovecot import DovecotAttempt, FakeDovecotAuth
from .greylistd import FakeGreylistd
from .smtp import NO_SUCH_USER, FakeSmtpServer, SeenEnvelope
from .spamd import FakeSpamd, SpamVerdict

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
