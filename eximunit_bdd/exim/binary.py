"""Finding the Exim binary."""

from __future__ import annotations

import os
import shutil

from ..errors import EximNotFoundError

__all__ = ["find_exim"]

_DEFAULT_NAMES = ("exim4", "exim")
_SBIN = "/usr/sbin"

def find_exim(name: str | os.PathLike[str] | None = None) -> str:
    """The path of the Exim binary: `name` if given, else `exim4` then `exim`,
    each on PATH or in /usr/sbin (which an unprivileged PATH often lacks).

    Raises EximNotFoundError naming every place tried.
    """
    names = [os.fspath(name)] if name else list(_DEFAULT_NAMES)
    tried: list[str] = []
    for candidate in names:
        if os.sep in candidate:
            tried.append(candidate)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return os.path.abspath(candidate)
            continue
        found = shutil.which(candidate) or shutil.which(candidate, path=_SBIN)
        tried.append(f"{candidate} (on PATH and in {_SBIN})")
        if found:
            return found
    raise EximNotFoundError(
        "Exim was not found; tried: " + ", ".join(tried) + ". Install it "
        "(Debian/Ubuntu: apt-get install exim4-daemon-heavy) or name the binary "
        "with -D exim=/path/to/exim (Python: EximOptions(exim=...)).",
        tried,
    )
