"""Every infrastructure error, provoked for real, says what went wrong and what to do."""

from __future__ import annotations

import shutil
import time

import pytest

from eximunit_bdd import (
    ConfigPermissionError,
    EximConfig,
    EximConfigError,
    EximCrashedError,
    EximNotFoundError,
    EximSession,
    ReplyTimeoutError,
)

from .conftest import MINIMAL, running_as_root


def test_exim_not_found_names_the_path_tried(private_tmp, tmp_path):
    missing = tmp_path / "sbin" / "exim4"
    with pytest.raises(EximNotFoundError) as caught:
        EximSession("192.0.2.1", exim=str(missing), config=MINIMAL)
    assert str(missing) in str(caught.value) and "apt-get install exim4-daemon-heavy" in str(caught.value)


def test_rejected_configuration_quotes_exim_and_the_line(private_tmp, tmp_path):
    config = tmp_path / "broken.conf"
    config.write_text(
        MINIMAL.read_text().replace("keep_environment =", "keep_environment =\nno_such_option = 1")
    )
    config.chmod(0o644)
    with pytest.raises(EximConfigError) as caught:
        EximSession("192.0.2.1", config=config)
    message = str(caught.value)
    assert 'option "no_such_option" unknown' in message
    assert f"of {config}" in message and "| no_such_option = 1" in message


def test_missing_configuration_file(private_tmp, tmp_path):
    with pytest.raises(EximConfigError, match="does not exist"):
        EximSession("192.0.2.1", config=tmp_path / "nope.conf")


@pytest.mark.skipif(not running_as_root(), reason="Exim checks the owner and mode only when run as root")
def test_world_writable_configuration_as_root_says_how_to_fix_it(private_tmp, tmp_path):
    config = tmp_path / "exim.conf"
    shutil.copy(MINIMAL, config)
    config.chmod(0o666)
    with pytest.raises(ConfigPermissionError) as caught:
        EximSession("192.0.2.1", config=config)
    assert f"chmod go-w {config}" in str(caught.value)


@pytest.mark.skipif(running_as_root(), reason="as root Exim refuses such a file, tested above")
def test_unprivileged_any_readable_configuration_is_accepted(private_tmp, tmp_path):
    config = tmp_path / "exim.conf"
    shutil.copy(MINIMAL, config)
    config.chmod(0o666)
    with EximSession("192.0.2.1", config=config) as session:
        assert session.greeting.code == 220


def test_reply_timeout_names_the_command_and_the_wait_and_stops_exim(private_tmp, silent_port):
    session = EximSession("192.0.2.1", config=MINIMAL, macros={"HANG_PORT": str(silent_port)}, timeout=0.5)
    session.mail_from("a@example.net")
    started = time.monotonic()
    with pytest.raises(ReplyTimeoutError) as caught:
        session.send_rcpt_to("b@test.example")
    assert time.monotonic() - started < 5
    assert "No complete reply to RCPT TO:<b@test.example> within 0.5 s" in str(caught.value)
    assert isinstance(caught.value, TimeoutError) and not session.is_open
    # private_tmp checks that the Exim process and the sandbox are gone


@pytest.mark.skipif(running_as_root(), reason="as root Exim can chown its spool files")
def test_unprivileged_data_without_exim_user_explains_the_fix(private_tmp):
    session = EximSession("192.0.2.1", config=MINIMAL, macros={"NO_EXIM_USER": None})
    session.mail_from("a@example.net").rcpt_to("b@test.example")
    with pytest.raises(EximCrashedError, match="exim_user = EXIMUNIT_USER"):
        session.send_message("Subject: x\n\nbody\n")


def test_a_configuration_that_ignores_the_sandbox_is_refused_with_the_block_to_add(tmp_path, private_tmp):
    block = ".ifdef EXIMUNIT_SPOOL\nspool_directory = EXIMUNIT_SPOOL\n.endif\n"
    live = tmp_path / "live-spool"
    ignoring = tmp_path / "ignoring.conf"
    ignoring.write_text(f"spool_directory = {live}\n" + MINIMAL.read_text().replace(block, ""))
    attempts = [
        lambda: EximSession("192.0.2.1", config=ignoring),
        lambda: EximConfig(ignoring).route("a@b.test"),
    ]
    for attempt in attempts:
        with pytest.raises(EximConfigError) as caught:
            attempt()
        message = str(caught.value)
        assert f"under test its spool_directory is still {live}" in message
        assert ".ifdef EXIMUNIT_SPOOL\n  spool_directory = EXIMUNIT_SPOOL\n  .endif" in message
    # Refused before anything was written there (as root, Exim makes the directory at start).
    assert not live.exists() or not any(live.iterdir())
