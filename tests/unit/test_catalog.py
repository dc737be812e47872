"""The step catalog: generated from the docstrings, complete, and checked in current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path, PurePosixPath

from behave.step_registry import registry

from eximunit_bdd.cli.catalog import catalog_entries, catalog_markdown
from eximunit_bdd.cli.main import main
from eximunit_bdd.cli.starter import STARTER_FILES

from ..conftest import ROOT
from .test_step_library import VOCABULARY, _match

CHECKED_IN = ROOT / "docs" / "steps.md"


def test_the_checked_in_catalog_is_current():
    assert CHECKED_IN.read_text() == catalog_markdown(), (
        "docs/steps.md is out of date: regenerate it with  eximunit-bdd steps > docs/steps.md"
    )


def test_every_vocabulary_phrase_is_in_the_catalog():
    patterns = {entry.pattern for entry in catalog_entries()}
    pattern_of = {m.func: m.pattern for matchers in registry.steps.values() for m in matchers}
    for line in VOCABULARY:
        assert pattern_of[_match(line).func] in patterns, line


def test_every_entry_says_what_it_checks_and_shows_an_example():
    entries = catalog_entries()
    assert len({entry.phrase for entry in entries}) == len(entries), "two steps read alike"
    for entry in entries:
        assert len(entry.explanation) > 20 and entry.example, entry
        keyword = entry.phrase.split(" ", 1)[0]
        assert entry.example.startswith(keyword + " "), entry


def test_phrases_read_like_the_vocabulary():
    phrases = {entry.phrase for entry in catalog_entries()}
    assert "When I send RCPT TO <ADDRESS>" in phrases
    assert 'Then mail for <ADDRESS> is routed by router "ROUTER" to transport "TRANSPORT"' in phrases
    assert "Then it is rejected with CODE" in phrases


def test_the_steps_command_prints_the_catalog(capsys):
    assert main(["steps"]) == 0
    assert capsys.readouterr().out == catalog_markdown()


def test_the_console_script_is_installed():
    script = Path(sys.executable).parent / "eximunit-bdd"
    run = subprocess.run([str(script), "steps"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("# Step catalog")


def test_the_wheel_carries_every_starter_kit_file():
    """`init` reads its files from the installed package: pyproject must ship them all."""
    import tomllib
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    package = ROOT / "eximunit_bdd"
    kit_directory = package / "cli" / "starter_kit"
    kit = [path for path in kit_directory.rglob("*") if path.is_file()]
    assert {path.relative_to(kit_directory).as_posix() for path in kit} >= set(STARTER_FILES)
    for path in [*kit, package / "py.typed"]:
        if "__pycache__" not in path.parts:
            relative = PurePosixPath(path.relative_to(package).as_posix())
            assert any(relative.match(pattern) for pattern in patterns["eximunit_bdd"]), relative
