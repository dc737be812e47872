"""Records the main and reject logs of a real Exim daemon of the co-op example, for the
unit tests of eximunit_bdd.replay.log_reader.

Run as root from the repository root: .venv/bin/python tests/recorded/replay/record.py

Two live daemons (eximunit's live mode: a private network, `-odq -N`, nothing delivered)
of the co-op example serve the same traffic (`converse` below): several connections
held open at once and their commands interleaved, accepted mail (each accepted message
is dry-run at once, `exim -N -M`, so its `*>` lines land among other connections'
lines), relay attempts, unknown users, blocked senders and hosts, bad HELOs, an office
host relaying, a deferral at RCPT (migrating domain, DNS list without DNS), at MAIL
(rate limit) and after DATA (no virus scanner), a header syntax error after DATA, a
synchronization error, a dropped connection, IPv6.

  default.mainlog, default.rejectlog       examples/coop as it is (default log_selector)
  selectors.mainlog, selectors.rejectlog   a copy of it with SELECTORS below added
  default.mainlog.gz                       gzip of default.mainlog
  damaged.mainlog                          default.mainlog cut in the middle of a line,
                                           with binary garbage and a NUL line inserted
  bh-default.log, bh-selectors.log         the `LOG:` lines of `exim -bh` sessions (stderr)

The copy lives in a temporary directory; examples/coop is never changed.

Only root's way is recorded: a daemon started by an ordinary user writes the same lines
(tests/recorded/live/mainlog.user against mainlog.root: only a bounce's `U=` differs, the
user it runs as), and that user cannot run this venv's interpreter (under /root, 0700).
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Callable

from eximunit_bdd.exim.options import EximOptions
from eximunit_bdd.exim.sandbox import Sandbox, base_for_others
from eximunit_bdd.live import spool
from eximunit_bdd.live.certificates import TestCA
from eximunit_bdd.live.channel import LiveChannel
from eximunit_bdd.live.server import LiveServer
from eximunit_bdd.network.netns import PrivateNetwork
from eximunit_bdd.smtp.session import EximSession

ROOT = Path(__file__).resolve().parents[3]
COOP = ROOT / "examples" / "coop"
OUT = Path(__file__).resolve().parent
EXIM = "/usr/sbin/exim4"
SERVER = "192.0.2.25"
SERVER6 = "2001:db8::25"
CLIENTS = [
    "192.0.2.10", "192.0.2.11", "192.0.2.12", "192.0.2.13", "192.0.2.14", "192.0.2.15",
    "192.0.2.16", "203.0.113.66", "198.51.100.7", "2001:db8::7",
]  # fmt: skip
SELECTORS = """\
log_selector = +incoming_port +incoming_interface +received_recipients +received_sender \\
  +pid +millisec +smtp_connection +smtp_incomplete_transaction +smtp_no_mail \\
  +smtp_protocol_error +smtp_syntax_error +subject +tls_peerdn
log_timezone = true
host_lookup = <; 127.0.0.1 ; ::1
host_lookup_order = byaddr
"""
MESSAGE = "From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n\r\nHello.\r\n"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="eximunit-coop-", dir=base_for_others()) as work:
        os.chmod(work, 0o755)
        variant = Path(work) / "coop"
        shutil.copytree(COOP, variant)
        text = (variant / "exim4.conf").read_text()
        anchor = "primary_hostname = mx.coop.test\n"
        (variant / "exim4.conf").write_text(text.replace(anchor, anchor + SELECTORS))
        record_live(COOP / "exim4.conf", "default", converse)
        record_live(variant / "exim4.conf", "selectors", converse)
        record_bh(COOP / "exim4.conf", "bh-default.log")
        record_bh(variant / "exim4.conf", "bh-selectors.log")
    make_damaged()


def record_live(config: Path, name: str, script: Callable[[LiveServer], None], out: Path = OUT) -> None:
    with PrivateNetwork() as network:
        for address in [SERVER, SERVER6, *CLIENTS]:
            network.add_address(address)
        reachable = base_for_others() if os.geteuid() == 0 else None
        sandbox, ca = Sandbox(reachable), TestCA(reachable)
        options = EximOptions(config=config, network=network, timeout=15)
        certificate = ca.server_certificate("mx.coop.test")
        os.symlink(
            certificate.certificate.name, f"{certificate.certificate}E"
        )  # Exim's 23-character macro names
        macros = {
            "EXIMUNIT_TLS_CERTIFICATE": str(certificate.certificate),
            "EXIMUNIT_TLS_PRIVATEKEY": str(certificate.private_key),
        }
        server = LiveServer(options, network, sandbox, macros, ca=ca, certificate=certificate)
        try:
            server.start()
            script(server)
            time.sleep(0.3)  # the last connections' processes write their lines
            assert server.directory is not None
            for log in ("mainlog", "rejectlog"):
                shutil.copyfile(server.directory / log, out / f"{name}.{log}")
        finally:
            server.stop()
            ca.close()
            sandbox.cleanup()
    if name == "default":
        with (
            open(OUT / "default.mainlog", "rb") as plain,
            gzip.open(OUT / "default.mainlog.gz", "wb") as packed,
        ):
            shutil.copyfileobj(plain, packed)


def connect(server: LiveServer, client: str, port: int = 25) -> EximSession:
    target = SERVER6 if ":" in client else ("127.0.0.1" if client.startswith("127.") else SERVER)
    if client == "::1":
        target = "::1"
    return EximSession.over(LiveChannel(server, client, target, port), client)


def message(sender: str, to: str, subject: str) -> str:
    return MESSAGE.format(sender=sender, to=to, subject=subject)


def dry_run_all(server: LiveServer) -> None:
    """Each queued message dry-run now: its `*>` (or `==`, `**`) lines and `Completed`."""
    for message_id in spool.message_ids(server.sandbox.spool):
        spool.dry_run(server.options, server.sandbox.spool, message_id, server.macros)


def converse(server: LiveServer) -> None:
    # Four connections at once, their commands interleaved.
    a = connect(server, "192.0.2.10")
    b = connect(server, "192.0.2.11")
    c = connect(server, "192.0.2.12")
    d = connect(server, "203.0.113.66")  # blocked_hosts: refused at connect
    a.send("EHLO mail.example.org")
    b.send("EHLO relay.example.net")
    c.send("HELO 192.0.2.12")  # a bare IP: refused
    a.send("MAIL FROM:<alice@example.org>")
    b.send("MAIL FROM:<x@example.net>")
    c.send("EHLO [192.0.2.12]")
    a.send("RCPT TO:<anna@coop.test>")
    b.send("RCPT TO:<friend@elsewhere.example>")  # relay attempt
    c.send("MAIL FROM:<bulk@offers.example>")  # blocked sender
    b.send("RCPT TO:<nobody@coop.test>")  # unknown user
    a.send("RCPT TO:<erik@choir.test>")  # migrating domain: deferred
    c.send("MAIL FROM:<Joe@Spam.Example>")  # blocked sender (wildlsearch *@spam.example)
    b.send("RCPT TO:<postmaster@coop.test>")
    a.send("RCPT TO:<board@coop.test>")
    b.send_message(message("x@example.net", "postmaster@coop.test", "to the postmaster"))
    dry_run_all(server)
    a.send_message(message("alice@example.org", "anna@coop.test", "two recipients"))
    c.send("MAIL FROM:<>")
    c.send("RCPT TO:<postmaster@coop.test>")
    c.send_message(message("MAILER-DAEMON@example.com", "postmaster@coop.test", "a bounce"))
    for session in (a, b, c, d):
        session.send("QUIT") if session.is_open else None
        session.close()
    dry_run_all(server)

    # HELO with our own name; a header syntax error after DATA; no clamd after DATA.
    e = connect(server, "192.0.2.13")
    e.send("EHLO mx.coop.test")
    e.send("EHLO mail.example.com")
    e.send("MAIL FROM:<carol@example.com>")
    e.send("RCPT TO:<anna@coop.test>")
    e.send_message("From: carol@example.com\r\nTo: <<<broken\r\nSubject: bad header\r\n\r\nHi.\r\n")
    e.send("MAIL FROM:<carol@example.com>")
    e.send("RCPT TO:<info@bakery.test>")
    e.send("RCPT TO:<anna@coop.test>")
    e.send_message(message("carol@example.com", "info@bakery.test", "scanned for viruses"))
    e.send("QUIT")
    e.close()

    # A dictionary of garden recipients: no DNS here, the blocklist defers.
    f = connect(server, "192.0.2.14")
    f.send("EHLO garden-client.example")
    f.send("MAIL FROM:<dan@example.net>")
    f.send("RCPT TO:<gina@garden.test>")
    f.send("RCPT TO:<Anna@Coop.Test>")  # case kept as the client wrote it
    f.send("RSET")
    f.send("QUIT")
    f.close()

    # A rate-limited client: more than 3 messages an hour.
    g = connect(server, "192.0.2.15")
    g.send("EHLO busy.example.org")
    for number in range(5):
        reply = g.send(f"MAIL FROM:<news{number}@example.org>")
        if reply.code == 250:
            g.send("RCPT TO:<anna@coop.test>")
            g.send_message(message(f"news{number}@example.org", "anna@coop.test", f"news {number}"))
    g.send("QUIT")
    g.close()

    # The office relays (its sender is rewritten); a member logs in and relays.
    h = connect(server, "198.51.100.7")
    h.send("EHLO pc7.office.coop.test")
    h.send("MAIL FROM:<bob@pc7.office.coop.test>")
    h.send("RCPT TO:<friend@elsewhere.example>")
    h.send_message(message("bob@pc7.office.coop.test", "friend@elsewhere.example", "from the office"))
    h.send("QUIT")
    h.close()
    m = connect(server, "192.0.2.16")
    m.send("EHLO phone.example.net")
    m.authenticate("anna@coop.test", "orchard")
    m.send("MAIL FROM:<anna@coop.test>")
    m.send("RCPT TO:<friend@elsewhere.example>")
    m.send_message(message("anna@coop.test", "friend@elsewhere.example", "from a member's phone"))
    m.send("QUIT")
    m.close()
    dry_run_all(server)

    # The submission port without TLS; then with TLS, logged in.
    s = connect(server, "192.0.2.16", 587)
    s.send("EHLO laptop.example.net")
    s.send("MAIL FROM:<anna@coop.test>")
    s.starttls()
    s.send("EHLO laptop.example.net")
    s.authenticate("anna@coop.test", "orchard")
    s.send("MAIL FROM:<anna@coop.test>")
    s.send("RCPT TO:<friend@elsewhere.example>")
    s.send_message(message("anna@coop.test", "friend@elsewhere.example", "over TLS"))
    s.send("MAIL FROM:<anna@coop.test>")
    s.send("RCPT TO:<bea@bakery.test>")
    s.send("RSET")
    s.send("MAIL FROM:<anna@coop.test>")
    s.send("RCPT TO:<dora@bookshop.test>")
    s.send("QUIT")  # an incomplete transaction
    s.close()

    # IPv6: a relay attempt and a message; localhost (a name by host_lookup, if set).
    v = connect(server, "2001:db8::7")
    v.send("EHLO v6.example.net")
    v.send("MAIL FROM:<six@example.net>")
    v.send("RCPT TO:<someone@elsewhere.example>")
    v.send("RCPT TO:<anna@coop.test>")
    v.send_message(message("six@example.net", "anna@coop.test", "over IPv6"))
    v.send("QUIT")
    v.close()
    for client, helo in (("127.0.0.1", "localhost"), ("::1", "ip6-client.example")):
        local = connect(server, client)
        local.send(f"EHLO {helo}")
        local.send("MAIL FROM:<root@localhost.example>")
        local.send("RCPT TO:<postmaster@coop.test>")
        local.send_message(message("root@localhost.example", "postmaster@coop.test", f"from {client}"))
        local.send("QUIT")
        local.close()

    # A client that talks before the greeting; one that hangs up mid-transaction.
    early = server.network.bound_socket("tcp", 0, "192.0.2.13")
    early.settimeout(5)
    early.connect((SERVER, 25))
    early.sendall(b"EHLO early.example\r\n")
    early.recv(4096)
    early.close()
    lost = connect(server, "192.0.2.13")
    lost.send("EHLO gone.example")
    lost.send("MAIL FROM:<gone@example.com>")
    lost.send("RCPT TO:<anna@coop.test>")
    lost.drop()
    dry_run_all(server)


BH_SESSIONS = [
    ("192.0.2.11", ["EHLO relay.example.net", "MAIL FROM:<x@example.net>",
                    "RCPT TO:<friend@elsewhere.example>", "RCPT TO:<nobody@coop.test>",
                    "RCPT TO:<postmaster@coop.test>", "DATA", "Subject: hi\r\n\r\nbody\r\n.", "QUIT"]),
    ("192.0.2.12", ["HELO 192.0.2.12", "EHLO [192.0.2.12]", "MAIL FROM:<bulk@offers.example>", "QUIT"]),
    ("203.0.113.66", ["EHLO blocked.example", "QUIT"]),
    ("192.0.2.13", ["EHLO mail.example.com", "MAIL FROM:<carol@example.com>", "RCPT TO:<anna@coop.test>",
                    "DATA", "From: carol@example.com\r\nTo: <<<broken\r\n\r\nHi.\r\n.", "QUIT"]),
]  # fmt: skip


def record_bh(config: Path, name: str) -> None:
    """`exim -bh` sessions: their `LOG:` lines (stderr) are main log lines without
    the timestamp (with +pid or log_timezone, see EXIM-NOTES)."""
    sandbox = Sandbox()
    lines: list[str] = []
    try:
        macros = [f"-D{key}={value}" for key, value in sandbox.macros().items()]
        for client, commands in BH_SESSIONS:
            done = subprocess.run(
                [EXIM, "-C", str(config), *macros, "-bh", client],
                input="".join(command + "\r\n" for command in commands),
                capture_output=True, text=True, timeout=30,
            )  # fmt: skip
            lines += [line for line in done.stderr.splitlines() if line.startswith("LOG:")]
    finally:
        sandbox.cleanup()
    (OUT / name).write_text("".join(line + "\n" for line in lines))


def make_damaged() -> None:
    """default.mainlog with a NUL line, binary garbage between lines, an overlong line,
    and cut in the middle of its last-but-two line."""
    data = (OUT / "default.mainlog").read_bytes()
    lines = data.splitlines(keepends=True)
    middle = len(lines) // 2
    garbage = bytes(range(256)) * 3 + b"\n"
    damaged = b"".join(lines[:3]) + b"\0\0\0\0\n" + b"".join(lines[3:middle]) + garbage
    damaged += b"2026-12-01 99:99:99 H=(x) [999.1.1.1] F=<a> rejected RCPT\n"  # a bad time, a bad IP
    damaged += b"x" * 100_000 + b"\n" + b"".join(lines[middle:-2])
    damaged += lines[-2][: len(lines[-2]) // 2]
    (OUT / "damaged.mainlog").write_bytes(damaged)


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
