"""The HTML report's page, built from values: verdicts, the chat, the failing reply."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from eximunit_bdd.acl.source import SourceStatement
from eximunit_bdd.bdd.coverage import CoverageReport, CoverageRow
from eximunit_bdd.report.page import Conversation, FeatureReport, ScenarioReport, StepReport, render_report
from eximunit_bdd.smtp.reply import Reply
from eximunit_bdd.smtp.transcript import Transcript
from eximunit_bdd.trace.headers import Header

GREETING = Reply(220, ("mx.coop.test ESMTP Exim 4.96",))
REFUSED = Reply(
    550,
    ("relay not permitted",),
    command="RCPT TO:<bob@other.example>",
    trace=("LOG: H=[192.0.2.1] rejected RCPT <bob@other.example>: relay not permitted",),
)


def _transcript(*replies: Reply) -> Transcript:
    transcript = Transcript()
    for reply in replies:
        if reply.command:
            transcript.client(reply.command)
        transcript.server(reply)
    return transcript


def _failed_feature(failing_reply: Reply | None = REFUSED, *replies: Reply) -> FeatureReport:
    replies = replies or (GREETING, REFUSED)
    steps = [
        StepReport("Given", "a connection from 192.0.2.1", "passed"),
        StepReport(
            "Then",
            "RCPT TO <bob@other.example> is accepted",
            "failed",
            error="Expected RCPT TO:<bob@other.example> to be accepted.\n\nThe server replied:\n  550 relay",
            failing_reply=failing_reply,
        ),
        StepReport("And", "the log contains <nothing>", "skipped"),
    ]
    scenario = ScenarioReport(
        "Scenario", "A stranger relays", "failed", steps, [Conversation("192.0.2.1", _transcript(*replies))]
    )
    passed = ScenarioReport(
        "Scenario", "The configuration is valid", "passed", [StepReport("Then", "x", "passed")]
    )
    return FeatureReport(
        "Relaying", "failed", [scenario, passed], ("Nobody may relay.",), "features/r.feature:1"
    )


class _Elements(HTMLParser):
    """Every element's tag and attributes, and the text found inside each class."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._open: list[str] = []
        self.text_in: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag not in ("meta", "br"):
            self._open.append(attributes.get("class") or "")

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        for classes in self._open:
            for name in classes.split():
                self.text_in[name] = self.text_in.get(name, "") + data


def _parsed(page: str) -> _Elements:
    parser = _Elements()
    parser.feed(page)
    return parser


def test_the_failing_reply_is_marked_and_named_after_its_step():
    elements = _parsed(render_report([_failed_feature()]))
    assert "550 relay not permitted" in elements.text_in["failing"]
    assert "RCPT TO <bob@other.example> is accepted" in elements.text_in["failing-label"]
    assert "220 mx.coop.test" not in elements.text_in["failing"]


def test_client_lines_server_replies_and_log_lines_are_told_apart():
    elements = _parsed(render_report([_failed_feature()]))
    assert "RCPT TO:<bob@other.example>" in elements.text_in["client"]
    assert "220 mx.coop.test ESMTP" in elements.text_in["server"]
    assert "rejected RCPT <bob@other.example>" in elements.text_in["log"]
    assert "rejected RCPT" not in elements.text_in["server"]


def test_added_headers_are_shown_under_the_reply_that_added_them():
    accepted = Reply(
        250,
        ("Accepted",),
        command="RCPT TO:<anna@coop.test>",
        trace=(">>> check add_header = X-Coop-Checked: yes", ">>>                  = X-Coop-Checked: yes"),
    )
    assert accepted.added_headers == [Header("X-Coop-Checked", "yes")], "the trace shape changed"
    page = render_report([_failed_feature(REFUSED, GREETING, accepted, REFUSED)])
    assert "X-Coop-Checked: yes" in _parsed(page).text_in["header-added"]


def test_verdicts_of_features_and_scenarios_and_the_summary():
    passing = FeatureReport("HELO", "passed", [ScenarioReport("Scenario", "Greets", "passed")])
    elements = _parsed(render_report([_failed_feature(), passing]))
    assert "FAILED" in elements.text_in["summary"]
    assert "scenarios 1 failed, 2 passed" in elements.text_in["summary"]
    assert "A stranger relays" in elements.text_in["problems"]
    details = [
        attrs for tag, attrs in elements.tags if tag == "details" and "scenario" in (attrs.get("class") or "")
    ]
    assert [("verdict-failed" in (d["class"] or ""), "open" in d) for d in details] == [
        (True, True),
        (False, False),
        (False, False),
    ], "failed scenarios are open, passed ones folded"


def test_a_run_without_failures_says_passed():
    page = render_report([FeatureReport("HELO", "passed", [ScenarioReport("Scenario", "Greets", "passed")])])
    assert "<title>Mail policy report: passed</title>" in page
    assert "problems" not in _parsed(page).text_in


def test_the_page_is_self_contained():
    page = render_report([_failed_feature()])
    elements = _parsed(page)
    assert not [tag for tag, attrs in elements.tags if tag in ("script", "link", "img", "iframe")]
    assert not re.search(r"(?:src|href)=\"(?!#)", page), "only in-page links"
    assert "url(" not in page and "@import" not in page


def test_what_the_spec_and_exim_wrote_is_escaped():
    hostile = Reply(550, ("<script>alert(1)</script>",), command="RCPT TO:<a&b@x>")
    step = StepReport("Then", 'the reply contains "<b>"', "failed", error="<i>no</i>", failing_reply=hostile)
    scenario = ScenarioReport(
        "Scenario", "<x>", "failed", [step], [Conversation("192.0.2.1", _transcript(hostile))]
    )
    page = render_report([FeatureReport("<Feature>", "failed", [scenario])])
    assert "<script>" not in page and "<x>" not in page and "<i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "RCPT TO:&lt;a&amp;b@x&gt;" in page


def test_only_the_reply_object_the_step_failed_on_is_marked():
    """A reply equal in code and text earlier in the session is not the failing one."""
    earlier = Reply(550, ("relay not permitted",), command="RCPT TO:<bob@other.example>")
    page = render_report([_failed_feature(REFUSED, GREETING, earlier, REFUSED)])
    assert page.count('class="bubble server failing"') == 1


def test_tables_and_docstrings_of_steps_are_shown():
    step = StepReport(
        "Then", "these recipients get these replies:", "passed", table=(("address", "reply"), ("a@b", "250"))
    )
    message = StepReport("When", "I send the message:", "passed", docstring="Subject: hi\n\nhello")
    page = render_report(
        [FeatureReport("F", "passed", [ScenarioReport("Scenario", "S", "passed", [step, message])])]
    )
    assert "<th>address</th>" in page and "<td>a@b</td>" in page
    assert "Subject: hi\n\nhello" in page


def test_the_coverage_section_lists_every_statement_and_marks_the_unreached():
    deny = SourceStatement(
        "/etc/exim4/exim4.conf", 140, "acl_check_rcpt", "deny", ("  deny    message = <no>",)
    )
    warn = SourceStatement("/etc/exim4/exim4.conf", 130, "acl_check_rcpt", "warn", ("  warn",))
    local = SourceStatement("/etc/exim4/exim4.conf", 150, "acl_local", "accept", ("  accept",))
    rows = (CoverageRow(deny, 2, 1), CoverageRow(warn, 0, 0), CoverageRow(local, 0, 0, "only not-SMTP mail"))
    report = CoverageReport("/etc/exim4/exim4.conf", 3, rows, (("dnslookup", 1),))
    other = CoverageReport("/srv/other.conf", 1, (), ())
    page = render_report([], coverage=[report, other])
    assert "ACL coverage of exim4.conf: 1 of 2 statements reached (50%)" in page
    assert '<tr class="unreached"><td>exim4.conf:130</td>' in page and "deny    message = &lt;no&gt;" in page
    assert '<tr class="not-applicable"><td>exim4.conf:150</td>' in page and "n/a: only not-SMTP mail" in page
    assert '<tr class="reached"><td>dnslookup</td><td>1</td></tr>' in page
    assert "ACL coverage of other.conf: 0 of 0 statements reached (100%)" in page
