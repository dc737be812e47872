"""A private temporary directory for each Exim run: spool, stderr capture."""

from __future__ import annotations

import functools
import grp
import os
import pwd
import shutil
import tempfile
from pathlib import Path

__all__ = ["Sandbox", "caller_user", "caller_group", "sandbox_base", "base_for_others"]

_MEMORY_FS = "/dev/shm"


@functools.cache
def caller_user() -> str:
    """The name of the user running the tests (the uid if it has no name)."""
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())


@functools.cache
def caller_group() -> str:
    """The name of the caller's primary group (the gid if it has no name)."""
    try:
        return grp.getgrgid(os.getegid()).gr_name
    except KeyError:
        return str(os.getegid())


def sandbox_base() -> str | None:
    """Where sandboxes are made: $TMPDIR if set; else /dev/shm, in memory, where making
    and removing one costs a quarter of what it does on disk; else the system default."""
    if os.environ.get("TMPDIR"):
        return os.environ["TMPDIR"]
    if os.path.isdir(_MEMORY_FS) and os.access(_MEMORY_FS, os.W_OK | os.X_OK):
        return _MEMORY_FS
    return None


def base_for_others() -> str | None:
    """Where to make directories that another user (Exim's own, for a daemon started
    by root) must reach: `sandbox_base()` when every directory on its path lets others
    through, else /dev/shm or /tmp (a private $TMPDIR, as pytest's, does not)."""
    for base in (sandbox_base(), _MEMORY_FS, tempfile.gettempdir()):
        path = Path(base or tempfile.gettempdir()).resolve()
        if path.is_dir() and all(os.stat(part).st_mode & 0o001 for part in (path, *path.parents)):
            return str(path)
    return sandbox_base()


class Sandbox:
    """A fresh directory with an empty `spool/`; `cleanup()` removes it all.

    The callout cache, rate limits and `seen` records live in the spool: the sessions of
    one scenario share one (a retry meets what the first connection left), and every
    scenario starts with a new one, so nothing leaks from one scenario into the next.
    """

    def __init__(self, base: str | None = None) -> None:
        """`base`: where to make it (default `sandbox_base()`)."""
        self.path = Path(tempfile.mkdtemp(prefix="eximunit-", dir=base or sandbox_base()))
        self.spool = self.path / "spool"
        self.spool.mkdir()
        if os.geteuid() == 0:
            # Run as root, Exim switches to its own user (Debian-exim) unless the
            # configuration sets exim_user; let that user reach the spool too.
            os.chmod(self.path, 0o711)
            os.chmod(self.spool, 0o777)

    def macros(self) -> dict[str, str]:
        """`EXIMUNIT_SPOOL`, `EXIMUNIT_USER` and `EXIMUNIT_GROUP` for a test configuration."""
        return {
            "EXIMUNIT_SPOOL": str(self.spool),
            "EXIMUNIT_USER": caller_user(),
            "EXIMUNIT_GROUP": caller_group(),
        }

    def stderr_file(self) -> Path:
        """A new file for one Exim run's stderr (the sessions of a scenario share the
        sandbox, each with a stderr of its own)."""
        handle, name = tempfile.mkstemp(prefix="exim-", suffix=".stderr", dir=self.path)
        os.close(handle)
        return Path(name)

    def cleanup(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
