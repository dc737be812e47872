"""The step catalog: every eximunit step with its phrase, what it checks and an
example, generated from the step functions' docstrings (never written by hand)."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass

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
_PARAMETER = re.compile(r"\{(\w+)(?::(\w+))?\}")
_EXAMPLE = re.compile(r"^Example: (.+)$", re.M)


@dataclass(frozen=True)
class CatalogEntry:
    """One step: `phrase` with its parameters in CAPITALS, `explanation` in plain
    words, an `example` line, the `section` it belongs to and behave's `pattern`."""

    section: str
    pattern: str
    phrase: str
    explanation: str
    example: str
    line: int


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
            doc = inspect.cleandoc(matcher.func.__doc__ or "")
            example = _EXAMPLE.search(doc)
            explanation = " ".join(_EXAMPLE.sub("", doc).split())
            entries.append(
                CatalogEntry(
                    name,
                    matcher.pattern,
                    f"{keyword.capitalize()} {_phrase(matcher.pattern)}",
                    explanation,
                    example.group(1).strip() if example else "",
                    int(str(matcher.location).rsplit(":", 1)[1]),
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
        out += ["", f"### {entry.phrase}", "", entry.explanation, "", "```gherkin", entry.example, "```"]
    return "\n".join(out) + "\n"


def _phrase(pattern: str) -> str:
    """`mail for {address:EximMailbox} is ...` as `mail for <ADDRESS> is ...`."""

    def capital(match: re.Match[str]) -> str:
        name = match.group(1).upper()
        return f"<{name}>" if match.group(2) == "EximMailbox" else name

    return _PARAMETER.sub(capital, pattern)
