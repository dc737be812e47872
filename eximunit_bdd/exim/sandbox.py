"""A private temporary directory for each Exim run: spool, stderr capture.

Each sandbox holds a file `owner` (the pid, start time, pid namespace and boot of the
process that made it), so that a later run (or `eximunit-bdd clean`) can remove the
sandboxes of a run that was killed before it could (`remove_stale_sandboxes`).
"""

from __future__ import annotations

import errno
import functools
import grp
import os
import pwd
import secrets
import shutil
import stat
import subprocess
import tempfile
import weakref
from pathlib import Path
from typing import Iterable, Sequence

from ..errors import SandboxError

__all__ = [
    "Sandbox",
    "caller_user",
    "caller_group",
    "sandbox_base",
    "base_for_others",
    "check_sandbox_base",
    "check_free_space",
    "remove_stale_sandboxes",
    "sandbox_places",
    "SPOOL_SPACE_DEFAULT",
    "LOGGING_MODES",
    "logs_hidden",
    "LOG_PLACES",
    "free_space",
    "owned_directory",
]

_MEMORY_FS = "/dev/shm"
_PREFIX = "eximunit-"
_OWNER = "owner"
#: Exim's default check_spool_space: with less free in the spool, every MAIL FROM is
#: answered `452 Space shortage`.
SPOOL_SPACE_DEFAULT = 10 * 1024 * 1024
#: Room for the sandbox's own files (spool databases, stderr) and the test messages.
_MARGIN = 4 * 1024 * 1024
_WHAT_TO_SET = (
    "Set TMPDIR to a writable directory on a filesystem with room (at least {needed} MB free), "
    "for example TMPDIR=/tmp behave."
)


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
    and removing one costs a quarter of what it does on disk, when it has room for
    Exim's check_spool_space (a small container's has not); else the system default."""
    if os.environ.get("TMPDIR"):
        return os.environ["TMPDIR"]
    if os.path.isdir(_MEMORY_FS) and os.access(_MEMORY_FS, os.W_OK | os.X_OK):
        if free_space(_MEMORY_FS) >= SPOOL_SPACE_DEFAULT + _MARGIN:
            return _MEMORY_FS
    return None


def free_space(path: str | os.PathLike[str]) -> int:
    """Bytes free to an ordinary user on the filesystem of `path` (0 if it cannot be told)."""
    try:
        stat = os.statvfs(path)
    except OSError:
        return 0
    return stat.f_bavail * stat.f_frsize


def _where(base: str | None) -> str:
    """`base` named for a message, saying where it came from."""
    path = base or tempfile.gettempdir()
    return f"{path} ($TMPDIR)" if os.environ.get("TMPDIR") == base and base else path


def check_sandbox_base(base: str | None = None, needed: int = SPOOL_SPACE_DEFAULT) -> str:
    """The directory sandboxes are made in (`base`, default `sandbox_base()`), checked
    to exist, be writable and have `needed` bytes free (Exim's check_spool_space) and
    some; raises SandboxError saying what to set otherwise."""
    base = base or sandbox_base()
    path = base or tempfile.gettempdir()
    if not os.path.isdir(path):
        problem = "it does not exist" if not os.path.exists(path) else "it is not a directory"
    elif not os.access(path, os.W_OK | os.X_OK):
        problem = "this user cannot write there"
    elif os.statvfs(path).f_flag & os.ST_RDONLY:
        problem = "its filesystem is read-only"
    else:
        check_free_space(path, needed, base)
        return path
    raise SandboxError(
        f"Cannot make the test sandbox (Exim's spool for each run) in {_where(base)}: {problem}. "
        + _WHAT_TO_SET.format(needed=_megabytes(needed + _MARGIN))
    )


def check_free_space(path: str | os.PathLike[str], needed: int, base: str | None = None) -> None:
    """Raise SandboxError unless the filesystem of `path` has `needed` bytes free and
    some: Exim answers every MAIL FROM with `452 Space shortage` when its spool has less
    than check_spool_space, and every spec would fail as if the policy were wrong."""
    free = free_space(path)
    if free >= needed + _MARGIN:
        return
    where = _where(base) if base is not None else str(path)
    raise SandboxError(
        f"The test sandbox's filesystem ({where}) has {_megabytes(free)} MB free, and Exim needs "
        f"{_megabytes(needed)} MB in its spool (check_spool_space) or it answers every MAIL FROM "
        "with 452 Space shortage. " + _WHAT_TO_SET.format(needed=_megabytes(needed + _MARGIN))
    )


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.0f}" if size >= 2**20 else f"{size / 2**20:.1f}"


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
        """`base`: where to make it (default `sandbox_base()`).

        Raises SandboxError (saying what to set) when it cannot be made there."""
        base = base or sandbox_base()
        parent = Path(os.path.abspath(base or tempfile.gettempdir()))
        # The name is chosen, and its removal registered, before the directory exists:
        # an interruption at any point leaves nothing that nobody removes.
        self.path = parent / f"{_PREFIX}{secrets.token_hex(5)}"
        self.spool = self.path / "spool"
        self._remove = weakref.finalize(self, shutil.rmtree, str(self.path), ignore_errors=True)
        try:
            try:
                os.mkdir(self.path, 0o700)
            except FileExistsError as error:  # a name taken (1 in 2**40): not ours to remove
                self._remove.detach()
                raise _cannot_make(base, error) from None
            (self.path / _OWNER).write_text(_owner_line(os.getpid()) + "\n")
            self.spool.mkdir()
            if os.geteuid() == 0:
                # Run as root, Exim switches to its own user (Debian-exim) unless the
                # configuration sets exim_user; let that user reach the spool too.
                os.chmod(self.path, 0o711)
                os.chmod(self.spool, 0o777)
        except OSError as error:
            self._remove()
            raise _cannot_make(base, error) from None
        except BaseException:
            self._remove()
            raise

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
        try:
            handle, name = tempfile.mkstemp(prefix="exim-", suffix=".stderr", dir=self.path)
        except OSError as error:
            raise _cannot_make(str(self.path.parent), error) from None
        os.close(handle)
        return Path(name)

    def cleanup(self) -> None:
        """Remove the directory and all in it (once; also when the sandbox is dropped,
        or at the interpreter's exit, if never called)."""
        self._remove()


def owned_directory(prefix: str, base: str | None = None) -> Path:
    """A new directory `eximunit-PREFIX-*` in `base` (default `sandbox_base()`), with
    the owner file that lets `remove_stale_sandboxes` remove it once its process is
    gone (for the directories of a scenario's network, a live daemon, a throwaway CA)."""
    try:
        path = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{prefix}-", dir=base or sandbox_base()))
    except OSError as error:
        raise _cannot_make(base or sandbox_base(), error) from None
    try:
        (path / _OWNER).write_text(_owner_line(os.getpid()) + "\n")
    except BaseException as error:
        shutil.rmtree(path, ignore_errors=True)  # without its owner file nothing would remove it
        if isinstance(error, OSError):
            raise _cannot_make(base or sandbox_base(), error) from None
        raise
    return path


def _cannot_make(base: str | None, error: OSError) -> SandboxError:
    reason = error.strerror or str(error)
    if error.errno == errno.ENOSPC:
        reason = "no space left on its filesystem"
    return SandboxError(
        f"Cannot make the test sandbox (Exim's spool for each run) in {_where(base)}: {reason}. "
        + _WHAT_TO_SET.format(needed=_megabytes(SPOOL_SPACE_DEFAULT + _MARGIN))
    )


def _owner_line(pid: int) -> str:
    """`PID START PIDNS BOOT`: the process, when it started (clock ticks since boot, from
    /proc/PID/stat), its pid namespace and the boot: a pid alone may be reused."""
    return f"{pid} {_start_time(pid)} {_pid_namespace()} {_boot_id()}"


def _start_time(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[19].decode()  # field 22
    except (OSError, IndexError):
        return "-"


@functools.cache
def _pid_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid").replace(" ", "")
    except OSError:
        return "-"


@functools.cache
def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip() or "-"
    except OSError:
        return "-"


def _owner_fields(directory: Path) -> list[str]:
    """The owner file's fields, read safely from a directory anyone may have made
    (/tmp, /dev/shm): a regular file, not a link or a FIFO, owned with its directory
    by this user (root: by root or the directory's owner), at most 256 bytes; [] otherwise."""
    try:
        directory_stat = os.lstat(directory)
        descriptor = os.open(directory / _OWNER, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return []
    try:
        file_stat = os.fstat(descriptor)
        if os.geteuid() == 0:  # root's own, or one given to Exim's user (a live daemon's)
            mine = file_stat.st_uid in (0, directory_stat.st_uid)
        else:
            mine = file_stat.st_uid == directory_stat.st_uid == os.geteuid()
        if not stat.S_ISREG(file_stat.st_mode) or not mine:
            return []
        return os.read(descriptor, 256).decode("ascii").split()
    except (OSError, UnicodeDecodeError):
        return []
    finally:
        os.close(descriptor)


def _owner_gone(directory: Path) -> bool:
    """Whether `directory` is a sandbox eximunit made (it has the owner file) whose
    owner process has ended. Unknown owners (another pid namespace) are never gone."""
    fields = _owner_fields(directory)
    if len(fields) != 4 or not fields[0].isdigit():
        return False
    pid, start, namespace, boot = fields
    if boot != "-" and _boot_id() != "-" and boot != _boot_id():
        return True  # made before the machine last started
    if namespace != _pid_namespace() or start == "-":
        return False  # its pid means nothing here: leave it
    return _start_time(int(pid)) != start  # "-": no such process; else a new one has its pid


def sandbox_places() -> list[str]:
    """Every directory sandboxes may be made in: $TMPDIR, /dev/shm, the system's."""
    places = [sandbox_base(), os.environ.get("TMPDIR"), _MEMORY_FS, tempfile.gettempdir(), "/tmp"]
    seen: dict[str, None] = {}
    for place in places:
        if place and os.path.isdir(place):
            seen.setdefault(os.path.realpath(place))
    return list(seen)


def remove_stale_sandboxes(places: Iterable[str] | None = None) -> list[Path]:
    """Remove the sandboxes (`eximunit-*` directories with an owner file) whose owner
    process is gone (killed before it could remove them), in `places` (default
    `sandbox_places()`); return those removed. Nothing else is touched."""
    removed = []
    for place in sandbox_places() if places is None else places:
        try:
            entries = list(os.scandir(place))
        except OSError:
            continue
        for entry in entries:
            if not entry.name.startswith(_PREFIX) or not entry.is_dir(follow_symlinks=False):
                continue
            directory = Path(entry.path)
            if _owner_gone(directory):
                shutil.rmtree(directory, ignore_errors=True)
                if not directory.exists():
                    removed.append(directory)
    return removed


#: The one-shot modes in which Exim, given a configuration with an error, writes it
#: into the machine's paniclog (measured on 4.96: -bP, -brw, -brt; -bh, -bt, -bv, -be,
#: -bem, -bf and -bV write it to stderr only).
LOGGING_MODES = frozenset({"-bP", "-brw", "-brt"})
_HIDE_LOGS = (
    'while [ "$1" != -- ]; do mount -t tmpfs -o size=1m,mode=0700 eximunit-logs "$1" 2>/dev/null; '
    'shift; done; shift; exec "$@"'
)


def logs_hidden(argv: Sequence[str]) -> list[str]:
    """`argv` (an Exim command) run where Exim's log directories are empty and private:
    in a mount namespace of its own with a small tmpfs over each of `LOG_PLACES` that
    exists. Only root needs it (Exim run by anyone else with -C cannot write the
    machine's logs); a configuration with an error sets no log_file_path of its own, so
    what Exim would write about it goes to the compiled-in one. Costs about 3 ms
    (unshare, sh, mount), and no Exim run to find the places. Where no mount namespace
    can be made (a container without CAP_SYS_ADMIN), `argv` runs as it is: Exim works,
    and writes there as it would without eximunit."""
    if os.geteuid() != 0:
        return list(argv)
    unshare = _mount_namespaces()
    directories = [place for place in LOG_PLACES if os.path.isdir(place)]
    if unshare is None or not directories:
        return list(argv)
    return [
        unshare,
        "--mount",
        "--propagation",
        "private",
        "--",
        "/bin/sh",
        "-c",
        _HIDE_LOGS,
        "sh",
        *directories,
        "--",
        *argv,
    ]


@functools.cache
def _mount_namespaces() -> str | None:
    """`unshare`, if it can make a mount namespace here (a container without
    CAP_SYS_ADMIN, or one whose seccomp profile refuses unshare, cannot): asked once."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    try:
        probe = subprocess.run(
            [unshare, "--mount", "--propagation", "private", "true"], capture_output=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return unshare if probe.returncode == 0 else None


#: Where builds of Exim keep their logs (LOG_FILE_PATH): Debian's /var/log/exim4, Fedora's
#: and others' /var/log/exim, Exim's own default (the spool's log/).
LOG_PLACES = ("/var/log/exim4", "/var/log/exim", "/var/spool/exim/log", "/var/spool/exim4/log")
