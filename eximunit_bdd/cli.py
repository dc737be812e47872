"""The `eximunit-bdd` command: `init` writes a starter policy suite, `steps` prints
the step catalog."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from .catalog import catalog_markdown
from .errors import EximUnitError
from .starter import write_starter

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        if arguments.command == "init":
            return _init(arguments)
        sys.stdout.write(catalog_markdown())
        return 0
    except (EximUnitError, OSError) as error:
        print(f"eximunit-bdd {arguments.command}: {error}", file=sys.stderr)
        return 1


def _init(arguments: argparse.Namespace) -> int:
    written = write_starter(arguments.directory, arguments.config, arguments.force)
    print(f"Wrote a policy suite in {arguments.directory}:")
    for path in written:
        print(f"  {path}")
    tested = arguments.config or "the system configuration"
    print(f"Run it there with: behave   (it tests {tested}; behave.ini names it)")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eximunit-bdd",
        description="Test an Exim configuration with Gherkin specs (run them with behave).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    init = commands.add_parser(
        "init",
        help="write a ready policy suite: an example feature, the glue, behave.ini, a README",
        description="Write a ready policy suite into DIRECTORY: features/ with a commented "
        "example, environment.py and steps/eximunit.py, a behave.ini naming the Exim "
        "configuration and the HTML report, and a README for members. Then run behave there.",
    )
    init.add_argument("directory", nargs="?", default=".", metavar="DIRECTORY", help="where (default: here)")
    init.add_argument(
        "--config",
        metavar="PATH",
        help="the Exim configuration to test (default: the one installed on this machine)",
    )
    init.add_argument("--force", action="store_true", help="overwrite the suite's files if they exist")
    commands.add_parser(
        "steps", help="print the step catalog (Markdown): every phrase, what it checks, an example"
    )
    return parser


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
