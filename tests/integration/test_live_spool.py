"""A message queued by the real Exim (tests/configs/queue.conf), read from the spool,
dry-run with `exim -N -M ID`, and nothing delivered."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from eximunit_bdd.errors import ConfigAssertionError, StepUsageError
from eximunit_bdd.exim.options import EximOptions
from eximunit_bdd.exim.sandbox import Sandbox
from eximunit_bdd.live.logs import (
    assert_log_contains,
    assert_would_deliver,
    assert_would_send_to_host,
    log_lines,
)
from eximunit_bdd.live.spool import (
    assert_for_recipient,
    assert_header,
    assert_no_header,
    assert_nothing_queued,
    assert_queued,
    dry_run,
    queued_messages,
)

from .conftest import CONFIGS

MESSAGE = "From: sender@example.org\nSubject: Hello\n  again\nX-Remove-Me: yes\n\nBody.\n"


@pytest.fixture
def sandbox(monkeypatch):
    """A sandbox in /dev/shm (unless TMPDIR says otherwise), with a log directory that
    Exim's own user reaches too: run as root, queue.conf leaves Exim its own user."""
    made = Sandbox()
    (made.path / "log").mkdir()
    (made.path / "log").chmod(0o777)
    yield made
    made.cleanup()


def options_for(sandbox: Sandbox, split: bool) -> EximOptions:
    macros: dict[str, str | None] = {"EXIMUNIT_LIVE": str(sandbox.path / "log")}
    if os.geteuid() == 0:
        macros["NO_EXIM_USER"] = None  # Exim never delivers as root, not even -N
    if split:
        macros["SPLIT"] = None
    return EximOptions(config=CONFIGS / "queue.conf", macros=macros)


def queue(options: EximOptions, sandbox: Sandbox) -> None:
    """`exim -odq -N -f SENDER RCPTS < MESSAGE`: accepted (acl_not_smtp), queued only."""
    argv = options.base_argv(sandbox.macros())
    argv += ["-odq", "-N", "-f", "sender@example.org", "--", "anna@coop.test", "bob@shop.test"]
    done = subprocess.run(argv, input=MESSAGE, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("split", [False, True], ids=["flat", "split"])
def test_a_queued_message_is_inspected_then_dry_run_and_nothing_is_delivered(sandbox, split):
    options = options_for(sandbox, split)
    spool = sandbox.spool
    queue(options, sandbox)
    assert list((spool / "input").glob("?/*-H") if split else (spool / "input").glob("*-H"))

    message = assert_queued(queued_messages(spool), 1)
    assert message.sender == "sender@example.org"
    assert_for_recipient(message, "anna@coop.test")
    assert_for_recipient(message, "bob@shop.test")
    assert_header(message, "Subject", "hello\n  AGAIN")
    assert_header(message, "X-Checked", "non-SMTP ACL")
    assert_no_header(message, "X-Remove-Me")
    assert message.variables["acl_m_verdict"] == "local"
    assert message.variables["received_protocol"] == "local"
    with pytest.raises(ConfigAssertionError, match="Queued:\n    " + message.id):
        assert_header(message, "X-Spam-Flag")

    result = dry_run(options, spool, message.id, {"EXIMUNIT_LIVE": str(sandbox.path / "log")})
    assert result.command == f"exim4 -N -M {message.id}"
    assert_would_deliver(result, "anna@coop.test", "mailboxes", "mailbox")
    assert_would_deliver(result, "bob@shop.test", "hub", "remote_smtp")
    assert_would_send_to_host(result, "192.0.2.25", "bob@shop.test")
    with pytest.raises(ConfigAssertionError, match="Exim logged"):
        assert_would_send_to_host(result, "192.0.2.99")
    assert result.failures == () and result.notifications == ()

    assert not (spool / "mailboxes").exists(), "the appendfile transport wrote a mailbox"
    assert_nothing_queued(queued_messages(spool))  # the dry run removed it
    assert [path.name for path in (spool / "input").rglob("*") if path.is_file()] == []
    assert_log_contains(sandbox.path / "log", "main", f"{message.id} *> bob@shop.test R=hub")
    assert not any("=> " in line for line in log_lines(sandbox.path / "log"))

    with pytest.raises(StepUsageError, match=f"Message {message.id} is not in the queue"):
        dry_run(options, spool, message.id)


def test_the_spool_of_a_fresh_sandbox_has_no_message(sandbox):
    assert queued_messages(Path(sandbox.spool)) == []
