"""Replayed decisions written as a characterization suite: one scenario each, in the
public vocabulary, claiming what the configuration the admin keeps decides, so that the
suite passes against it and fails when a later change moves one of those decisions."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Literal

from .comparison import Compared
from .replayer import Replayed
from .summary import who

__all__ = ["write_features", "Keep"]

Keep = Literal["new", "old"]
_GLUE = {
    "environment.py": "from eximunit_bdd.environment import *\n",
    "steps/eximunit.py": "from eximunit_bdd.steps import *\n",
}
_PHRASE_TEXT = re.compile(r'^[^"\r\n]{1,80}$')


def write_features(
    compared: Iterable[Compared], directory: Path, configuration: Path | None, keep: Keep = "new"
) -> Path:
    """`DIRECTORY/replayed.feature` (and the two glue files, unless there), claiming
    the `keep` side's decisions of `configuration` (None: the installed one, which
    behave then uses); returns the feature file's path."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in _GLUE.items():
        path = directory / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    scenarios = [
        _scenario(each, each.after if keep == "new" else each.before, number)
        for number, each in enumerate(compared, 1)
        if (each.after if keep == "new" else each.before).outcome != "error"
    ]
    feature = directory / "replayed.feature"
    background = (
        f'  Background:\n    Given the Exim configuration "{configuration}"\n'
        if configuration is not None
        else ""
    )
    feature.write_text(
        "Feature: Decisions replayed from Exim's logs\n"
        "  Written by eximunit-bdd replay: what the configuration decides for mail it really got.\n\n"
        + background
        + "".join(scenarios)
    )
    return feature


def _scenario(compared: Compared, kept: Replayed, number: int) -> str:
    decision = compared.decision
    lines = [f"\n  Scenario: {number}. {who(compared)}"]
    server = (
        f" to {decision.server_ip or '127.0.0.1'} port {decision.server_port}" if decision.server_port else ""
    )
    lines.append(f"    Given a connection from {decision.client_ip}{server}")
    if decision.authenticator and decision.authenticated_id:
        lines.append(
            f'    And the client has authenticated as "{decision.authenticated_id}" '
            f'with the authenticator "{decision.authenticator}"'
        )
    claim = _claim(kept)
    if kept.stage == "connect":
        lines.append(f"    Then the connection is {claim}")
        return "\n".join(lines) + "\n"
    lines.append(f"    When I send EHLO {decision.helo or 'client.example'}")
    if kept.stage == "helo":
        lines.append(f"    Then it is {claim}")
        return "\n".join(lines) + "\n"
    if kept.stage == "mail":
        lines.append(f"    Then MAIL FROM <{decision.sender or ''}> is {claim}")
        return "\n".join(lines) + "\n"
    lines.append(f"    And I send MAIL FROM <{decision.sender or ''}>")
    lines.append(f"    Then RCPT TO <{decision.recipient or ''}> is {claim}")
    return "\n".join(lines) + "\n"


def _claim(kept: Replayed) -> str:
    """`rejected with 550 "relay not permitted"` (the text when a phrase can hold it)."""
    claim = kept.outcome if kept.code is None else f"{kept.outcome} with {kept.code}"
    if kept.code is not None and kept.text and _PHRASE_TEXT.match(kept.text) and kept.outcome != "accepted":
        claim += f' "{kept.text}"'
    return claim
