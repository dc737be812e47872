"""The HTML report's first-hour faults (issue 19, items 1, 2, 6 and 17b), built from values."""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import SimpleNamespace

from eximunit_bdd.bdd import hooks
from eximunit_bdd.report.page import Conversation, FeatureReport, ScenarioReport, StepReport, render_report
from eximunit_bdd.smtp.reply import Reply

from .test_htmlreport import GREETING, REFUSED, _failed_feature, _parsed, _transcript


def test_a_run_that_stopped_before_its_first_scenario_says_not_run_and_why():
    page = render_report([], not_run="Exim configuration /nope.conf does not exist.")
    elements = _parsed(page)
    assert "<title>Mail policy report: not run</title>" in page
    assert "NOT RUN" in elements.text_in["summary"] and "PASSED" not in page
    assert "/nope.conf does not exist" in elements.text_in["not-run-reason"]


def test_rules_tags_and_the_features_own_keyword_are_shown():
    rule = ("Regla", "Routing", ("slow",))
    scenarios = [
        ScenarioReport("Escenario", "Before any rule", "passed", tags=("smoke",)),
        ScenarioReport("Escenario", "A wrong router", "passed", rule=rule),
        ScenarioReport("Escenario", "Another router", "passed", rule=rule),
    ]
    page = render_report(
        [FeatureReport("Relaying", "passed", scenarios, keyword="Característica", tags=("mx",))]
    )
    elements = _parsed(page)
    assert "Característica: Relaying" in page and "Feature:" not in page
    assert page.count('<h3 class="rule">Regla: Routing') == 1, "one heading for the rule's scenarios"
    assert page.index("Before any rule") < page.index('class="rule"') < page.index("A wrong router")
    assert all(tag in elements.text_in["tag"] for tag in ("@mx", "@smoke", "@slow"))


def test_an_outline_rows_values_are_shown_plainly():
    row = ScenarioReport("Scenario Outline", "Senders ann", "passed", row=(("who", "ann"),))
    elements = _parsed(render_report([FeatureReport("F", "passed", [row])]))
    assert "who" in elements.text_in["row"] and "ann" in elements.text_in["row"]


def test_spec_errors_are_listed_apart_from_policy_violations():
    undefined = ScenarioReport(
        "Scenario",
        "A sentence no step knows",
        "undefined",
        [StepReport("When", "I dance", "undefined", "No step")],
    )
    missing_table = ScenarioReport(
        "Scenario",
        "A table left out",
        "error",
        [StepReport("Then", "x", "error", "TypeError")],
        policy_failure=False,
    )
    feature = _failed_feature()
    page = render_report(
        [FeatureReport(feature.name, "failed", [*feature.scenarios, undefined, missing_table])]
    )
    elements = _parsed(page)
    policy = elements.text_in["policy-failures"]
    assert "A stranger relays" in policy and "A sentence no step knows" not in policy
    assert "A sentence no step knows" in elements.text_in["spec-errors"]
    assert "A table left out" in elements.text_in["spec-errors"]
    assert "A stranger relays" not in elements.text_in["spec-errors"]


def test_the_rule_that_decided_is_beside_the_failing_reply_and_the_session_is_not_repeated():
    decided = _reply_with_decision()
    transcript = _transcript(GREETING, decided)
    error = (
        "Expected RCPT TO:<bob@other.example> to be accepted.\n\nThe server replied:\n  550 relay\n\n"
        f"Session so far (C: client, S: server, L: Exim's log):\n{transcript.render()}"
    )
    step = StepReport("Then", "RCPT TO <bob@other.example> is accepted", "failed", error, decided)
    scenario = ScenarioReport("Scenario", "S", "failed", [step], [Conversation("192.0.2.1", transcript)])
    elements = _parsed(render_report([FeatureReport("F", "failed", [scenario])]))
    assert "Decided by" in elements.text_in["decided"]
    assert "Decided by" in elements.text_in["failing"], "inside the failing reply's bubble"
    assert "Session so far" not in elements.text_in["error"], "the chat shows the session"


def _reply_with_decision() -> Reply:
    config = Path(tempfile.mkdtemp()) / "exim4.conf"
    config.write_text("begin acl\nacl_check_rcpt:\n  deny    message = relay not permitted\n")
    trace = (
        '>>> using ACL "acl_check_rcpt"',
        f'>>> processing "deny" ({config} 3)',
        '>>> deny: condition test succeeded in ACL "acl_check_rcpt"',
        '>>> end of ACL "acl_check_rcpt": DENY',
    )
    reply = Reply(550, ("relay not permitted",), command="RCPT TO:<bob@other.example>", trace=trace)
    assert reply.decision is not None, "the trace shape changed"
    return reply


def test_a_huge_message_docstring_does_not_make_a_huge_page():
    body = "Subject: big\n\n" + "\n".join("x" * 76 for _ in range(270_000))  # about 20 MB
    step = StepReport("When", "I send the message:", "passed", docstring=body)
    page = render_report([FeatureReport("F", "passed", [ScenarioReport("Scenario", "S", "passed", [step])])])
    assert len(page) < 100_000
    assert "Subject: big" in page and "more lines" in _parsed(page).text_in["docstring-cut"]
    one_line = StepReport("When", "I send the message:", "passed", docstring="y" * 20_000_000)
    page = render_report(
        [FeatureReport("F", "passed", [ScenarioReport("Scenario", "S", "passed", [one_line])])]
    )
    assert len(page) < 100_000


def test_the_failure_headline_is_the_first_line_without_times():
    message = "2024-05-01 10:00:00 Expected RCPT TO:<a@b> to be accepted.\n\nS: 220 mx Wed, 01 May 2024"
    assert hooks.failure_headline(message) == "Expected RCPT TO:<a@b> to be accepted."


class _Embedding:
    def __init__(self) -> None:
        self.attached: list[tuple[str, bytes]] = []

    def embedding(self, mime_type: str, data: bytes) -> None:
        self.attached.append((mime_type, data))


class _PrettyLike:
    def __init__(self) -> None:
        self.embedded: list[tuple[str, str, str]] = []

    def embed(self, mime_type: str, data: str, caption: str | None = None) -> None:
        self.embedded.append((mime_type, data, caption or ""))


class _JsonLike:
    def embedding(self, mime_type: str, data: bytes) -> None:
        raise IndexError("list index out of range")  # behave's json formatter after the last step


def test_sessions_are_attached_to_every_formatter_that_takes_attachments():
    transcript = _transcript(GREETING, REFUSED)
    scenario = SimpleNamespace(
        eximunit_sessions=[SimpleNamespace(client_ip="192.0.2.1", transcript=transcript)]
    )
    embedding, pretty = _Embedding(), _PrettyLike()
    hooks._attach_sessions([_JsonLike(), embedding, pretty, object()], scenario)
    ((mime, data),) = embedding.attached
    assert mime == "text/plain" and b"C: RCPT TO:<bob@other.example>" in data and b"S: 550 relay" in data
    ((kind, text, caption),) = pretty.embedded
    assert kind == "text" and "as if 192.0.2.1 had connected" in caption and "S: 550 relay" in text
