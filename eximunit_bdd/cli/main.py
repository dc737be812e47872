"""The `eximunit-bdd` command: `init` writes a starter policy suite, `steps` prints
the step catalog, `coverage -- behave ...` reports the ACL coverage of a run, `replay`
replays Exim's logs against a changed configuration, `clean` removes the sandboxes of
killed runs."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Sequence

from .. import __version__
from ..bdd.coverage import Coverage, coverage_reports, coverage_text
from ..errors import EximConfigError, EximUnitError, InvalidInputError
from ..exim.options import EximOptions
from ..oneshot.options import configuration_file
from .catalog import catalog_markdown
from .clean import add_clean_command, run_clean
from .debian import TEST_CONFIGURATION, debian_copy_script, is_debians
from .replay import add_replay_command, run_replay
from .starter import write_starter

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        if arguments.command == "init":
            return _init(arguments)
        if arguments.command == "coverage":
            return _coverage(arguments)
        if arguments.command == "replay":
            return run_replay(arguments)
        if arguments.command == "clean":
            return run_clean(arguments)
        sys.stdout.write(catalog_markdown())
        return 0
    except (InvalidInputError, EximConfigError) as error:
        print(f"eximunit-bdd {arguments.command}: {error}", file=sys.stderr)
        return 2 if arguments.command == "replay" else 1
    except (EximUnitError, OSError) as error:
        print(f"eximunit-bdd {arguments.command}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"eximunit-bdd {arguments.command}: interrupted", file=sys.stderr)
        return 130


def _init(arguments: argparse.Namespace) -> int:
    written = write_starter(arguments.directory, arguments.config, arguments.force)
    print(f"Wrote a policy suite in {arguments.directory}:")
    for path in written:
        print(f"  {path}")
    if arguments.config:
        print(f"Run it there with: behave   (it tests {arguments.config}; behave.ini names it)")
        return 0
    try:
        installed = configuration_file(EximOptions())
    except EximUnitError as error:
        installed = f"whichever file Exim reads (it could not say: {error})"
    print(f"Run it there with: behave   (it tests {installed},")
    print("  the configuration installed on this machine, as it is)")
    if is_debians(installed):
        suite = Path(arguments.directory)
        print(
            "\nThat is Debian's generated configuration. To test a copy of it instead, with a spool and\n"
            "CONFDIR of the suite's own (nothing of the machine's is then used), run:\n\n"
            + debian_copy_script(suite)
            + f"\n\nthen name it in behave.ini: exim_config = {(suite / TEST_CONFIGURATION).absolute()}"
        )
    return 0


def _coverage(arguments: argparse.Namespace) -> int:
    """Run behave collecting coverage into a temporary file, then report it."""
    command = list(arguments.behave)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        raise InvalidInputError("name the behave run after --: eximunit-bdd coverage -- behave features/")
    if command[0] == "behave":
        command[:1] = [sys.executable, "-m", "behave"]
    with tempfile.TemporaryDirectory(prefix="eximunit-coverage-") as directory:
        collected = Path(directory) / "coverage.json"
        run = subprocess.run([*command, "-D", f"coverage={collected}"])
        if not collected.exists():
            print(
                f"eximunit-bdd coverage: behave wrote no coverage (it exited {run.returncode}).",
                file=sys.stderr,
            )
            return run.returncode or 1
        reports = coverage_reports(Coverage.from_json(collected.read_text()))
    text = coverage_text(reports)
    sys.stdout.write(text)
    if arguments.output:
        Path(arguments.output).write_text(text)
    if run.returncode:
        return run.returncode
    under = [
        report
        for report in reports
        if arguments.fail_under is not None and report.percent < arguments.fail_under
    ]
    for report in under:
        print(
            f"eximunit-bdd coverage: {report.percent:.0f}% of the ACL statements of {report.config} "
            f"were reached, under --fail-under {arguments.fail_under:g}.",
            file=sys.stderr,
        )
    return 2 if under else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eximunit-bdd",
        description="Test an Exim configuration with Gherkin specs (run them with behave).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
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
    coverage = commands.add_parser(
        "coverage",
        help="run behave and report which ACL statements and routers it reached",
        description="Run the behave command given after -- (eximunit-bdd coverage -- behave "
        "features/), then list every ACL statement of the configuration with how many "
        "scenarios reached it and how many it decided, the routers that -bt checks reached, "
        "and the statements never reached.",
    )
    coverage.add_argument(
        "--fail-under", type=float, metavar="PERCENT", help="exit 2 if fewer ACL statements were reached"
    )
    coverage.add_argument("--output", metavar="FILE", help="also write the report to FILE")
    coverage.add_argument("behave", nargs=argparse.REMAINDER, metavar="-- behave ARGS", help="the behave run")
    add_replay_command(commands)
    add_clean_command(commands)
    return parser


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
