"""The closest phrases for a misspelt step (issue 19, item 5) and the coverage file that
behavex's workers add to instead of overwriting (item 7)."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from eximunit_bdd.bdd import coverage_file
from eximunit_bdd.bdd.coverage import Counts, Coverage
from eximunit_bdd.bdd.coverage_file import run_key, save_coverage
from eximunit_bdd.bdd.suggestions import closest_phrases, phrase_of, registered_patterns, suggestions_text

PATTERNS = [
    "Given a connection from {ip}",
    "Given a connection from {ip} on port {port:d}",
    "When I send RCPT TO <{address}>",
    "Then RCPT TO <{address}> is rejected with {code:d}",
    'Then RCPT TO <{address}> is rejected with {code:d} "{text}"',
    "Then it is accepted",
    'Then the header "{name}" is added',
    "Then mail for {address:EximMailbox} is routed by router {router}",
]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Then RCPT TO <bob@x.test> is rejectd with 550", "Then RCPT TO <ADDRESS> is rejected with CODE"),
        ("Given a conection from 192.0.2.1", "Given a connection from IP"),
        ("Then it is acepted", "Then it is accepted"),
        ("Then the header X-Spam is added", 'Then the header "NAME" is added'),
        ("When I send RCPT TO bob@x.test", "When I send RCPT TO <ADDRESS>"),
        (
            "Then mail for <a@b.test> is routed by routr dnslookup",
            "Then mail for <ADDRESS> is routed by router ROUTER",
        ),
    ],
)
def test_the_closest_phrase_comes_first(typed, meant):
    assert closest_phrases(typed, PATTERNS)[0] == meant


def test_nothing_far_is_offered_and_at_most_three():
    assert closest_phrases("When I dance", PATTERNS) == []
    many = PATTERNS + ["Then RCPT TO <{a}> is x"]
    assert len(closest_phrases("Then RCPT TO <a@b> is rejected with 550", many, 3)) == 3


def test_capital_words_of_the_phrase_are_words_not_parameters():
    # RCPT and TO are literal: only {...} is a parameter.
    assert phrase_of("When I send RCPT TO <{address}>") == "When I send RCPT TO <ADDRESS>"
    assert closest_phrases("When I send RCPT TO <a@b.test>", PATTERNS)[0] == "When I send RCPT TO <ADDRESS>"


def test_the_run_s_registry_is_read_and_step_is_offered_under_each_keyword():
    matcher = SimpleNamespace(pattern="the suite's own {thing}")
    registry = SimpleNamespace(steps={"given": [], "when": [], "then": [], "step": [matcher]})
    assert registered_patterns(registry) == [
        "Given the suite's own {thing}",
        "When the suite's own {thing}",
        "Then the suite's own {thing}",
    ]


def test_the_text_after_a_run_lists_each_undefined_step_once():
    step = SimpleNamespace(keyword="Then ", name="it is acepted", location="features/a.feature:4")
    other = SimpleNamespace(keyword="When ", name="I dance", location="features/a.feature:5")
    text = suggestions_text([step, step, other], PATTERNS)
    assert text.splitlines() == [
        "eximunit: 2 steps are not defined (a misspelt phrase?):",
        "  features/a.feature:4: Then it is acepted",
        "    did you mean: Then it is accepted",
        "  features/a.feature:5: When I dance",
        "    no phrase is close: `eximunit-bdd steps` lists them all",
    ]
    assert suggestions_text([], PATTERNS) == ""


def _coverage(reached: str, scenarios: int = 1) -> Coverage:
    return Coverage("/c.conf", {"/c.conf": Counts(scenarios, Counter([reached]), Counter(), Counter())})


def test_a_plain_run_overwrites_an_old_file(tmp_path):
    path = tmp_path / "coverage.json"
    path.write_text(json.dumps({**json.loads(_coverage("/c.conf:1").to_json()), "run": "1:1"}))
    save_coverage(path, _coverage("/c.conf:9"))
    counts = Coverage.from_json(path.read_text()).counts["/c.conf"]
    assert counts.scenarios == 1 and dict(counts.reached) == {"/c.conf:9": 1}


def test_runs_of_the_same_key_add_up(tmp_path, monkeypatch):
    path = tmp_path / "coverage.json"
    monkeypatch.setattr(coverage_file, "run_key", lambda: "42:7")
    save_coverage(path, _coverage("/c.conf:1"))
    save_coverage(path, _coverage("/c.conf:1", 2))
    save_coverage(path, _coverage("/c.conf:3"))
    counts = Coverage.from_json(path.read_text()).counts["/c.conf"]
    assert counts.scenarios == 4 and dict(counts.reached) == {"/c.conf:1": 2, "/c.conf:3": 1}


def _worker(path: str, line: int, run: int) -> None:
    # As in a behavex worker: behavex imported, the parent a behavex process.
    sys.modules.setdefault("behavex", sys.modules[__name__])
    coverage_file._is_behavex = lambda pid: pid == run
    save_coverage(Path(path), _coverage(f"/c.conf:{line}"))


def test_forked_workers_of_one_run_share_its_key_and_a_file(tmp_path):
    path = tmp_path / "coverage.json"
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_worker, args=(str(path), line, os.getpid())) for line in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    counts = Coverage.from_json(path.read_text()).counts["/c.conf"]
    assert counts.scenarios == 8 and len(counts.reached) == 8
    assert json.loads(path.read_text())["run"] == run_key()  # this process's: the "behavex" one


def test_behavex_is_known_by_its_program_not_by_a_word_further_on(tmp_path):
    script = tmp_path / "behavex"
    script.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(30)\n")
    script.chmod(0o755)
    shell = subprocess.Popen(["sh", "-c", "sleep 30; : behavex -D coverage=c.json"])
    console = subprocess.Popen([str(script), "features"])
    try:
        time.sleep(0.3)  # the script's interpreter has exec'd
        assert coverage_file._is_behavex(console.pid)
        assert not coverage_file._is_behavex(shell.pid)
    finally:
        for process in (shell, console):
            process.kill()
            process.wait()
