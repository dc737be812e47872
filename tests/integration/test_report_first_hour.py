"""The HTML report of real behave runs, looked at in headless Chromium (issue 19, items
1, 2, 6 and 17b): a run that never started, Rules, tags, Outline rows, spec errors
apart, the rule that decided, attachments for the other reports, huge messages."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from eximunit_bdd.bdd.hooks import ROOT_WARNING

from .test_starter_kit import WRONG_CLAIMS, _in_chromium, behave, suite  # noqa: F401 (a fixture)


def _dom(report: Path, tmp_path: Path) -> str:
    return _in_chromium(report, tmp_path / "profile", "--dump-dom").stdout


def test_a_run_that_never_started_says_so_and_why(suite, tmp_path):  # noqa: F811
    run = behave(suite, "-f", "html", "-o", "report.html", "-D", f"exim_config={tmp_path / 'nope.conf'}")
    assert run.returncode == 1, run.stdout + run.stderr
    dom = _dom(suite / "report.html", tmp_path)
    assert "<title>Mail policy report: not run</title>" in dom
    assert "NOT RUN" in dom and "PASSED" not in dom and "nothing was tested" in dom
    assert "nope.conf does not exist" in dom


RULES_OUTLINES_AND_MISTAKES = """\
@relay
Feature: Steps that cannot run, and a policy that is wrong

  Scenario: A sentence no step knows
    Given a connection from 192.0.2.1
    When I dance

  Scenario: A table left out
    Given a connection from 192.0.2.1
    When I send MAIL FROM <someone@example.net>
    Then these recipients get these replies:

  Scenario Outline: Senders <who>
    Given a connection from 192.0.2.1
    Then MAIL FROM <<who>@example.net> is accepted
    Examples:
      | who |
      | ann |
      | bob |

  @routing
  Rule: Strangers do not relay
    @wrong
    Scenario: A stranger relays
      Given a connection from 192.0.2.1
      When I send MAIL FROM <someone@example.net>
      Then RCPT TO <someone@other.example> is accepted
"""
SPANISH = """\
# language: es
Característica: Saludo

  Escenario: Exim saluda
    Dado a connection from 192.0.2.1
    Entonces the connection is accepted
"""


def test_rules_tags_outline_rows_spec_errors_and_the_feature_keyword(suite, tmp_path):  # noqa: F811
    (suite / "features" / "odd.feature").write_text(RULES_OUTLINES_AND_MISTAKES)
    (suite / "features" / "es.feature").write_text(SPANISH)
    run = behave(suite, "-f", "html", "-o", "report.html", "features/odd.feature", "features/es.feature")
    assert run.returncode == 1, run.stdout + run.stderr
    dom = _dom(suite / "report.html", tmp_path)
    assert '<h3 class="rule">Rule: Strangers do not relay <span class="tag">@routing</span></h3>' in dom
    assert '<span class="tag">@relay</span>' in dom and '<span class="tag">@wrong</span>' in dom
    assert "Senders ann" in dom and "Senders bob" in dom and " -- @" not in dom
    assert "<dt>who</dt><dd>ann</dd>" in dom
    assert "Característica: Saludo" in dom and "Feature: Saludo" not in dom
    policy = dom.split('class="problems policy-failures"', 1)[1].split("</ul>", 1)[0]
    spec = dom.split('class="problems spec-errors"', 1)[1].split("</ul>", 1)[0]
    assert "A stranger relays" in policy
    assert "A sentence no step knows" not in policy and "A table left out" not in policy
    assert "A sentence no step knows" in spec and "A table left out" in spec
    assert "A stranger relays" not in spec


def test_the_rule_that_decided_is_beside_the_failing_reply(suite, tmp_path):  # noqa: F811
    (suite / "features" / "wrong.feature").write_text(WRONG_CLAIMS)
    run = behave(suite, "-f", "html", "-o", "report.html", "features/wrong.feature")
    assert run.returncode == 1, run.stdout + run.stderr
    dom = _dom(suite / "report.html", tmp_path)
    failing = dom.split('<div class="bubble server failing">', 1)[1].split("</div></div>", 1)[0]
    assert "550 relay not permitted" in failing
    assert '<div class="decided"><pre>Decided by the "deny" statement of ACL' in failing
    error = dom.split('<div class="error verdict-failed">', 1)[1].split("</div>", 1)[0]
    assert "Session so far" not in error, "the chat shows the session; the message does not repeat it"


RECORDERS = '''\
import json
from behave.formatter.base import Formatter


class Embedding(Formatter):
    """What behave's attachment API (context.attach) hands a formatter."""
    name = "embedding"

    def __init__(self, stream_opener, config):
        super().__init__(stream_opener, config)
        self.attached = []

    def embedding(self, mime_type, data):
        self.attached.append([mime_type, data.decode()])

    def close(self):
        self.open().write(json.dumps(self.attached))
        self.close_stream()


class Pretty(Formatter):
    """As behave-html-pretty-formatter: embed(mime_type, data, caption)."""
    name = "pretty-like"

    def __init__(self, stream_opener, config):
        super().__init__(stream_opener, config)
        self.embedded = []

    def embed(self, mime_type, data, caption=None):
        self.embedded.append([mime_type, data, caption])

    def close(self):
        self.open().write(json.dumps(self.embedded))
        self.close_stream()
'''
FAKE_ALLURE = '''\
import json
from behave.formatter.base import Formatter


class AllureFormatter(Formatter):
    """Reads each failed step's exception after its scenario, as allure-behave does."""
    name = "allure"

    def __init__(self, stream_opener, config):
        super().__init__(stream_opener, config)
        self.features, self.messages = [], []

    def feature(self, feature):
        self.features.append(feature)

    def eof(self):
        for scenario in self.features[-1].walk_scenarios():
            for step in scenario.all_steps:
                if step.exception is not None:
                    self.messages.append(f"{type(step.exception).__name__}: {step.exception}")

    def close(self):
        self.open().write(json.dumps(self.messages))
        self.close_stream()
'''


def test_sessions_reach_other_reports_and_allure_gets_a_stable_headline(suite, tmp_path):  # noqa: F811
    (suite / "features" / "wrong.feature").write_text(WRONG_CLAIMS)
    (suite / "recorders.py").write_text(RECORDERS)
    (suite / "allure_behave").mkdir()
    (suite / "allure_behave" / "__init__.py").write_text("")
    (suite / "allure_behave" / "formatter.py").write_text(FAKE_ALLURE)
    plain = behave(suite, "-f", "plain", "features/wrong.feature")
    run = behave(
        suite, "-f", "recorders:Embedding", "-o", "embedded.json",
        "-f", "recorders:Pretty", "-o", "pretty.json", "-f", "json", "-o", "behave.json",
        "-f", "allure_behave.formatter:AllureFormatter", "-o", "allure.json",
        "-f", "html", "-o", "report.html", "-f", "plain", "features/wrong.feature",
    )  # fmt: skip
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    attached = json.loads((suite / "embedded.json").read_text())
    assert len(attached) == 4, "one a session: 1 + 1 + 2"
    assert {mime for mime, _ in attached} == {"text/plain"}
    assert any(
        "C: RCPT TO:<someone@other.example>\n  S: 550 relay not permitted" in text for _, text in attached
    )
    pretty = json.loads((suite / "pretty.json").read_text())
    assert len(pretty) == 4 and all(caption.startswith("Exim session ") for _, _, caption in pretty)
    json.loads((suite / "behave.json").read_text())  # behave's JSON report still written
    messages = json.loads((suite / "allure.json").read_text())
    assert "UnexpectedReplyError: Expected RCPT TO:<someone@other.example> to be accepted." in messages
    assert all("\n" not in message for message in messages), messages
    # the console is as before, and the HTML report still has the whole message
    assert (
        run.stdout.replace("\n", "").count("The server replied:")
        == plain.stdout.replace("\n", "").count("The server replied:")
        > 0
    )
    assert "The server replied:" in (suite / "report.html").read_text()


def test_a_20_mb_message_does_not_make_a_20_mb_report(suite, tmp_path):  # noqa: F811
    body = "\n".join(f"line {number} " + "x" * 70 for number in range(260_000))
    indented = "\n".join("        " + line for line in body.split("\n"))
    (suite / "features" / "big.feature").write_text(
        "Feature: A big message\n"
        "  Scenario: Twenty megabytes\n"
        "    Given a connection from 192.0.2.1\n"
        "    When I send MAIL FROM <alice@example.net>\n"
        "    And I send RCPT TO <anna@coop.test>\n"
        "    And I send the message:\n"
        '      """\n'
        "        Subject: big\n\n"
        f"{indented}\n"
        '      """\n'
        '    Then the header "X-Nobody-Adds-This" is added\n'
    )
    assert (suite / "features" / "big.feature").stat().st_size > 20_000_000
    run = behave(suite, "-f", "html", "-o", "report.html", "features/big.feature")
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-3000:]
    report = suite / "report.html"
    assert report.stat().st_size < 500_000, report.stat().st_size
    dom = _dom(report, tmp_path)
    assert "Subject: big" in dom and "more lines of" in dom


MISSPELT = """\
Feature: Misspelt steps
  Scenario: Relaying, typed in a hurry
    Given a conection from 203.0.113.9
    When I send EHLO client.example
    Then RCPT TO <someone@other.example> is rejectd with 550
    And I dance
"""


def test_a_misspelt_step_gets_the_closest_phrases_on_the_console_and_in_the_report(suite, tmp_path):  # noqa: F811
    (suite / "features" / "misspelt.feature").write_text(MISSPELT)
    run = behave(suite, "-f", "html", "-o", "report.html", "features/misspelt.feature")
    assert run.returncode == 1, run.stdout + run.stderr
    said = run.stderr
    # Run as root, the run says once that its Exims (and a spec's ${run...}) run as root.
    assert said.count(ROOT_WARNING) == (1 if os.geteuid() == 0 else 0), said
    assert "eximunit: 3 steps are not defined" in said, said
    assert (
        "features/misspelt.feature:3: Given a conection from 203.0.113.9\n"
        "    did you mean: Given a connection from IP" in said
    )
    assert "did you mean: Then RCPT TO <ADDRESS> is rejected with CODE\n" in said
    assert "features/misspelt.feature:6: And I dance\n    no phrase is close" in said
    page = _dom(suite / "report.html", tmp_path)
    assert "Did you mean “Then RCPT TO &lt;ADDRESS&gt; is rejected with CODE”" in page
    assert "Did you mean “Given a connection from IP”" in page


def test_a_misspelt_setting_stops_the_run_naming_the_right_one(suite, tmp_path):  # noqa: F811
    run = behave(suite, "-f", "html", "-o", "report.html", "-D", "exim_conf=/etc/exim4/other.conf")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "no setting exim_conf; did you mean exim_config?" in run.stdout + run.stderr
    assert "0 scenarios passed" in run.stdout or "scenarios passed" not in run.stdout
    page = _dom(suite / "report.html", tmp_path)
    assert "NOT RUN" in page and "did you mean exim_config?" in page


def test_the_real_allure_and_pretty_reports_get_the_sessions(suite, tmp_path):  # noqa: F811
    (suite / "features" / "wrong.feature").write_text(WRONG_CLAIMS)
    run = behave(
        suite, "-f", "allure_behave.formatter:AllureFormatter", "-o", "allure-results",
        "-f", "behave_html_pretty_formatter:PrettyHTMLFormatter", "-o", "pretty.html",
        "-f", "null", "features/wrong.feature",
    )  # fmt: skip
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stdout + run.stderr
    results = [json.loads(path.read_text()) for path in (suite / "allure-results").glob("*-result.json")]
    failed = [result for result in results if result["status"] == "failed"]
    assert failed, results
    for result in failed:  # Allure groups failures by this message: one line, no times
        message = result["statusDetails"]["message"].strip()
        assert "\n" not in message and not re.search(r"\d\d:\d\d:\d\d", message), message
        names = [attachment["name"] for attachment in result["attachments"]]
        assert any(name.startswith("Exim session ") for name in names), names
    texts = [path.read_text() for path in (suite / "allure-results").glob("*-attachment.txt")]
    assert any("C: RCPT TO:<someone@other.example>\n  S: 550 relay not permitted" in text for text in texts)
    pretty = (suite / "pretty.html").read_text()
    assert "Exim session 1 of" in pretty and "550 relay not permitted" in pretty
