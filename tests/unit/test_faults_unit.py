"""Faults around the run rather than the policy: where sandboxes go (TMPDIR missing,
read-only, full), what an interrupted or killed run leaves, the coverage file's place,
Exim's logs kept off the machine's (issue 19, items 12, 13, 16, 17, 18)."""

from __future__ import annotations

import argparse
import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from eximunit_bdd import errors
from eximunit_bdd.bdd.settings import coverage_from_userdata, options_from_userdata
from eximunit_bdd.cli.clean import add_clean_command, run_clean
from eximunit_bdd.errors import EximUnitError, InvalidInputError, SandboxError
from eximunit_bdd.exim import sandbox as sandbox_module
from eximunit_bdd.exim.sandbox import (
    SPOOL_SPACE_DEFAULT,
    Sandbox,
    check_free_space,
    check_sandbox_base,
    logs_hidden,
    remove_stale_sandboxes,
    sandbox_base,
)
from eximunit_bdd.exim.sandbox_check import spool_space
from eximunit_bdd.smtp import bh_channel

# ---- 12: TMPDIR missing, read-only, full ------------------------------------------


def test_a_missing_tmpdir_says_what_to_set(tmp_path, monkeypatch):
    missing = tmp_path / "no-such-directory"
    monkeypatch.setenv("TMPDIR", str(missing))
    with pytest.raises(SandboxError) as raised:
        Sandbox()
    message = str(raised.value)
    assert f"{missing} ($TMPDIR)" in message and "No such file or directory" in message
    assert "Set TMPDIR to a writable directory" in message
    with pytest.raises(SandboxError, match="it does not exist.*Set TMPDIR"):
        check_sandbox_base()


def test_a_read_only_tmpdir_says_what_to_set(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))

    def read_only(path, mode=0o777):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    monkeypatch.setattr(os, "mkdir", read_only)
    with pytest.raises(SandboxError, match=r"Read-only file system\. Set TMPDIR"):
        Sandbox()
    assert list(tmp_path.iterdir()) == []


def test_a_full_tmpdir_says_what_to_set(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))

    def full(path, mode=0o777):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(os, "mkdir", full)
    with pytest.raises(SandboxError, match="no space left on its filesystem. Set TMPDIR"):
        Sandbox()


def _free(monkeypatch, megabytes: int) -> None:
    class Stat:
        f_bavail = megabytes * 256
        f_frsize = 4096
        f_flag = 0

    monkeypatch.setattr(os, "statvfs", lambda path: Stat())


def test_a_filesystem_under_check_spool_space_is_refused_before_any_session(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    _free(monkeypatch, 9)  # a small container's /dev/shm
    with pytest.raises(SandboxError) as raised:
        check_sandbox_base()
    assert "452 Space shortage" in str(raised.value) and f"{tmp_path} ($TMPDIR)" in str(raised.value)
    with pytest.raises(SandboxError, match="has 9 MB free"):
        check_free_space(tmp_path, SPOOL_SPACE_DEFAULT)
    check_free_space(tmp_path, 1024 * 1024)  # a configuration asking less is content


def test_a_small_dev_shm_is_passed_over_for_the_system_temp_dir(monkeypatch):
    monkeypatch.delenv("TMPDIR", raising=False)
    _free(monkeypatch, 9)
    assert sandbox_base() is None  # tempfile's default
    _free(monkeypatch, 500)
    assert sandbox_base() in ("/dev/shm", None)


def test_the_userdata_check_refuses_a_sandbox_place_that_cannot_work(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path / "missing"))
    with pytest.raises(SandboxError, match="missing.*TMPDIR"):
        options_from_userdata({})


@pytest.mark.parametrize(
    "printed, expected",
    [("10M", 10 * 2**20), ("1536K", 1536 * 1024), ("2G", 2 * 2**30), ("100", 100 * 1024), ("0", 0), ("", 0)],
)
def test_check_spool_space_as_exim_prints_it(printed, expected):
    assert spool_space(printed) == expected


def test_sandbox_error_is_public_and_in_the_tree():
    assert issubclass(SandboxError, EximUnitError) and "SandboxError" in errors.__all__
    assert "SandboxError" in (errors.__doc__ or "")


# ---- 13: interrupted and killed runs ---------------------------------------------


def test_an_interrupt_while_the_sandbox_is_made_leaves_no_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "mkdir", interrupted)  # the spool, after the directory
    with pytest.raises(KeyboardInterrupt):
        Sandbox()
    assert list(tmp_path.iterdir()) == []


def test_a_sandbox_dropped_without_cleanup_is_removed(tmp_path):
    sandbox = Sandbox(str(tmp_path))
    assert sandbox.path.is_dir()
    del sandbox  # no reference: its finalizer removes it (at exit too)
    assert list(tmp_path.iterdir()) == []


def test_a_sandbox_names_its_owner(tmp_path):
    sandbox = Sandbox(str(tmp_path))
    try:
        pid, start, namespace, boot = (sandbox.path / "owner").read_text().split()
        assert int(pid) == os.getpid() and start.isdigit() and namespace.startswith("pid:")
    finally:
        sandbox.cleanup()


def test_release_interrupted_while_waiting_still_kills_exim(tmp_path, monkeypatch):
    process = subprocess.Popen(["sleep", "30"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    held = bh_channel._Held(Sandbox(str(tmp_path)), owns_sandbox=True, process=process)

    def interrupted(process, timeout):
        raise KeyboardInterrupt  # a second Ctrl-C, or SIGTERM, while Exim is given time

    monkeypatch.setattr(bh_channel, "_wait_for_exit", interrupted)
    with pytest.raises(KeyboardInterrupt):
        held.release()
    assert process.poll() is not None
    assert list(tmp_path.iterdir()) == []


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def _fake_sandbox(place: Path, name: str, owner: str | None) -> Path:
    directory = place / name
    (directory / "spool").mkdir(parents=True)
    if owner is not None:
        (directory / "owner").write_text(owner + "\n")
    return directory


def test_stale_sandboxes_of_gone_owners_are_removed_and_nothing_else(tmp_path):
    own = sandbox_module._owner_line(os.getpid()).split()
    dead = _fake_sandbox(tmp_path, "eximunit-dead", f"{_dead_pid()} 1 {own[2]} {own[3]}")
    reused = _fake_sandbox(tmp_path, "eximunit-reused", f"{os.getpid()} 1 {own[2]} {own[3]}")
    rebooted = _fake_sandbox(tmp_path, "eximunit-rebooted", f"{os.getpid()} {own[1]} {own[2]} other-boot")
    alive = Sandbox(str(tmp_path))
    unowned = _fake_sandbox(tmp_path, "eximunit-unowned", None)
    elsewhere = _fake_sandbox(tmp_path, "eximunit-elsewhere", f"{_dead_pid()} 1 pid:[1] {own[3]}")
    other = _fake_sandbox(tmp_path, "someone-else", " ".join(own))
    try:
        removed = remove_stale_sandboxes([str(tmp_path)])
        assert sorted(removed) == sorted([dead, reused, rebooted])
        for kept in (alive.path, unowned, elsewhere, other):
            assert kept.is_dir(), kept
    finally:
        alive.cleanup()


def test_the_clean_command(tmp_path, capsys):
    own = sandbox_module._owner_line(os.getpid()).split()
    dead = _fake_sandbox(tmp_path, "eximunit-dead", f"{_dead_pid()} 1 {own[2]} {own[3]}")
    parser = argparse.ArgumentParser()
    add_clean_command(parser.add_subparsers(dest="command"))
    assert run_clean(parser.parse_args(["clean", str(tmp_path)])) == 0
    assert not dead.exists() and f"removed {dead}" in capsys.readouterr().out
    with pytest.raises(InvalidInputError):
        run_clean(parser.parse_args(["clean", str(tmp_path / "missing")]))


# ---- 16: one-shot modes that write the paniclog run with the logs hidden --------------


def test_as_root_the_logging_modes_run_with_the_log_directory_hidden(monkeypatch):
    monkeypatch.setattr(sandbox_module, "LOG_PLACES", ("/var/log/exim4", "/no/such/exim/log"))
    monkeypatch.setattr(os.path, "isdir", lambda path: path == "/var/log/exim4")
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(sandbox_module, "_mount_namespaces", lambda: "/usr/bin/unshare")
    argv = logs_hidden(["/usr/sbin/exim4", "-C", "x.conf", "-bP", "spool_directory"])
    assert "--mount" in argv and argv[argv.index("--", 5) - 1] == "/var/log/exim4"
    assert argv[-5:] == ["/usr/sbin/exim4", "-C", "x.conf", "-bP", "spool_directory"]
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert logs_hidden(["exim4", "-bP"]) == ["exim4", "-bP"]  # cannot write the machine's logs


def test_where_no_mount_namespace_can_be_made_exim_runs_as_it_is(monkeypatch, tmp_path):
    # A container without CAP_SYS_ADMIN: `unshare --mount` is refused. Exim must still run.
    refusing = tmp_path / "unshare"
    refusing.write_text("#!/bin/sh\necho 'unshare: unshare failed: Operation not permitted' >&2\nexit 1\n")
    refusing.chmod(0o755)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(shutil, "which", lambda name: str(refusing))
    sandbox_module._mount_namespaces.cache_clear()
    try:
        assert logs_hidden(["exim4", "-C", "x.conf", "-bP"]) == ["exim4", "-C", "x.conf", "-bP"]
    finally:
        sandbox_module._mount_namespaces.cache_clear()


def _sandbox_of_a_dead_process(place: Path) -> Path:
    directory = place / "eximunit-deadbeef00"
    directory.mkdir()
    owner = subprocess.Popen(["sleep", "30"])
    (directory / "owner").write_text(sandbox_module._owner_line(owner.pid) + "\n")
    owner.kill()
    owner.wait()
    return directory


def test_an_owner_file_that_is_a_fifo_or_a_link_is_never_read(tmp_path):
    # /tmp and /dev/shm are anyone's: a FIFO must not hang every later run, a link to
    # /dev/zero must not fill the memory, and neither makes a directory removable.
    fifo, link = tmp_path / "eximunit-fifo", tmp_path / "eximunit-link"
    fifo.mkdir()
    os.mkfifo(fifo / "owner")
    link.mkdir()
    (link / "owner").symlink_to("/dev/zero")
    assert remove_stale_sandboxes([str(tmp_path)]) == []
    assert fifo.exists() and link.exists()
    stale = _sandbox_of_a_dead_process(tmp_path)
    assert remove_stale_sandboxes([str(tmp_path)]) == [stale]


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_sandbox_whose_owner_file_is_someone_elses_is_left_alone(tmp_path):
    stale = _sandbox_of_a_dead_process(tmp_path)
    os.chown(stale / "owner", 65534, 65534)  # nobody's file in root's directory
    assert remove_stale_sandboxes([str(tmp_path)]) == [] and stale.exists()


def test_a_directory_whose_owner_file_cannot_be_written_is_not_left(tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(SandboxError, match="no space left"):
        sandbox_module.owned_directory("ca", str(tmp_path))
    assert list(tmp_path.iterdir()) == []


# ---- 17: the coverage file, checked up front ------------------------------------------


def test_a_coverage_directory_is_refused_up_front(tmp_path):
    with pytest.raises(InvalidInputError, match="is a directory"):
        coverage_from_userdata({"coverage": str(tmp_path)})
    with pytest.raises(InvalidInputError, match="does not exist"):
        coverage_from_userdata({"coverage": str(tmp_path / "missing" / "coverage.json")})
    assert coverage_from_userdata({"coverage": str(tmp_path / "coverage.json")}) == str(
        tmp_path / "coverage.json"
    )
    assert coverage_from_userdata({}) is None


def test_the_userdata_check_refuses_a_coverage_directory(tmp_path):
    with pytest.raises(InvalidInputError, match="coverage=.*is a directory"):
        options_from_userdata({"coverage": str(tmp_path)})
