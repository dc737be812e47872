"""The `eximunit-bdd` command: `eximunit-bdd steps` prints the step catalog."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from .catalog import catalog_markdown

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="eximunit-bdd",
        description="Test an Exim configuration with Gherkin specs (run them with behave).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "steps", help="print the step catalog (Markdown): every phrase, what it checks, an example"
    )
    arguments = parser.parse_args(argv)
    if arguments.command == "steps":
        sys.stdout.write(catalog_markdown())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
