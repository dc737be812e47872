"""`eximunit-bdd replay`: what would a configuration change do to the mail the server
really got? Exim's logs are read into decisions, each distinct one is replayed as an
`exim -bh` session against the new configuration (and the old one), and every decision
that would change is shown. Exit 0: nothing changes; 1: something does; 2: a usage
error, or decisions Exim could not replay (the comparison is not whole)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from ..errors import InvalidInputError, NetworkUnavailableError
from ..exim.options import EximOptions
from ..fakes.dns_network import DnsNetwork
from ..oneshot.config import EximConfig
from ..replay.comparison import compare
from ..replay.features import write_features
from ..replay.log_reader import LogStats, open_logs, read_decisions
from ..replay.summary import summary_text
from ..report.replay_page import render_replay
from ..text import counted

__all__ = ["add_replay_command", "run_replay"]

_HOST_RISK = (
    "replaying on the machine's own network: Exim's DNS lookups (blocklists, SPF, client names) "
    "ask the real resolver and answer as the world does today, not as it did then, and the "
    "configuration's SQL and LDAP lookups, readsocket and run reach the real servers. Callouts "
    "stay off (-bh)."
)


def add_replay_command(commands: Any) -> None:
    replay = commands.add_parser(
        "replay",
        help="replay Exim's logs against a changed configuration and show what would change",
        description="Read Exim main and reject logs (gzipped too; - for stdin), replay each distinct "
        "SMTP decision they record as an exim -bh session against NEW, and show every decision "
        "that differs from the log's, or with --against, from OLD's. Nothing is delivered and, "
        "by default, nothing leaves a private network. Logs hold people's addresses: the report "
        "and the features are local files.",
    )
    replay.add_argument("logs", nargs="+", metavar="LOG", help="main or reject logs; - reads stdin")
    replay.add_argument(
        "--config", metavar="NEW", help="the configuration to try (default: the installed one)"
    )
    replay.add_argument("--against", metavar="OLD", help="compare with this configuration, not with the log")
    replay.add_argument("--report", metavar="FILE.html", help="also write the result as an HTML page")
    replay.add_argument("--features", metavar="DIR", help="write the differing decisions as a .feature suite")
    replay.add_argument("--all", action="store_true", help="with --features: every distinct decision")
    replay.add_argument(
        "--keep", choices=("new", "old"), default="new", help="the configuration the features claim (new)"
    )
    replay.add_argument(
        "-j", "--jobs", type=_positive, default=os.cpu_count() or 1, help="sessions at once (CPUs)"
    )
    replay.add_argument(
        "--network", choices=("private", "host"), default="private", help="where Exim runs (private)"
    )
    replay.add_argument("--timeout", type=float, default=10.0, help="seconds for each Exim reply (10)")


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of sessions: write 1 or more")
    return int(text)


def run_replay(arguments: argparse.Namespace) -> int:
    if arguments.all and not arguments.features:
        raise InvalidInputError("--all is for --features DIR: name the directory to write the suite in.")
    if arguments.keep == "old" and not arguments.against:
        raise InvalidInputError("--keep old needs --against OLD: there is no old configuration to keep.")
    if arguments.report and not Path(arguments.report).absolute().parent.is_dir():
        raise InvalidInputError(f"--report {arguments.report}: its directory does not exist.")
    stats = LogStats()
    lines = open_logs(arguments.logs, stats)
    network = None
    if arguments.network == "private":
        try:
            # Before any thread starts: this process moves in, so every Exim starts inside.
            network = DnsNetwork(arguments.timeout, own_process=True).start()
        except NetworkUnavailableError as error:
            raise NetworkUnavailableError(
                f"{error} Or say --network host, knowing that {_HOST_RISK}"
            ) from None
    else:
        print(f"eximunit-bdd replay: {_HOST_RISK}", file=sys.stderr)
    try:
        where = network.network if network is not None else None
        new = EximOptions(config=arguments.config, callouts=False, timeout=arguments.timeout, network=where)
        old = (
            EximOptions(config=arguments.against, callouts=False, timeout=arguments.timeout, network=where)
            if arguments.against
            else None
        )
        for options in (new, old):
            if options is not None:  # a missing or broken configuration: a usage error, before any replay
                EximConfig(options=options).check()
        comparison = compare(read_decisions(lines, stats), new, old, arguments.jobs)
    finally:
        if network is not None:
            network.close()
    new_name = arguments.config or "the installed configuration"
    sys.stdout.write(summary_text(comparison, new_name, stats.skipped_lines()))
    if stats.messages_without_recipients:
        print(
            f"Accepted messages whose recipients the log does not name: {stats.messages_without_recipients}."
        )
    if not comparison.read:
        named = ", ".join(arguments.logs)
        print(
            f"eximunit-bdd replay: no SMTP decision in {named}: are they Exim's main or reject logs?",
            file=sys.stderr,
        )
    if arguments.report:
        Path(arguments.report).write_text(
            render_replay(comparison, new_name, f"logs: {', '.join(arguments.logs)}")
        )
    if arguments.features:
        chosen = comparison.compared if arguments.all else comparison.differences
        kept = arguments.config if arguments.keep == "new" else arguments.against
        configuration = Path(kept).absolute() if kept else None  # None: the installed one
        written = write_features(chosen, Path(arguments.features), configuration, arguments.keep)
        print(f"Wrote {counted(written.read_text().count('  Scenario: '), 'scenario')} to {written}")
    if comparison.errors:
        return 2  # Exim could not decide: the comparison is not whole
    return 1 if comparison.differences else 0
