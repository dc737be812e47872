"""Faults around the run against the real Exim: a sandbox place that cannot work, a
killed run's sandboxes, Exim's logs kept off the machine's, the machine's own daemons'
Unix sockets hidden from scenarios (issue 19, items 12, 13, 16, 18)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from eximunit_bdd import EximConfig, EximConfigError, EximSession, SandboxError
from eximunit_bdd.exim.sandbox import remove_stale_sandboxes

from ..conftest import ROOT
from .conftest import MINIMAL, running_as_root

as_root = pytest.mark.skipif(
    not running_as_root(), reason="needs root (a mount namespace, the machine's logs)"
)


def _python(script: str, *prefix: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, sys.executable, "-c", textwrap.dedent(script)],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_session_with_a_missing_tmpdir_says_what_to_set(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path / "missing"))
    with pytest.raises(SandboxError, match="Set TMPDIR"):
        EximSession("192.0.2.1", config=MINIMAL)
    with pytest.raises(SandboxError, match="Set TMPDIR"):
        EximConfig(MINIMAL).expand("x")


@as_root
def test_a_sandbox_filesystem_under_check_spool_space_is_refused_not_a_452(tmp_path):
    small = tmp_path / "small"
    small.mkdir()
    script = f"""
        from eximunit_bdd import EximSession
        try:
            print(EximSession("192.0.2.1", config={str(MINIMAL)!r}).mail_from("a@example.net"))
        except Exception as error:
            print(type(error).__name__, error)
    """
    mount = f'mount -t tmpfs -o size=9m eximunit-small {small} && exec "$@"'
    done = _python(
        script,
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "--",
        "sh",
        "-c",
        mount,
        "sh",
        env={"TMPDIR": str(small)},
    )
    assert done.stdout.startswith("SandboxError"), done.stdout + done.stderr
    assert "452 Space shortage" in done.stdout and "check_spool_space" in done.stdout


def test_a_killed_runs_sandbox_is_removed_by_the_next(private_tmp):
    script = """
        import os, signal
        from eximunit_bdd.exim.sandbox import Sandbox
        sandbox = Sandbox()
        print(sandbox.path, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """
    done = _python(script)
    assert done.returncode == -signal.SIGKILL
    left = Path(done.stdout.strip())
    assert left.parent == private_tmp and (left / "owner").is_file()  # kill -9 leaves it
    assert remove_stale_sandboxes() == [left]  # what a run's start (RunState.start) does
    assert not left.exists()


def test_a_run_removes_stale_sandboxes_at_its_start(private_tmp):
    done = _python(
        "from eximunit_bdd.exim.sandbox import Sandbox\nkept = Sandbox()\nimport os\nos.kill(os.getpid(), 9)"
    )
    assert done.returncode == -signal.SIGKILL and len(list(private_tmp.iterdir())) == 1
    from eximunit_bdd.bdd.run import RunState

    RunState().start({"exim_config": str(MINIMAL)})
    assert list(private_tmp.iterdir()) == []


_BROKEN_BY_A_MACRO = """\
.ifdef EXIMUNIT_SPOOL
spool_directory = EXIMUNIT_SPOOL
.endif
.ifdef EXIMUNIT_USER
exim_user = EXIMUNIT_USER
exim_group = EXIMUNIT_GROUP
.endif
.ifdef BROKEN
no_such_option = 1
.endif
begin acl
"""

PANICLOG = Path("/var/log/exim4/paniclog")


@as_root
@pytest.mark.skipif(not PANICLOG.parent.is_dir(), reason="no /var/log/exim4 here")
@pytest.mark.parametrize("question", ["option", "rewrite", "retry"])
def test_a_configuration_broken_by_a_macro_writes_nothing_into_the_machines_paniclog(
    private_tmp, tmp_path, question
):
    config = tmp_path / "broken.conf"
    config.write_text(_BROKEN_BY_A_MACRO)
    config.chmod(0o644)
    before = PANICLOG.stat().st_size if PANICLOG.exists() else 0
    exim = EximConfig(config, macros={"BROKEN": None})
    with pytest.raises(EximConfigError, match="no_such_option"):
        if question == "option":
            exim.option("spool_directory")
        elif question == "rewrite":
            exim.run("-brw", "a@b.example")
        else:
            exim.run("-brt", "a@b.example")
    after = PANICLOG.stat().st_size if PANICLOG.exists() else 0
    assert after == before, "Exim wrote into the machine's paniclog"


@as_root
def test_the_machines_daemons_unix_sockets_are_hidden_from_the_private_network(tmp_path):
    """A greylistd on the machine (simulated: in a mount namespace of the test's own, an
    empty /run with a socket at /run/greylistd/socket) answers Exim on the machine's
    network, and not inside the private network, where Exim -bh still works."""
    script = f"""
        import os, socket, subprocess, threading
        subprocess.run(["mount", "-t", "tmpfs", "machine-run", "/run"], check=True)
        os.makedirs("/run/greylistd")
        server = socket.socket(socket.AF_UNIX)
        server.bind("/run/greylistd/socket")
        server.listen()
        def serve():
            while True:
                connection, _ = server.accept()
                connection.recv(100)
                connection.sendall(b"grey")
                connection.close()
        threading.Thread(target=serve, daemon=True).start()
        from eximunit_bdd.network.netns import PrivateNetwork
        ask = ["exim4", "-C", {str(MINIMAL)!r}, "-be",
               "${{readsocket{{/var/run/greylistd/socket}}{{--grey x}}{{2s}}{{}}{{unreachable}}}}"]
        print("machine:", subprocess.run(ask, capture_output=True, text=True).stdout.strip())
        with PrivateNetwork() as network:
            inside = subprocess.run(network.command(ask), capture_output=True, text=True)
            print("private:", inside.stdout.strip())
            bh = subprocess.run(network.command(["exim4", "-C", {str(MINIMAL)!r}, "-bh", "192.0.2.1"]),
                                input="EHLO x\\r\\nQUIT\\r\\n", capture_output=True, text=True)
            print("bh:", bh.stdout.splitlines()[-1])
    """
    done = _python(
        script, "unshare", "--mount", "--propagation", "private", "--", env={"TMPDIR": str(tmp_path)}
    )
    assert "machine: grey" in done.stdout, done.stdout + done.stderr
    assert "private: unreachable" in done.stdout, done.stdout + done.stderr
    assert "bh: 221 " in done.stdout, done.stdout + done.stderr
