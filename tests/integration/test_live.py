"""Live mode against the real Exim daemon: nothing is ever delivered, nothing outlives a
scenario (a run killed with SIGKILL included), and faults end within the timeout with
what happened."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from eximunit_bdd import EximOptions, LiveServerError, ReplyTimeoutError
from eximunit_bdd.exim.sandbox import Sandbox, base_for_others, remove_stale_sandboxes
from eximunit_bdd.live import spool
from eximunit_bdd.live.certificates import TestCA
from eximunit_bdd.live.channel import LiveChannel
from eximunit_bdd.live.server import LiveServer
from eximunit_bdd.network.netns import PrivateNetwork
from eximunit_bdd.smtp.session import EximSession

from ..conftest import EXAMPLE_CONFIG, ROOT
from .conftest import CONFIGS

LIVE_FEATURE = """\
Feature: a live scenario that waits
  Scenario: the client stays silent a long time
    Given the Exim server is running
    And a connection from 192.0.2.1
    When I send EHLO client.example
    And I stay silent for 60 seconds
"""


def _reachable() -> str | None:
    """Where a daemon started by root (which runs as Exim's own user) can reach."""
    return base_for_others() if os.geteuid() == 0 else None


def _with_main_options(tmp_path: Path, name: str, options: str, acl: str = "") -> Path:
    """minimal.conf with more main options (and ACL statements) of a test's own."""
    text = (CONFIGS / "minimal.conf").read_text().replace("\nbegin acl\n", f"\n{options}\nbegin acl\n{acl}")
    config = tmp_path / name
    config.write_text(text)
    return config


def _live_processes() -> list[int]:
    """Processes of a live daemon (its namespace's shell, Exim, its children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"EXIMUNIT_LIVE=" in cmdline or b"eximunit-live\0" in cmdline:
                found.append(int(entry.name))
    return found


def _live_directories(kind: str = "live-") -> set[str]:
    return {
        str(path)
        for base in ("/dev/shm", "/tmp", os.environ.get("TMPDIR", "/tmp"))
        for path in Path(base).glob(f"eximunit-{kind}*")
    }


def _gone(deadline: float = 5.0) -> bool:
    end = time.monotonic() + deadline
    while _live_processes() and time.monotonic() < end:
        time.sleep(0.05)
    return not _live_processes()


@pytest.fixture
def network():
    with PrivateNetwork() as private:
        private.add_address("192.0.2.1")
        yield private


@pytest.fixture
def world(network, private_tmp):
    """A live daemon of the example configuration, with the sandbox it queues into."""
    sandbox = Sandbox(_reachable())
    ca = TestCA(_reachable())
    options = EximOptions(config=EXAMPLE_CONFIG, network=network)
    server = LiveServer(options, network, sandbox, ca=ca, certificate=ca.server_certificate("mx.coop.test"))
    try:
        yield server.start()
    finally:
        server.stop()
        ca.close()
        sandbox.cleanup()


def test_an_accepted_message_is_queued_never_delivered(world):
    """A local mailbox and a remote domain: after acceptance and a dry run, no delivery
    process ran, no mailbox was written, and the spool is removed with the scenario."""
    before = set(Path("/var/mail").glob("**/*")) if Path("/var/mail").exists() else set()
    session = EximSession.over(LiveChannel(world, "192.0.2.1", "127.0.0.1", 25), "192.0.2.1")
    session.send("EHLO laptop.example")
    assert session.authenticate("anna@coop.test", "orchard").code == 235
    session.send("MAIL FROM:<anna@coop.test>")
    session.assert_rcpt_to_accepted("anna@coop.test")
    session.assert_rcpt_to_accepted("friend@elsewhere.example")
    reply = session.send_message("Subject: to a member and a friend\n\nhello\n")
    assert reply.code == 250
    session.close()
    queued = spool.assert_queued(spool.queued_messages(world.sandbox.spool), count=1)
    run = spool.dry_run(world.options, world.sandbox.spool, queued.id, world.macros)
    assert len(run.deliveries) == 1 and run.deliveries[0].matches("anna@coop.test")
    assert any("friend@elsewhere.example" in failure for failure in run.failures)  # no DNS: it defers
    assert world.directory is not None
    logged = (world.directory / "mainlog").read_text()
    assert "<= anna@coop.test" in logged and "*> anna" in logged
    assert " => " not in logged and "Completed" not in logged  # nothing was delivered for real
    after = set(Path("/var/mail").glob("**/*")) if Path("/var/mail").exists() else set()
    assert after == before
    assert not Path("/var/mail/coop").exists()


def test_a_stopped_server_leaves_no_process_and_no_directory(network, private_tmp):
    sandbox = Sandbox(_reachable())
    server = LiveServer(EximOptions(config=EXAMPLE_CONFIG, network=network), network, sandbox).start()
    directory = server.directory
    assert directory is not None and directory.exists() and _live_processes()
    server.stop()
    server.stop()  # idempotent
    assert _gone() and not directory.exists()
    sandbox.cleanup()


def test_a_configuration_exim_refuses_fails_at_once_with_its_words(network, private_tmp):
    sandbox = Sandbox(_reachable())
    options = EximOptions(config=CONFIGS / "broken.conf", network=network)
    with pytest.raises(Exception, match="message_size_limt"):
        LiveServer(options, network, sandbox).start()
    assert _gone()
    sandbox.cleanup()


def test_a_connection_the_server_never_answers_times_out_and_leaves_nothing(network, private_tmp, tmp_path):
    # A connect ACL that waits 30 s: the greeting never comes within the 2 s timeout.
    config = _with_main_options(
        tmp_path, "slow.conf", "acl_smtp_connect = acl_slow", "acl_slow:\n  accept delay = 30s\n\n"
    )
    sandbox = Sandbox(_reachable())
    server = LiveServer(EximOptions(config=config, network=network, timeout=2), network, sandbox).start()
    try:
        started = time.monotonic()
        with pytest.raises(ReplyTimeoutError, match="No complete reply to the connection within 2 s"):
            EximSession.over(LiveChannel(server, "192.0.2.1", "127.0.0.1", server.ports[0]), "192.0.2.1")
        assert time.monotonic() - started < 5
    finally:
        server.stop()
        sandbox.cleanup()
    assert _gone()


def test_a_client_certificate_the_server_does_not_trust_fails_the_handshake(network, private_tmp, tmp_path):
    config = _with_main_options(
        tmp_path,
        "verify.conf",
        "tls_certificate = EXIMUNIT_TLS_CERTIFICATE\ntls_privatekey = EXIMUNIT_TLS_PRIVATEKEY\n"
        "tls_verify_certificates = EXIMUNIT_LIVE/ca.pem\ntls_verify_hosts = *",
    )
    sandbox, ca, stranger = Sandbox(_reachable()), TestCA(_reachable()), TestCA(_reachable())
    certificate = ca.server_certificate("mx.test")
    macros = {
        "EXIMUNIT_TLS_CERTIFICATE": str(certificate.certificate),
        "EXIMUNIT_TLS_PRIVATEKEY": str(certificate.private_key),
    }
    os.symlink(certificate.certificate.name, f"{certificate.certificate}E")  # Exim's 23-character macro names
    server = LiveServer(
        EximOptions(config=config, network=network), network, sandbox, macros, ca=ca, certificate=certificate
    )
    try:
        server.start()
        channel = LiveChannel(server, "192.0.2.1", "127.0.0.1", server.ports[0])
        channel.client_certificate = stranger.client_certificate("pc7.office.coop.test")
        session = EximSession.over(channel, "192.0.2.1")
        session.send("EHLO client.example")
        with pytest.raises((LiveServerError, Exception)) as failure:
            session.starttls()
            session.send("EHLO client.example")  # TLS 1.3 reports a refused certificate at the first read
        assert "TLS" in str(failure.value) or "closed" in str(failure.value)
        session.close()
    finally:
        server.stop()
        for each in (ca, stranger):
            each.close()
        sandbox.cleanup()
    assert _gone()


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_a_behave_run_killed_mid_scenario_leaves_no_daemon(tmp_path, signum):
    """Even SIGKILL, which runs no cleanup: the daemon's pid namespace dies with it."""
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "waits.feature").write_text(LIVE_FEATURE)
    (tmp_path / "features" / "environment.py").write_text("from eximunit_bdd.environment import *\n")
    (tmp_path / "features" / "steps").mkdir()
    (tmp_path / "features" / "steps" / "eximunit.py").write_text("from eximunit_bdd.steps import *\n")
    before, everything_before = _live_directories(), _live_directories("")
    run = subprocess.Popen(
        [sys.executable, "-m", "behave", "-D", f"exim_config={EXAMPLE_CONFIG}", "features"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not _live_processes():
            assert time.monotonic() < deadline and run.poll() is None, "the daemon never started"
            time.sleep(0.05)
        time.sleep(0.5)  # in the silent step now
        run.send_signal(signum)
        run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert _gone(), f"a live daemon outlived the run: {_live_processes()}"
    if signum != signal.SIGKILL:  # SIGKILL runs no cleanup: only the processes are sure to go
        assert _live_directories() <= before
    else:  # what it left (sandbox, network, CA, daemon directories) the next run removes
        left = _live_directories("") - everything_before
        # The CA's, the daemon's and the sandbox's (the network's own went once entered).
        kinds = {Path(path).name.split("-")[1] for path in left}
        assert kinds >= {"ca", "live"} and len(left) >= 3, left
        removed = {str(path) for path in remove_stale_sandboxes()}
        assert left <= removed, left - removed
    assert _live_directories("") <= everything_before
    assert ROOT.exists()


def test_a_configuration_without_the_certificate_block_says_which_block_to_add(network, private_tmp):
    # minimal.conf has no tls_certificate: Exim makes a self-signed one for STARTTLS.
    sandbox, ca = Sandbox(_reachable()), TestCA(_reachable())
    options = EximOptions(config=CONFIGS / "minimal.conf", network=network)
    server = LiveServer(options, network, sandbox, ca=ca, certificate=ca.server_certificate("mx.test"))
    try:
        server.start()
        session = EximSession.over(
            LiveChannel(server, "192.0.2.1", "127.0.0.1", server.ports[0]), "192.0.2.1"
        )
        session.send("EHLO client.example")
        with pytest.raises(LiveServerError, match="is not the one eximunit made for it") as failure:
            session.starttls()
        assert "tls_certificate = EXIMUNIT_TLS_CERTIFICATE" in str(failure.value)
        session.close()
    finally:
        server.stop()
        ca.close()
        sandbox.cleanup()
    assert _gone()


def test_a_port_already_taken_fails_at_once(network, private_tmp):
    sandbox = Sandbox(_reachable())
    options = EximOptions(config=CONFIGS / "minimal.conf", network=network, timeout=30)
    # Held for IPv6 and IPv4 (dual stack), as Exim would hold it: its bind() fails.
    with network.bound_socket("tcp", 25, "::") as taken:
        taken.listen()
        started = time.monotonic()
        with pytest.raises(LiveServerError, match="cannot listen: .*bind\\(\\) to port 25"):
            LiveServer(options, network, sandbox).start()
        assert time.monotonic() - started < 10  # not Exim's minutes of retrying
    sandbox.cleanup()
    assert _gone()


def test_a_configuration_that_would_log_to_the_machines_logs_is_refused(network, private_tmp):
    # acl.conf has no live block: its daemon would write to /var/log/exim4 (root) or nowhere.
    options = EximOptions(config=CONFIGS / "acl.conf", network=network)
    with pytest.raises(
        LiveServerError, match="would make the live daemon log to .*the machine's own"
    ) as failure:
        LiveServer(options, network).start()
    assert "log_file_path = EXIMUNIT_LIVE/%slog" in str(failure.value)
    assert _gone()
