"""Records what a queue-only Exim daemon leaves after accepting a message, as root and
as an unprivileged user, for the unit tests of eximunit_bdd.live.spool and .logs.

Run as root from the repository root: .venv/bin/python tests/recorded/live/record.py [USER]

For each of root and USER: a daemon (`-bdf -odq -N -oY`, tests/configs/queue.conf) on
a free loopback port takes one message over SMTP (AUTH PLAIN, DSN options, one
recipient refused for the reject log) and is killed; then `exim -N -M ID` dry-runs it.
Written, WHO being root or user:
  queued.WHO.H        the message's -H file, as the daemon wrote it
  dryrun.WHO.txt      the command, its exit code, then stdout and stderr
  mainlog.WHO, rejectlog.WHO   the log files after both
  dryrun-as-root.root.txt      the dry run when exim_user is root (without
                      -DNO_EXIM_USER): Exim defers every address (fixed_never_users)
Nothing is delivered (-odq, -N); the remote domain's host is TEST-NET-1, never contacted.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from base64 import b64encode
from pathlib import Path

from eximunit_bdd.exim.process import kill_tree
from eximunit_bdd.network.ports import find_free_ports

EXIM = "/usr/sbin/exim4"
ROOT = Path(__file__).resolve().parents[3]
CONF = ROOT / "tests" / "configs" / "queue.conf"
OUT = Path(__file__).resolve().parent
MESSAGE = (
    "From: Sender <sender@example.org>\r\n"
    "To: anna@coop.test, bob@shop.test\r\n"
    "Subject: Hello\r\n"
    "  folded onto a second line\r\n"
    "X-Remove-Me: the data ACL removes this\r\n"
    "\r\n"
    "Body.\r\n"
)


def main() -> None:
    user = sys.argv[1] if len(sys.argv) > 1 else "eximunit-test"
    record("root", [], ["-DNO_EXIM_USER"], "root")
    record(user, ["runuser", "-u", user, "--"], [], "user")
    record("root", [], [], "root", dry_run_name="dryrun-as-root")


def record(owner: str, prefix: list[str], extra: list[str], who: str, dry_run_name: str = "dryrun") -> None:
    """Queue one message as `owner` and dry-run it; write the files for `who` (only
    the dry run's when `dry_run_name` is not the usual one)."""
    usual = dry_run_name == "dryrun"
    group = subprocess.run(["id", "-gn", owner], capture_output=True, text=True, check=True).stdout.strip()
    work = Path(tempfile.mkdtemp(prefix="eximunit-record-", dir="/dev/shm"))
    try:
        work.chmod(0o777)
        spool, logs = work / "spool", work / "log"
        for directory in (spool, logs):
            directory.mkdir(mode=0o777)
            directory.chmod(0o777)
        macros = [f"-DEXIMUNIT_SPOOL={spool}", f"-DEXIMUNIT_USER={owner}", f"-DEXIMUNIT_GROUP={group}"]
        argv = [*prefix, EXIM, "-C", str(CONF), *macros, f"-DEXIMUNIT_LIVE={logs}", *extra]
        queue_one(argv)
        [header_file] = (spool / "input").glob("*-H")
        message_id = header_file.name[:-2]
        if usual:
            shutil.copyfile(header_file, OUT / f"queued.{who}.H")
        done = subprocess.run(argv + ["-N", "-M", message_id], capture_output=True, text=True)
        (OUT / f"{dry_run_name}.{who}.txt").write_text(
            f"$ exim -C queue.conf -D... -N -M {message_id}\nexit {done.returncode}\n"
            f"--- stdout\n{done.stdout}--- stderr\n{done.stderr}"
        )
        assert not (spool / "mailboxes").exists(), "something was delivered"
        for name in ("mainlog", "rejectlog", "paniclog"):
            if usual and (logs / name).exists():
                shutil.copyfile(logs / name, OUT / f"{name}.{who}")
    finally:
        shutil.rmtree(work)


def queue_one(argv: list[str]) -> None:
    """Start a queue-only daemon, give it one message over SMTP, kill it."""
    [port] = find_free_ports(1)
    daemon = subprocess.Popen(argv + ["-bdf", "-odq", "-N", "-oY", "-oX", f"{port}:127.0.0.1"])
    try:
        with connect(port, daemon) as conversation:
            converse(conversation)
    finally:
        kill_tree(daemon)
        daemon.wait()


def connect(port: int, daemon: subprocess.Popen[bytes]) -> socket.socket:
    deadline = time.monotonic() + 10
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=5)
        except ConnectionRefusedError:
            if time.monotonic() > deadline or daemon.poll() is not None:
                raise
            time.sleep(0.05)


def converse(sock: socket.socket) -> None:
    reader = sock.makefile("rb")

    def expect(code: str) -> None:
        while True:
            line = reader.readline().decode()
            if not line.startswith(code):
                raise RuntimeError(f"expected {code}, got {line!r}")
            if line[3:4] != "-":
                return

    def say(command: str, code: str) -> None:
        sock.sendall(command.encode() + b"\r\n")
        expect(code)

    expect("220")
    say("EHLO client.example.org", "250")
    say("AUTH PLAIN " + b64encode(b"\0sender@example.org\0secret").decode(), "235")
    say("MAIL FROM:<sender@example.org> RET=HDRS ENVID=env-1", "250")
    say("RCPT TO:<anna@coop.test>", "250")
    say("RCPT TO:<bob@shop.test> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;bob@shop.test", "250")
    say("RCPT TO:<someone@elsewhere.test>", "550")
    say("DATA", "354")
    sock.sendall(MESSAGE.encode() + b".\r\n")
    expect("250")
    say("QUIT", "221")


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
