"""The step catalog: generated from the docstrings, complete, and checked in current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path, PurePosixPath

from behave.step_registry import registry

from eximunit_bdd.cli.catalog import CatalogEntry, _docstring_parts, catalog_entries, catalog_markdown
from eximunit_bdd.cli.main import main
from eximunit_bdd.cli.starter import STARTER_FILES

from ..conftest import ROOT
from .test_packaging import pyproject
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
        assert '"""' not in entry.explanation and "Example:" not in entry.explanation, entry


def _entry(phrase: str) -> CatalogEntry:
    return next(entry for entry in catalog_entries() if entry.phrase == phrase)


def test_an_example_keeps_the_docstring_block_its_step_takes():
    entry = _entry("When I send the message:")
    assert entry.example == "When I send the message:"
    assert entry.argument == '"""\nSubject: minutes of the meeting\n\nSee you on Tuesday.\n"""'
    gherkin = (
        'When I send the message:\n  """\n  Subject: minutes of the meeting\n\n  See you on Tuesday.\n  """'
    )
    assert entry.gherkin == gherkin
    assert f"```gherkin\n{gherkin}\n```" in catalog_markdown()
    assert entry.explanation.endswith("(or DATA's own reply, if DATA was refused).")


def test_an_example_keeps_the_table_its_step_takes():
    entry = _entry("Then these recipients get these replies:")
    assert entry.argument.splitlines() == [
        "| address          | reply |",
        "| anna@coop.test   | 250   |",
        "| nobody@coop.test | 550   |",
    ]
    assert f"```gherkin\n{entry.gherkin}\n```" in catalog_markdown()
    assert entry.gherkin.splitlines()[1] == "  | address          | reply |"


def test_steps_without_an_argument_show_none():
    entry = _entry("When I send DATA")
    assert entry.argument == "" and entry.gherkin == "When I send DATA"


def test_the_docstring_around_the_example_is_the_explanation():
    doc = """Check a thing.

    Example: Then a table:
                 | a |

                 | b |
    More words after it.
    """
    assert _docstring_parts(doc) == ("Check a thing. More words after it.", "Then a table:", "| a |\n\n| b |")
    assert _docstring_parts("Only words,\n    on two lines.") == ("Only words, on two lines.", "", "")


def test_each_reply_subject_is_explained_and_shown_with_its_own_replies():
    """Not the generic "accepted with 250" and "354 after DATA" for a greeting."""
    greeting = _entry('Then the connection is accepted with CODE "TEXT"')
    assert greeting.example == 'Then the connection is accepted with 220 "mx.coop.test ESMTP"'
    assert "greeted with 220" in greeting.explanation and "354" not in greeting.explanation
    assert _entry("Then the connection is rejected with CODE").example.endswith("rejected with 550")
    for phrase in ["Then MAIL FROM <ADDRESS> is accepted", "Then RCPT TO <ADDRESS> is accepted"]:
        assert "354" not in _entry(phrase).explanation
    assert "354 after DATA" in _entry("Then it is accepted").explanation
    rcpt = _entry('Then RCPT TO <ADDRESS> is rejected with CODE "TEXT"').example
    assert rcpt == 'Then RCPT TO <nobody@coop.test> is rejected with 550 "no such user here"'
    assert _entry("Then RCPT TO <ADDRESS> is accepted").example == "Then RCPT TO <anna@coop.test> is accepted"


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
    patterns = pyproject()["tool"]["setuptools"]["package-data"]
    package = ROOT / "eximunit_bdd"
    kit_directory = package / "cli" / "starter_kit"
    kit = [path for path in kit_directory.rglob("*") if path.is_file()]
    assert {path.relative_to(kit_directory).as_posix() for path in kit} >= set(STARTER_FILES)
    for path in [*kit, package / "py.typed"]:
        if "__pycache__" not in path.parts:
            relative = PurePosixPath(path.relative_to(package).as_posix())
            assert any(relative.match(pattern) for pattern in patterns["eximunit_bdd"]), relative
