"""`eximunit-bdd init`: write a ready policy suite (features, glue, behave.ini, a
README for members) from the files in `starter_kit/`."""

from __future__ import annotations

import unicodedata
from importlib import resources
from pathlib import Path
from string import Template

from ..errors import InvalidInputError, WouldOverwriteError

__all__ = ["STARTER_FILES", "write_starter"]

#: The files `init` writes, relative to the suite's directory.
STARTER_FILES = (
    "behave.ini",
    "environment.py",
    "steps/eximunit.py",
    "features/relaying.feature",
    "README.md",
)
_SYSTEM_CONFIG_LINE = (
    "# exim_config = /path/to/a/test/copy/of/exim4.conf\n"
    "#   (without it, the configuration installed on this machine is tested, as it is)"
)


def write_starter(directory: str | Path, config: str | Path | None = None, force: bool = False) -> list[Path]:
    """Write the starter suite into `directory` (created if missing) and return the
    files written. `config` is the Exim configuration its behave.ini names (None: the
    system configuration). Existing files are left alone, and nothing at all is
    written, unless `force`."""
    target = Path(directory)
    if target.exists() and not target.is_dir():
        raise InvalidInputError(f"{target} is a file, not a directory: name a directory for the suite.")
    contents = {name: _kit_file(name) for name in STARTER_FILES}
    contents["behave.ini"] = Template(contents["behave.ini"]).substitute(exim_config=_config_line(config))
    existing = [name for name in STARTER_FILES if (target / name).exists()]
    if existing and not force:
        raise WouldOverwriteError(
            f"{target} already has {', '.join(existing)}; nothing was written. "
            "Choose an empty directory, or add --force to overwrite these files.",
            existing,
        )
    written = []
    for name, text in contents.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _kit_file(name: str) -> str:
    kit_file = resources.files("eximunit_bdd").joinpath("cli").joinpath("starter_kit")
    for part in name.split("/"):
        kit_file = kit_file.joinpath(part)
    return kit_file.read_text(encoding="utf-8")


def _config_line(config: str | Path | None) -> str:
    """`exim_config = /abs/path`: absolute, so behave finds it from the suite's directory;
    written so that behave's configparser reads back exactly that path."""
    if config is None:
        return _SYSTEM_CONFIG_LINE
    path = Path(config).expanduser().resolve()
    if not path.is_file():
        raise InvalidInputError(
            f"The Exim configuration {config} does not exist: name an existing file, "
            "or leave out --config to test the system configuration."
        )
    unfit = _unfit_for_ini(str(path))
    if unfit:
        raise InvalidInputError(
            f"The Exim configuration's path {str(path)!r} {unfit}, which behave.ini cannot hold "
            "(an ini value is one line, its ends trimmed): rename the file or a directory "
            "on its way, or link it from a plain path, and name that."
        )
    return "exim_config = " + str(path).replace("%", "%%")  # configparser's interpolation


_CONTROL_NAMES = {"\n": "a newline", "\r": "a carriage return", "\t": "a tab"}


def _unfit_for_ini(value: str) -> str | None:
    """What in `value` a one-line ini value cannot keep, in words; None if nothing."""
    for character in value:
        if unicodedata.category(character) == "Cc":
            return "has " + _CONTROL_NAMES.get(character, f"a control character ({character!r})")
        if unicodedata.category(character) == "Cs":
            return "has a byte that is not UTF-8"
    if value != value.strip():
        return "ends in a space"
    return None
