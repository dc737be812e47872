"""`eximunit-bdd clean`: remove the sandboxes that killed test runs left behind.

Every run removes its own sandboxes, and the next run removes those of a run that was
killed before it could (`kill -9`); this command does the same on demand. Only
`eximunit-*` directories that eximunit made (they hold an `owner` file) and whose owner
process has ended are removed.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from ..errors import InvalidInputError
from ..exim.sandbox import remove_stale_sandboxes, sandbox_places

__all__ = ["add_clean_command", "run_clean"]


def add_clean_command(commands: Any) -> None:
    """Add `clean` to the command's subparsers `commands`."""
    clean = commands.add_parser(
        "clean",
        help="remove the sandboxes of test runs that were killed",
        description="Remove the test sandboxes (eximunit-* directories with an owner file) whose run "
        "has ended without removing them (killed with kill -9, a machine that lost power). Sandboxes "
        "of running tests, and anything eximunit did not make, are left alone.",
    )
    clean.add_argument(
        "directories",
        nargs="*",
        metavar="DIRECTORY",
        help="where to look (default: $TMPDIR, /dev/shm and the system's temporary directory)",
    )


def run_clean(arguments: argparse.Namespace) -> int:
    """Remove the stale sandboxes and say which; 0 even when there were none."""
    places = list(arguments.directories) or sandbox_places()
    for place in places:
        if not os.path.isdir(place):
            raise InvalidInputError(f"{place} is not a directory.")
    removed = remove_stale_sandboxes(places)
    for path in removed:
        print(f"removed {path}")
    print(
        f"{len(removed)} stale sandbox{'es' if len(removed) != 1 else ''} removed from {', '.join(places)}."
    )
    return 0
