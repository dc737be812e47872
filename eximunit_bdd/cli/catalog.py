"""The step catalog: every eximunit step with its phrase, what it checks and an
example, generated from the step functions' docstrings (never written by hand)."""

from __future__ import annotations

import inspect
import re
import textwrap
from dataclasses import dataclass

from ..bdd.suggestions import phrase_of

__all__ = ["CatalogEntry", "catalog_entries", "catalog_markdown", "SECTIONS"]

#: The step modules in catalog order, with the title of each one's section.
SECTIONS = {
    "configuration": "Which Exim, which configuration",
    "smtp": "An SMTP session",
    "replies": "Checking the reply",
    "decisions": "What the server decided besides the reply",
    "peers": "Fake peers",
    "dns": "A fake DNS: blocklists, SPF, DKIM, MX, the client's name",
    "routing": "Routing and verification",
    "inspection": "Expansions, options and the Exim build",
    "filters": "Filters: the system filter and users' Exim and Sieve filters",
    "rewriting": "Rewriting and retry rules",
    "live": "Live server: a real Exim daemon, TLS, pipelining, timeouts, connection limits",
    "queue": "Live server: the queued message and the logs",
}
_EXAMPLE = re.compile(r"^Example: (.+)$", re.M)
_INDENT = "  "  # a step's docstring block or table, under the step in the catalog's examples


@dataclass(frozen=True)
class CatalogEntry:
    """One step: `phrase` with its parameters in CAPITALS, `explanation` in plain
    words, an `example` line with the `argument` it takes (a docstring block or a
    table, as written under the step; "" for none), the `section` it belongs to and
    behave's `pattern`."""

    section: str
    pattern: str
    phrase: str
    explanation: str
    example: str
    line: int
    argument: str = ""

    @property
    def gherkin(self) -> str:
        """The example as it is written in a feature: the step, then its argument
        indented under it."""
        return "\n".join(
            [self.example, *(_INDENT + line if line else "" for line in self.argument.splitlines())]
        )


def catalog_entries() -> list[CatalogEntry]:
    """Every registered eximunit step, in catalog order (section, then source order)."""
    from behave.step_registry import registry

    from .. import steps  # noqa: F401 - registers the steps

    entries = []
    for keyword, matchers in registry.steps.items():
        for matcher in matchers:
            module = matcher.func.__module__
            if not module.startswith("eximunit_bdd.steps."):
                continue
            name = module.rsplit(".", 1)[1]
            if name not in SECTIONS:
                where = "eximunit_bdd.cli.catalog.SECTIONS"
                raise LookupError(f"steps module {module} has no section in {where}")
            explanation, example, argument = _docstring_parts(matcher.func.__doc__ or "")
            entries.append(
                CatalogEntry(
                    name,
                    matcher.pattern,
                    f"{keyword.capitalize()} {phrase_of(matcher.pattern)}",
                    explanation,
                    example,
                    int(str(matcher.location).rsplit(":", 1)[1]),
                    argument,
                )
            )
    order = list(SECTIONS)
    return sorted(entries, key=lambda entry: (order.index(entry.section), entry.line))


def catalog_markdown() -> str:
    """The whole catalog as a Markdown page (docs/steps.md)."""
    out = [
        "# Step catalog",
        "",
        "Every step of eximunit-bdd: the phrase to write (words in CAPITALS are yours to fill "
        "in), what it checks, and an example. Generated from the steps' docstrings by "
        "`eximunit-bdd steps`; do not edit by hand.",
        "",
        "In the routing steps, an address may be written with or without its <brackets>: in "
        "a Scenario Outline, `<address>` is a placeholder, so write `<<address>>` or "
        "`<address>`.",
    ]
    section = None
    for entry in catalog_entries():
        if entry.section != section:
            section = entry.section
            out += ["", f"## {SECTIONS[section]}"]
        out += ["", f"### {entry.phrase}", "", entry.explanation, "", "```gherkin", entry.gherkin, "```"]
    return "\n".join(out) + "\n"


def _docstring_parts(docstring: str) -> tuple[str, str, str]:
    """A step's docstring as (explanation, example step, its argument). The example is
    the `Example:` line; the lines indented under it are the docstring block or the
    table the step takes, kept as written (dedented, inner blank lines too). The rest
    of the docstring is the explanation, in one paragraph."""
    lines = inspect.cleandoc(docstring).splitlines()
    examples = [(index, match) for index, match in enumerate(map(_EXAMPLE.match, lines)) if match]
    if not examples:
        return " ".join(" ".join(lines).split()), "", ""
    start, example = examples[0]
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][:1].isspace()):
        end += 1
    argument = textwrap.dedent("\n".join(lines[start + 1 : end])).strip("\n")
    explanation = " ".join(" ".join(lines[:start] + lines[end:]).split())
    return explanation, example.group(1).strip(), "\n".join(line.rstrip() for line in argument.splitlines())
