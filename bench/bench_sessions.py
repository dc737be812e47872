"""How much eximunit-bdd costs over raw Exim: N scenarios through behave versus the
same dialogues piped at once into `exim -bh`. Prints both and the ratio.

    .venv/bin/python bench/bench_sessions.py --table [R] (every target below in one table; medians of R runs, 3)
    .venv/bin/python bench/bench_sessions.py [N]         (default 200; target: ratio <= 1.2)
    .venv/bin/python bench/bench_sessions.py [N] --hub   (with callouts to a fake hub)
    .venv/bin/python bench/bench_sessions.py [N] --routing (two -bt checks a scenario)
    .venv/bin/python bench/bench_sessions.py [N] --report  (writing the HTML report and JUnit XML)
    .venv/bin/python bench/bench_sessions.py [N] --dns     (DNS scenarios against plain ones)
    .venv/bin/python bench/bench_sessions.py [N] --hermetic (the private network against the host's)
    .venv/bin/python bench/bench_sessions.py [N] --live    (live scenarios against -bh ones)
    .venv/bin/python bench/bench_sessions.py [N] --replay  (log replay against raw -bh sessions)

With --hub, each scenario declares its own fake SMTP server "hub" and two recipients
are verified against it by callout (`-bhc`); the raw run uses one fake hub for all.
With --routing, each scenario checks two addresses' routing (`exim -bt`), against two
raw `exim -bt` runs. With --report, the plain scenarios also write the HTML report
(`-f eximunit_bdd.report:HtmlFormatter -o report.html`) and JUnit XML (`--junit`).
With --dns, N scenarios with a fake DNS (a blocklist entry; the recipient's domain has
blocklist, SPF and reverse DNS checks) run against N plain scenarios, both through
behave (target: ratio <= 3). With --hermetic, N plain scenarios run in the private
network (the default) and on the host's (`-D network=host`), alternately, five times
each; the medians and their ratio are printed (target: ratio <= 1.05). With --live, N
live scenarios (a daemon started, STARTTLS, AUTH, a message, the queue inspected, the
daemon stopped) run against N plain `-bh` scenarios, both through behave (target:
ratio <= 15); then one live scenario with N connections against one with a single
connection: each further connection against a `-bh` scenario (target: ratio <= 1).
With --replay, a log of N decisions (default 10,000; N/20 distinct) is replayed against
two configurations (`eximunit-bdd replay --against`, on all cores) against the raw `exim
-bh` sessions the distinct decisions need, run with the same parallelism (target: ratio
<= 1.5); then a million-line log's replay, whose peak memory is printed.

Every Python it starts reads compiled bytecode, as an installed package does (pip
compiles it): a PYTHONDONTWRITEBYTECODE in the environment (this machine's CI sets it)
would have each behave compile eximunit-bdd's source again; the bytecode goes to a
temporary PYTHONPYCACHEPREFIX, not into the checkout.

Not a test: timings depend on the machine; read the numbers, compare runs.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from eximunit_bdd import find_exim
from eximunit_bdd.exim.sandbox import caller_group, caller_user, sandbox_base
from eximunit_bdd.fakes import FakeSmtpServer

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "examples" / "coop" / "exim4.conf"

SCENARIO = """
  Scenario: policy check {n}
    Given a connection from 192.0.2.{host}
    When I send EHLO client.example
    And I send MAIL FROM <alice@example.net>
    Then it is accepted
    And RCPT TO <anna@coop.test> is accepted
    And RCPT TO <nobody@coop.test> is rejected with 550
    When I send QUIT
    Then the reply is 221
"""
RAW_DIALOGUE = (
    b"EHLO client.example\r\nMAIL FROM:<alice@example.net>\r\n"
    b"RCPT TO:<anna@coop.test>\r\nRCPT TO:<nobody@coop.test>\r\nQUIT\r\n"
)
HUB_SCENARIO = """
  Scenario: hub check {n}
    Given a fake SMTP server "hub" that accepts only these recipients:
      | address       |
      | bob@shop.test |
    And a connection from 192.0.2.{host}
    When I send MAIL FROM <alice@example.net>
    Then RCPT TO <bob@shop.test> is accepted
    And RCPT TO <nobody@shop.test> is rejected with 550
    When I send QUIT
    Then the reply is 221
"""
HUB_DIALOGUE = (
    b"EHLO client.example\r\nMAIL FROM:<alice@example.net>\r\n"
    b"RCPT TO:<bob@shop.test>\r\nRCPT TO:<nobody@shop.test>\r\nQUIT\r\n"
)

#: The plain scenario with a blocklist entry, to a recipient whose domain has DNS checks.
_BLOCKLIST_STEP = "    And the DNS blocklist bl.coop.test lists 203.0.113.1\n"
DNS_SCENARIO = (
    SCENARIO.replace("policy check", "DNS check")
    .replace("    When I send EHLO", _BLOCKLIST_STEP + "    When I send EHLO", 1)
    .replace("anna@coop.test", "gina@garden.test")
)

ROUTING_SCENARIO = """
  Scenario: routing check {n}
    Then mail for <anna@coop.test> is routed by router "mailboxes" to transport "mailbox"
    And mail for <postmaster@coop.test> is redirected to <anna@coop.test>
"""
ROUTING_RUNS = [["-bt", "anna@coop.test"], ["-bt", "postmaster@coop.test"]]


LIVE_SCENARIO = """
  Scenario: live check {n}
    Given the Exim server is running
    And a connection from 192.0.2.{host}
    When I send EHLO client.example
    And I start TLS
    And I send EHLO client.example
    And I authenticate as "anna@coop.test" with password "orchard"
    And I send MAIL FROM <anna@coop.test>
    And I send RCPT TO <anna@coop.test>
    And I send a message with subject "minutes"
    Then it is accepted
    And the message is queued
    And the queued message has the header "X-Coop-Checked"
"""
LIVE_CONNECTION = """
    Given a connection from 192.0.2.{host}
    When I send EHLO client.example
    And I send MAIL FROM <alice@example.net>
    Then RCPT TO <anna@coop.test> is accepted
    And RCPT TO <nobody@coop.test> is rejected with 550
    When I send QUIT
"""


REPORT_OPTIONS = ["-f", "eximunit_bdd.report:HtmlFormatter", "-o", "report.html", "--junit"]


def write_suite(workdir: Path, count: int, scenario: str, features: int = 1, steps: str = "") -> None:
    """`count` scenarios in `features` feature files under `workdir/features`, with
    eximunit's steps and hooks (or, with `steps`, those steps and no hooks)."""
    (workdir / "features" / "steps").mkdir(parents=True)
    (workdir / "features" / "steps" / "eximunit.py").write_text(steps or "from eximunit_bdd.steps import *\n")
    if not steps:
        (workdir / "features" / "environment.py").write_text("from eximunit_bdd.environment import *\n")
    for feature in range(features):
        numbers = range(feature, count, features)
        scenarios = "".join(scenario.format(n=n, host=n % 250 + 1) for n in numbers)
        (workdir / "features" / f"bench{feature}.feature").write_text(f"Feature: benchmark {feature}\n" + scenarios)


def run_timed(command: list[str], workdir: Path) -> tuple[float, int]:
    """Run `command` in `workdir`: its seconds and its peak memory (KB); exit if it failed."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = process.stdout.read() if process.stdout is not None else b""
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"the benchmark suite failed:\n{output.decode(errors='replace')}")
    return elapsed, usage.ru_maxrss


def run_behave(
    workdir: Path, count: int, scenario: str, *options: str, features: int = 1, steps: str = ""
) -> tuple[float, int]:
    """Write the suite (`write_suite`) and run behave on it: its seconds and peak memory
    (KB). `options` come first: behave gives its Nth `-o` to its Nth `-f`."""
    write_suite(workdir, count, scenario, features, steps)
    command = [sys.executable, "-m", "behave", *options, "-f", "null", "-D", f"exim_config={CONFIG}", "features"]
    return run_timed(command, workdir)


def time_behave(workdir: Path, count: int, scenario: str, *options: str, features: int = 1) -> float:
    return run_behave(workdir, count, scenario, *options, features=features)[0]


def time_raw(count: int, workdir: Path, runs: list[list[str]], dialogue: bytes = b"") -> float:
    """Run Exim with each of `runs` (arguments after the macros) per scenario; HOST in
    an argument becomes the scenario's client address."""
    spool = workdir / "spool"
    spool.mkdir()
    spool.chmod(0o777)
    command = [
        find_exim(),
        "-C",
        str(CONFIG),
        f"-DEXIMUNIT_SPOOL={spool}",
        f"-DEXIMUNIT_USER={caller_user()}",
        f"-DEXIMUNIT_GROUP={caller_group()}",
    ]
    started = time.perf_counter()
    for n in range(count):
        for run in runs:
            arguments = [arg.replace("HOST", f"192.0.2.{n % 250 + 1}") for arg in run]
            subprocess.run([*command, *arguments], input=dialogue, capture_output=True, check=True)
    return time.perf_counter() - started


def main() -> None:
    numbers = [arg for arg in sys.argv[1:] if arg.isdigit()]
    count = int(numbers[0]) if numbers else 200
    hub = "--hub" in sys.argv[1:]
    routing = "--routing" in sys.argv[1:]
    options = REPORT_OPTIONS if "--report" in sys.argv[1:] else []
    if "--table" in sys.argv[1:]:
        table(count if numbers else 3)
        return
    if "--dns" in sys.argv[1:]:
        compare_dns(count)
        return
    if "--hermetic" in sys.argv[1:]:
        compare_networks(count)
        return
    if "--live" in sys.argv[1:]:
        compare_live(count)
        return
    if "--replay" in sys.argv[1:]:
        compare_replay(count if numbers else 10_000)
        return
    # The raw spool sits where eximunit puts its sandboxes, so both pay the same for it.
    with (
        tempfile.TemporaryDirectory() as behave_dir,
        tempfile.TemporaryDirectory(dir=sandbox_base()) as raw_dir,
        FakeSmtpServer("hub", recipients=["bob@shop.test"]) as raw_hub,
    ):
        if hub:
            runs = [[f"-DHUB_PORT={raw_hub.port}", "-bhc", "HOST"]]
            raw = time_raw(count, Path(raw_dir), runs, HUB_DIALOGUE)
            suite = time_behave(Path(behave_dir), count, HUB_SCENARIO, *options)
        elif routing:
            raw = time_raw(count, Path(raw_dir), ROUTING_RUNS)
            suite = time_behave(Path(behave_dir), count, ROUTING_SCENARIO, *options)
        else:
            raw = time_raw(count, Path(raw_dir), [["-bh", "HOST"]], RAW_DIALOGUE)
            suite = time_behave(Path(behave_dir), count, SCENARIO, *options)
    mode = "-bhc piped, fake hub" if hub else "-bt, twice" if routing else "-bh piped"
    if options:
        print("behave writes the HTML report and JUnit XML")
    print(f"{count} scenarios, raw exim {mode}: {raw:6.2f} s  ({raw / count * 1000:5.1f} ms each)")
    print(f"{count} scenarios through behave: {suite:6.2f} s  ({suite / count * 1000:5.1f} ms each)")
    print(f"ratio behave / raw: {suite / raw:.2f}  (target <= 1.2; behave's start-up included)")


NOTHING_STEPS = "from behave import step\n\n\n@step('{anything}')\ndef anything(context, anything):\n    pass\n"


def _median_seconds(rounds: int, measure: Callable[[Path], float]) -> float:
    """The median of `rounds` measurements, each in a fresh temporary directory."""
    times = []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as workdir:
            times.append(measure(Path(workdir)))
    return statistics.median(times)


def _behavex(workdir: Path, count: int, scenario: str, scheme: str, features: int, steps: str = "") -> float:
    write_suite(workdir, count, scenario, features, steps)
    behavex = str(Path(sys.executable).parent / "behavex")
    out = tempfile.mkdtemp(prefix="bx-")  # a short path: multiprocessing's socket is made there
    try:
        command = [behavex, "features", "-D", f"exim_config={CONFIG}", "--parallel-processes",
                   str(os.cpu_count() or 2), "--parallel-scheme", scheme, "-o", out]  # fmt: skip
        return run_timed(command, workdir)[0]
    finally:
        subprocess.run(["rm", "-rf", out], check=False)


def _children_cpu(measure: Callable[[], object]) -> float:
    """The CPU seconds (user and system) of the processes `measure` ran and waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    measure()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def _import_ms(code: str, rounds: int = 7) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _peak_kb(workdir: Path, count: int, steps: str = "") -> int:
    return run_behave(workdir, count, SCENARIO, steps=steps)[1]


_KEPT = """
import sys, tracemalloc
tracemalloc.start(1)
from behave.__main__ import main
sys.argv = ["behave", "-f", "null", "-D", "exim_config=" + sys.argv[1], "features"]
code = main()
kept = sum(s.size for s in tracemalloc.take_snapshot().statistics("filename") if "eximunit_bdd" in s.traceback[0].filename)
print(kept)
sys.exit(code)
"""


def _kept_by_eximunit(workdir: Path, count: int) -> int:
    """Bytes that eximunit's own code allocated and still holds when a run of `count`
    scenarios ends (behave's model of the run aside)."""
    write_suite(workdir, count, SCENARIO)
    run = subprocess.run([sys.executable, "-c", _KEPT, str(CONFIG)], cwd=workdir, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"the benchmark suite failed:\n{run.stdout}{run.stderr}")
    return int(run.stdout.split()[-1])


def table(rounds: int = 3) -> None:
    """Every target of the speed issue in one table, each ratio measured in one run
    against its reference (medians of `rounds`, alternating)."""
    rows: list[tuple[str, str, str, bool]] = []

    raw_times, suite_times = [], []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(dir=sandbox_base()) as raw_dir, tempfile.TemporaryDirectory() as suite_dir:
            raw_times.append(time_raw(200, Path(raw_dir), [["-bh", "HOST"]], RAW_DIALOGUE))
            suite_times.append(time_behave(Path(suite_dir), 200, SCENARIO))
    raw, suite = statistics.median(raw_times), statistics.median(suite_times)
    ratio = suite / raw
    rows.append(("sequential: 200 scenarios, behave / raw exim -bh", f"{suite:.2f} s / {raw:.2f} s = {ratio:.2f}",
                 "<= 1.2", ratio <= 1.2))  # fmt: skip

    private_times, host_times = [], []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as other:
            private_times.append(time_behave(Path(one), 200, SCENARIO, "-D", "network=private"))
            host_times.append(time_behave(Path(other), 200, SCENARIO, "-D", "network=host"))
    private, host = statistics.median(private_times), statistics.median(host_times)
    ratio = private / host
    rows.append(("hermetic: private network / host network", f"{private:.2f} s / {host:.2f} s = {ratio:.2f}",
                 "<= 1.05", ratio <= 1.05))  # fmt: skip

    sequential = _median_seconds(rounds, lambda d: time_behave(d, 400, SCENARIO, features=8))
    by_feature = _median_seconds(rounds, lambda d: _behavex(d, 400, SCENARIO, "feature", 8))
    by_scenario = _median_seconds(1, lambda d: _behavex(d, 400, SCENARIO, "scenario", 8))
    ratio = by_feature / sequential
    cores = os.cpu_count() or 2
    rows.append((f"parallel: 400 scenarios, behavex per feature on {cores} cores / behave",
                 f"{by_feature:.2f} s / {sequential:.2f} s = {ratio:.2f}", "<= 0.7", ratio <= 0.7))  # fmt: skip
    rows.append(("  (behavex per scenario / behave, one run)", f"{by_scenario:.2f} s / {sequential:.2f} s = "
                 f"{by_scenario / sequential:.2f}", "-", True))  # fmt: skip
    # The least any runner can take on these cores: the CPU that Exim's own start-ups
    # and behavex's own work need, spread over every core.
    with tempfile.TemporaryDirectory(dir=sandbox_base()) as raw_dir, tempfile.TemporaryDirectory() as noop_dir:
        exim_cpu = _children_cpu(lambda: time_raw(400, Path(raw_dir), [["-bh", "HOST"]], RAW_DIALOGUE))
        behavex_cpu = _children_cpu(lambda: _behavex(Path(noop_dir), 400, SCENARIO, "feature", 8, NOTHING_STEPS))
    floor = (exim_cpu + behavex_cpu) / cores
    rows.append((f"  floor: (raw Exim's CPU + behavex's with steps doing nothing) / {cores} cores / behave",
                 f"({exim_cpu:.2f} s + {behavex_cpu:.2f} s) / {cores} = {floor:.2f} s = {floor / sequential:.2f}",
                 "-", True))  # fmt: skip

    plain = _median_seconds(1, lambda d: time_behave(d, 20, SCENARIO))
    live = _median_seconds(1, lambda d: time_behave(d, 20, LIVE_SCENARIO))
    ratio = live / plain
    rows.append(("live: 20 live scenarios / 20 -bh ones", f"{live:.2f} s / {plain:.2f} s = {ratio:.2f}",
                 "<= 15", ratio <= 15))  # fmt: skip

    ours = _import_ms("import eximunit_bdd.steps, eximunit_bdd.environment")
    behave_alone = _import_ms("import behave.__main__")
    nothing = _import_ms("pass")
    rows.append(("import eximunit_bdd.steps + environment (behave's own)",
                 f"{ours - nothing:.0f} ms ({behave_alone - nothing:.0f} ms)", "-", True))  # fmt: skip

    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        small, large = _peak_kb(Path(a), 200), _peak_kb(Path(b), 2000)
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        small_bare, large_bare = _peak_kb(Path(a), 200, NOTHING_STEPS), _peak_kb(Path(b), 2000, NOTHING_STEPS)
    rows.append(("peak memory, 200 / 2,000 scenarios (behave, steps doing nothing)",
                 f"{small / 1024:.0f} / {large / 1024:.0f} MB ({small_bare / 1024:.0f} / {large_bare / 1024:.0f} MB)",
                 "-", True))  # fmt: skip
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        kept_small, kept_large = _kept_by_eximunit(Path(a), 200), _kept_by_eximunit(Path(b), 1000)
    per_scenario = (kept_large - kept_small) / 800 / 1024  # KB
    rows.append(("  of it eximunit's, kept after 200 / 1,000 scenarios (tracemalloc)",
                 f"{kept_small / 1024:.0f} / {kept_large / 1024:.0f} KB = {per_scenario:.2f} KB a scenario",
                 "<= 1 KB", per_scenario <= 1))  # fmt: skip

    width = max(len(row[0]) for row in rows)
    value_width = max(len(row[1]) for row in rows)
    print(f"{'measure':<{width}}  {'result':<{value_width}}  target   met")
    for name, value, target, met in rows:
        print(f"{name:<{width}}  {value:<{value_width}}  {target:<7}  {'yes' if met else 'NO'}")
    print(f"(medians of {rounds} runs; Exim {find_exim()}, {cores} cores)")


def _print_suites(count: int, *suites: tuple[str, float]) -> None:
    """Each suite's time (its kind, seconds) for `count` scenarios, and a scenario's share."""
    for what, seconds in suites:
        each = seconds / count * 1000
        print(f"{count} {what} scenarios through behave: {seconds:6.2f} s  ({each:5.1f} ms each)")


def compare_dns(count: int) -> None:
    with tempfile.TemporaryDirectory() as plain_dir, tempfile.TemporaryDirectory() as dns_dir:
        plain = time_behave(Path(plain_dir), count, SCENARIO)
        with_dns = time_behave(Path(dns_dir), count, DNS_SCENARIO)
    _print_suites(count, ("plain", plain), ("DNS", with_dns))
    print(f"ratio DNS / plain: {with_dns / plain:.2f}  (target <= 3; the network is made once a run)")


def compare_networks(count: int, rounds: int = 5) -> None:
    """The hermetic default's cost: plain scenarios in the private network against the
    same on the machine's network, alternating, medians of `rounds`."""
    times: dict[str, list[float]] = {"private": [], "host": []}
    for _ in range(rounds):
        for network in times:
            with tempfile.TemporaryDirectory() as workdir:
                times[network].append(
                    time_behave(Path(workdir), count, SCENARIO, "-D", f"network={network}")
                )
    medians = {network: statistics.median(seconds) for network, seconds in times.items()}
    for network, seconds in medians.items():
        each = seconds / count * 1000
        print(f"{count} plain scenarios, network={network}: median {seconds:6.2f} s  ({each:5.1f} ms each)")
    print(f"ratio private / host: {medians['private'] / medians['host']:.3f}  (target <= 1.05)")


def compare_live(count: int) -> None:
    """What a live scenario costs against a -bh one, and what each further connection
    to a running live server costs."""
    with tempfile.TemporaryDirectory() as plain_dir, tempfile.TemporaryDirectory() as live_dir:
        plain = time_behave(Path(plain_dir), count, SCENARIO)
        live = time_behave(Path(live_dir), count, LIVE_SCENARIO)
    _print_suites(count, ("plain -bh", plain), ("live", live))
    print(f"ratio live / -bh: {live / plain:.2f}  (target <= 15; a daemon started and stopped each)")
    with tempfile.TemporaryDirectory() as one_dir, tempfile.TemporaryDirectory() as many_dir:
        head = "\n  Scenario: connections {n}\n    Given the Exim server is running"
        one = time_behave(Path(one_dir), 1, head + LIVE_CONNECTION.format(host=1))
        connections = "".join(LIVE_CONNECTION.format(host=n % 250 + 1) for n in range(count))
        many = time_behave(Path(many_dir), 1, head + connections)
    further = (many - one) / (count - 1) * 1000
    each_plain = plain / count * 1000
    print(f"each further connection to a running live server: {further:5.1f} ms")
    print(f"ratio further connection / -bh scenario: {further / each_plain:.2f}  (target <= 1)")
    phases = live_phases(max(5, min(count, 20)))
    print(
        "a live scenario's phases (medians): "
        + ", ".join(f"{name} {ms:5.1f} ms" for name, ms in phases.items())
    )


def _log_line(n: int, distinct: int) -> str:
    """A main-log line as Exim writes them: an accepted message or a relay refusal."""
    k = n % distinct
    host = f"[192.0.2.{k % 250 + 1}]"
    if k % 2:
        return (
            f"2026-12-01 03:36:12 H=(client{k}.example) {host} F=<sender{k}@example.net> "
            f"rejected RCPT <bob{k}@other.example>: relay attempt for bob{k}@other.example\n"
        )
    return (
        f"2026-12-01 03:36:12 1xYEf6-{n:06X}-0A <= sender{k}@example.net H=(client{k}.example) {host} "
        "P=esmtp S=320 for anna@coop.test\n"
    )


def compare_replay(count: int) -> None:
    """`eximunit-bdd replay --against` on a generated log against the raw -bh sessions
    of its distinct decisions (two configurations each), with the same parallelism."""
    import os
    import resource
    from concurrent.futures import ThreadPoolExecutor

    jobs = os.cpu_count() or 1
    distinct = max(2, count // 20)
    replay_main = "import sys; from eximunit_bdd.cli import main; sys.exit(main())"
    with tempfile.TemporaryDirectory() as workdir:
        log = Path(workdir) / "mainlog"
        log.write_text("".join(_log_line(n, distinct) for n in range(count)))
        started = time.perf_counter()
        command = [
            sys.executable,
            "-c",
            replay_main,
            "replay",
            "--config",
            str(CONFIG),
            "--against",
            str(CONFIG),
        ]
        run = subprocess.run([*command, "-j", str(jobs), str(log)], capture_output=True, text=True)
        replayed = time.perf_counter() - started
        if run.returncode != 0:
            sys.exit(f"the replay failed:\n{run.stdout}{run.stderr}")
        spool = Path(workdir) / "spool"
        spool.mkdir()
        spool.chmod(0o777)
        raw = [find_exim(), "-C", str(CONFIG), f"-DEXIMUNIT_SPOOL={spool}"]
        raw += [f"-DEXIMUNIT_USER={caller_user()}", f"-DEXIMUNIT_GROUP={caller_group()}"]

        def session(k: int) -> None:
            dialogue = f"EHLO client{k}.example\r\nMAIL FROM:<sender{k}@example.net>\r\n"
            recipient = f"bob{k}@other.example" if k % 2 else "anna@coop.test"
            dialogue += f"RCPT TO:<{recipient}>\r\nQUIT\r\n"
            subprocess.run(
                [*raw, "-bh", f"192.0.2.{k % 250 + 1}"], input=dialogue.encode(), capture_output=True
            )

        started = time.perf_counter()
        with ThreadPoolExecutor(jobs) as pool:
            list(pool.map(session, [k for k in range(distinct) for _ in range(2)]))  # two configurations
        raw_time = time.perf_counter() - started
        print(f"{count} logged decisions ({distinct} distinct), against two configurations, {jobs} cores:")
        print(
            f"  eximunit-bdd replay: {replayed:6.2f} s; raw exim -bh of the distinct ones: {raw_time:6.2f} s"
        )
        print(f"  ratio replay / raw: {replayed / raw_time:.2f}  (target <= 1.5)")
        million = Path(workdir) / "million"
        with open(million, "w") as big:
            for start in range(0, 1_000_000, 100_000):
                big.write("".join(_log_line(n, 200) for n in range(start, start + 100_000)))
        started = time.perf_counter()
        subprocess.run([*command, "-j", str(jobs), str(million)], capture_output=True, check=False)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        took = time.perf_counter() - started
        print(f"a million-line log (200 distinct): {took:6.1f} s, peak memory {peak:.0f} MB")


def live_phases(rounds: int) -> dict[str, float]:
    """Median milliseconds of each phase of a live scenario, through the Python API."""
    from eximunit_bdd import EximOptions
    from eximunit_bdd.exim.sandbox import Sandbox
    from eximunit_bdd.live import spool
    from eximunit_bdd.live.certificates import TestCA
    from eximunit_bdd.live.channel import LiveChannel
    from eximunit_bdd.live.server import LiveServer
    from eximunit_bdd.network.netns import PrivateNetwork
    from eximunit_bdd.smtp.session import EximSession

    times: dict[str, list[float]] = {"start": [], "TLS + AUTH + message": [], "inspection": [], "stop": []}
    with PrivateNetwork() as network, TestCA() as ca:
        network.add_address("192.0.2.1")
        certificate = ca.server_certificate("mx.coop.test")
        macros = {
            "EXIMUNIT_TLS_CERTIFICATE": str(certificate.certificate),
            "EXIMUNIT_TLS_PRIVATEKEY": str(certificate.private_key),
        }
        Path(f"{certificate.certificate}E").symlink_to(
            certificate.certificate.name
        )  # Exim's 23-character names
        for _ in range(rounds):
            sandbox = Sandbox()
            marks = [time.perf_counter()]
            server = LiveServer(
                EximOptions(config=CONFIG, network=network),
                network,
                sandbox,
                macros,
                ca=ca,
                certificate=certificate,
            ).start()
            marks.append(time.perf_counter())
            session = EximSession.over(LiveChannel(server, "192.0.2.1", "127.0.0.1", 25), "192.0.2.1")
            session.send("EHLO client.example")
            session.starttls()
            session.send("EHLO client.example")
            session.authenticate("anna@coop.test", "orchard")
            session.mail_from("anna@coop.test").rcpt_to("anna@coop.test").data("Subject: minutes\n\nhello\n")
            session.close()
            marks.append(time.perf_counter())
            spool.assert_header(spool.assert_queued(spool.queued_messages(sandbox.spool)), "X-Coop-Checked")
            marks.append(time.perf_counter())
            server.stop()
            sandbox.cleanup()
            marks.append(time.perf_counter())
            for name, start, end in zip(times, marks, marks[1:]):
                times[name].append((end - start) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def with_compiled_bytecode() -> tempfile.TemporaryDirectory[str]:
    """Let every Python this bench starts read and write bytecode in a temporary
    directory (removed when the returned one is), compiled once here."""
    cache = tempfile.TemporaryDirectory(prefix="bench-pycache-")
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = cache.name
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "eximunit_bdd")], check=True)
    return cache


if __name__ == "__main__":
    with with_compiled_bytecode():
        main()
