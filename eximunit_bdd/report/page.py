"""The HTML report: one self-contained page (no scripts, fonts or images from anywhere)
with each feature's and scenario's verdict and every Exim session as a chat.

The page is built from plain values (`FeatureReport`, `ScenarioReport`, `StepReport`,
`Conversation`), so it can be made without behave; `report.HtmlFormatter` fills them
from a behave run.
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass
from itertools import groupby
from typing import Iterable, Sequence

from ..acl.decision import describe_decision
from ..bdd.coverage import CoverageReport
from ..smtp.expectations import SESSION_HEADING
from ..smtp.reply import Reply
from ..smtp.transcript import MESSAGE_LINES_SHOWN, Transcript, TranscriptLine
from ..text import counted, shortened, visible

__all__ = [
    "Conversation",
    "StepReport",
    "ScenarioReport",
    "FeatureReport",
    "VERDICTS",
    "FAILING_REPLY_BACKGROUND",
    "render_report",
    "page_head",
    "escaped",
]

#: behave's status names, in the words the report uses for members.
VERDICTS = {
    "passed": "passed",
    "failed": "failed",
    "error": "error",
    "hook_error": "error",
    "undefined": "undefined step",
    "pending": "not written yet",
    "skipped": "skipped",
    "untested": "not run",
}
#: The background of the reply a step failed on, and of nothing else on the page (a
#: test finds the marked reply on a screenshot by it).
FAILING_REPLY_BACKGROUND = "#ffd7d5"
_MARKS = {"passed": "✔", "failed": "✘", "error": "!", "undefined": "?", "skipped": "–"}


@dataclass(frozen=True)
class Conversation:
    """One Exim session of a scenario: the client it played and what was said."""

    client_ip: str
    transcript: Transcript


@dataclass(frozen=True)
class StepReport:
    keyword: str
    text: str
    status: str
    #: Why the step failed or could not run, as it was raised.
    error: str | None = None
    #: The reply the step failed on, marked in the conversation.
    failing_reply: Reply | None = None
    docstring: str | None = None
    table: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class ScenarioReport:
    keyword: str
    name: str
    status: str
    steps: Sequence[StepReport] = ()
    conversations: Sequence[Conversation] = ()
    location: str = ""
    tags: Sequence[str] = ()
    #: The Gherkin `Rule:` the scenario is under, as `(keyword, name, tags)`; None outside rules.
    rule: tuple[str, str, tuple[str, ...]] | None = None
    #: An Outline's row: its `(heading, value)` pairs, shown under the name.
    row: Sequence[tuple[str, str]] = ()
    #: True when a step failed on an assertion (the policy is not as the spec says);
    #: False when it could not run (an undefined step, an error in the spec or set-up).
    policy_failure: bool | None = None


@dataclass(frozen=True)
class FeatureReport:
    name: str
    status: str
    scenarios: Sequence[ScenarioReport] = ()
    description: Sequence[str] = ()
    location: str = ""
    #: The feature's keyword as written (`Funcionalidad` under `# language: es`).
    keyword: str = "Feature"
    tags: Sequence[str] = ()


def render_report(
    features: Iterable[FeatureReport],
    title: str = "Mail policy report",
    about: str = "",
    coverage: Sequence[CoverageReport] = (),
    not_run: str | None = None,
) -> str:
    """The whole page. `about` is a line under the title (which configuration, when);
    `coverage`, the run's ACL coverage of each configuration used, goes at the end.
    `not_run` is why the run stopped before its first feature (a wrong `exim_config`,
    Exim missing, bad userdata): the page then says that nothing was tested, and why."""
    features = list(features)
    feature_counts = _counted(feature.status for feature in features)
    scenario_counts = _counted(scenario.status for feature in features for scenario in feature.scenarios)
    problems = [
        (f_index, s_index, scenario)
        for f_index, feature in enumerate(features)
        for s_index, scenario in enumerate(feature.scenarios)
        if _verdict_class(scenario.status) in ("failed", "error", "undefined")
    ]
    overall = "not-run" if not_run is not None else "failed" if problems else "passed"
    parts = [
        page_head(f"{title}: {overall.replace('-', ' ')}"),
        f'<body class="{overall}"><header>',
        f"<h1>{_e(title)}</h1>",
        f'<p class="about">{_e(about)}</p>' if about else "",
    ]
    if not_run is not None:
        parts.append(
            '<p class="summary verdict-not-run"><strong>NOT RUN</strong>: the run stopped before its '
            "first scenario, so nothing was tested.</p>"
            f'<div class="not-run-reason"><p>Why:</p><pre>{_e(not_run)}</pre></div>'
        )
    else:
        parts.append(
            f'<p class="summary verdict-{overall}"><strong>{_e(overall.upper())}</strong>: '
            f"features {_e(feature_counts)}; scenarios {_e(scenario_counts)}</p>"
        )
    policy = [problem for problem in problems if _is_policy_failure(problem[2])]
    spec = [problem for problem in problems if not _is_policy_failure(problem[2])]
    for heading, listed, look in (
        ("Not as the policy says", policy, "problems policy-failures"),
        ("Could not run: an error in the spec or its set-up", spec, "problems spec-errors"),
    ):
        if listed:
            parts.append(f'<nav><h2>{_e(heading)}</h2><ul class="{look}">')
            for f_index, s_index, scenario in listed:
                parts.append(
                    f'<li><a href="#s{f_index}-{s_index}">{_e(features[f_index].name)}: '
                    f"{_e(scenario.name)}</a> {_badge(scenario.status)}</li>"
                )
            parts.append("</ul></nav>")
    parts.append("</header><main>")
    for f_index, feature in enumerate(features):
        parts.append(_feature(feature, f_index))
    parts.extend(_coverage(report) for report in coverage)
    parts.append("</main></body></html>\n")
    return "\n".join(part for part in parts if part)


def _is_policy_failure(scenario: ScenarioReport) -> bool:
    """A scenario that failed on an assertion, rather than one that could not run."""
    if scenario.policy_failure is not None:
        return scenario.policy_failure
    return _verdict_class(scenario.status) == "failed"


def _tags(tags: Sequence[str]) -> str:
    return "".join(f' <span class="tag">@{_e(tag)}</span>' for tag in tags)


def _feature(feature: FeatureReport, f_index: int) -> str:
    parts = [
        f'<section class="feature verdict-{_verdict_class(feature.status)}">',
        f"<h2>{_badge(feature.status)} {_e(feature.keyword)}: {_e(feature.name)}{_tags(feature.tags)}</h2>",
    ]
    if feature.description:
        parts.append(f'<p class="description">{_e(" ".join(feature.description))}</p>')
    if feature.location:
        parts.append(f'<p class="location">{_e(feature.location)}</p>')
    rule: tuple[str, str, tuple[str, ...]] | None = None
    for s_index, scenario in enumerate(feature.scenarios):
        if scenario.rule is not None and scenario.rule != rule:
            keyword, name, tags = scenario.rule
            parts.append(f'<h3 class="rule">{_e(keyword)}: {_e(name)}{_tags(tags)}</h3>')
        rule = scenario.rule
        parts.append(_scenario(scenario, f"s{f_index}-{s_index}"))
    parts.append("</section>")
    return "\n".join(parts)


def _scenario(scenario: ScenarioReport, anchor: str) -> str:
    verdict = _verdict_class(scenario.status)
    is_open = " open" if verdict in ("failed", "error", "undefined") else ""
    failing = next((step for step in scenario.steps if step.error is not None), None)
    parts = [
        f'<details class="scenario verdict-{verdict}" id="{anchor}"{is_open}>',
        f"<summary>{_badge(scenario.status)} {_e(scenario.keyword)}: {_e(scenario.name)}"
        f"{_tags(scenario.tags)}</summary>",
    ]
    if scenario.row:
        cells = "".join(f"<dt>{_e(heading)}</dt><dd>{_e(value)}</dd>" for heading, value in scenario.row)
        parts.append(f'<dl class="row">{cells}</dl>')
    parts.append('<ol class="steps">')
    shown_apart = bool(scenario.conversations)
    parts += [_step(step, shown_apart) for step in scenario.steps]
    parts.append("</ol>")
    total = len(scenario.conversations)
    for number, conversation in enumerate(scenario.conversations, 1):
        parts.append(_conversation(conversation, number, total, failing))
    if scenario.location:
        parts.append(f'<p class="location">{_e(scenario.location)}</p>')
    parts.append("</details>")
    return "\n".join(parts)


def _step(step: StepReport, conversations_shown: bool = False) -> str:
    verdict = _verdict_class(step.status)
    title = _e(VERDICTS.get(step.status, step.status))
    parts = [
        f'<li class="step verdict-{verdict}"><span class="mark" title="{title}">'
        f"{_MARKS.get(verdict, '·')}</span> <b>{_e(step.keyword)}</b> {_e(step.text)}"
    ]
    if step.docstring is not None:
        parts.append(_docstring(step.docstring))
    if step.table:
        heading, *rows = step.table
        parts.append(
            '<table class="data"><tr>' + "".join(f"<th>{_e(cell)}</th>" for cell in heading) + "</tr>"
        )
        parts += ["<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>" for row in rows]
        parts.append("</table>")
    if step.error is not None:
        headline, _, rest = step.error.partition("\n\n")
        if conversations_shown:  # the chat below shows the session: not again as text
            rest = rest.split(SESSION_HEADING, 1)[0].rstrip()
        parts.append(f'<div class="error verdict-{verdict}"><p>{_e(headline)}</p>')
        if rest:
            parts.append(f"<details><summary>the whole message</summary><pre>{_e(rest)}</pre></details>")
        parts.append("</div>")
    parts.append("</li>")
    return "".join(parts)


def _docstring(docstring: str) -> str:
    """A step's docstring; a long one (a whole test message) cut as transcripts cut
    message bodies, so that a 20 MB message does not make a 20 MB page."""
    lines = docstring.split("\n")
    shown = "\n".join(shortened(line) for line in lines[:MESSAGE_LINES_SHOWN])
    parts = [f'<pre class="docstring">{_e(shown)}</pre>']
    if len(lines) > MESSAGE_LINES_SHOWN:
        more = len(lines) - MESSAGE_LINES_SHOWN
        parts.append(
            f'<p class="docstring-cut">({counted(more, "more line")} of {len(docstring)} characters '
            "in all, not shown)</p>"
        )
    return "".join(parts)


def _conversation(conversation: Conversation, number: int, total: int, failing: StepReport | None) -> str:
    heading = f"Conversation {number} of {total}" if total > 1 else "Conversation"
    parts = [
        '<section class="conversation">',
        f"<h3>{heading}: Exim as if {_e(conversation.client_ip)} had connected</h3>",
        '<p class="legend"><span class="client">client</span> <span class="server">our server</span> '
        '<span class="log">Exim\'s log</span></p>',
        '<div class="chat">',
    ]
    failing_reply = failing.failing_reply if failing is not None else None
    # One bubble for consecutive lines of one speaker and one reply (a multi-line reply).
    for _, grouped in groupby(conversation.transcript, key=lambda line: (line.speaker, id(line.reply))):
        parts.append(_bubble(list(grouped), failing_reply, failing))
    parts.append("</div></section>")
    return "\n".join(parts)


def _bubble(lines: list[TranscriptLine], failing_reply: Reply | None, failing: StepReport | None) -> str:
    speaker, reply = lines[0].speaker, lines[0].reply
    text = "\n".join(shortened(line.text) for line in lines)
    if speaker == "C":
        return f'<div class="bubble client"><pre>{_e(text)}</pre></div>'
    if speaker == "*":
        return f'<div class="note">{_e(text)}</div>'
    if speaker == "L":
        return f'<div class="log"><pre>{_e(text)}</pre></div>'
    classes, extra, decided = "bubble server", "", ""
    if reply is not None and reply is failing_reply and failing is not None:
        classes += " failing"
        step = _e(f"{failing.keyword} {failing.text}")
        extra = f'<p class="failing-label">✘ the step “{step}” failed on this reply</p>'
        if reply.decision is not None:
            decided = f'<div class="decided"><pre>{_e(describe_decision(reply.decision))}</pre></div>'
    headers = "".join(
        f'<p class="header-added">header added: <code>{_e(str(header))}</code></p>'
        for header in (reply.added_headers if reply is not None else ())
    )
    return f'<div class="{classes}">{extra}<pre>{_e(text)}</pre>{headers}{decided}</div>'


def _coverage(report: CoverageReport) -> str:
    parts = [
        '<section class="coverage">',
        f"<h2>ACL coverage of {_e(report.config.rsplit('/', 1)[-1])}: {report.reached} of "
        f"{len(report.applicable)} statements reached ({report.percent:.0f}%)</h2>",
        f'<p class="location">{_e(report.config)}, over {counted(report.scenarios, "scenario")}. '
        "A statement is reached when Exim tested it for a scenario, and decides when it ended "
        "its ACL; one that the suite cannot reach is not applicable (n/a), and says why.</p>",
        '<table class="data"><tr><th>where</th><th>ACL</th><th>statement</th><th>reached</th>'
        "<th>decided</th></tr>",
    ]
    for row in report.rows:
        statement = row.statement
        text = "\n".join(line.strip() for line in statement.text)
        if row.not_applicable is not None:
            look, counts = "not-applicable", f'<td colspan="2">n/a: {_e(row.not_applicable)}</td>'
        else:
            look, counts = (
                "reached" if row.reached else "unreached",
                f"<td>{row.reached}</td><td>{row.decided}</td>",
            )
        parts.append(
            f'<tr class="{look}">'
            f"<td>{_e(statement.file.rsplit('/', 1)[-1])}:{statement.line}</td><td>{_e(statement.acl)}</td>"
            f"<td><pre>{_e(text)}</pre></td>{counts}</tr>"
        )
    parts.append("</table>")
    if report.routers:
        parts.append('<table class="data"><tr><th>router</th><th>accepted an address in -bt checks</th></tr>')
        for name, count in report.routers:
            reached_class = "reached" if count else "unreached"
            parts.append(f'<tr class="{reached_class}"><td>{_e(name)}</td><td>{count}</td></tr>')
        parts.append("</table>")
    parts.append("</section>")
    return "\n".join(parts)


def _counted(statuses: Iterable[str]) -> str:
    """`"3 passed, 1 failed"`"""
    counts = Counter(_verdict_class(status) for status in statuses)
    return ", ".join(f"{count} {verdict}" for verdict, count in sorted(counts.items())) or "none"


def _badge(status: str) -> str:
    verdict = _verdict_class(status)
    return f'<span class="badge verdict-{verdict}">{_e(VERDICTS.get(status, status))}</span>'


def _verdict_class(status: str) -> str:
    """The five looks: passed, failed, error (could not run), undefined, skipped."""
    if status in ("error", "hook_error"):
        return "error"
    if status in ("undefined", "pending"):
        return "undefined"
    if status in ("skipped", "untested"):
        return "skipped"
    return status if status in ("passed", "failed") else "skipped"


def page_head(title: str) -> str:
    """The page's start, up to its `<body>`: title and the report's style, inline."""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(title)}</title>",
            f"<style>:root {{ --failing-reply: {FAILING_REPLY_BACKGROUND}; }}{_STYLE}</style></head>",
        ]
    )


def escaped(text: str) -> str:
    """Escaped for HTML, control characters made visible (`\\x1b`)."""
    return _e(text)


def _e(text: str) -> str:
    """Escaped for HTML, control characters made visible (`\\x1b`)."""
    return html.escape(visible(text), quote=True)


_STYLE = """
:root { --pass: #1b7f3a; --fail: #c62828; --error: #b26a00; --skip: #757575; --ink: #1d1d1f; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Verdana, sans-serif; color: var(--ink); margin: 0; background: #f4f5f7; }
header { padding: 1.2em 2em; background: #fff; border-bottom: 4px solid var(--pass); }
body.failed header { border-bottom-color: var(--fail); }
h1 { margin: 0 0 .3em; font-size: 1.6em; }
.about, .location { color: #555; font-size: .85em; margin: .2em 0; }
.summary { font-size: 1.1em; margin: .4em 0; }
.summary.verdict-passed strong { color: var(--pass); }
.summary.verdict-failed strong { color: var(--fail); }
nav h2 { font-size: 1em; margin: .8em 0 .2em; }
.problems a { color: var(--fail); }
main { padding: 1em 2em; max-width: 70em; }
.feature { background: #fff; border-radius: 8px; padding: .6em 1.2em 1em; margin-bottom: 1.2em;
  border-left: 6px solid var(--pass); }
.feature.verdict-failed { border-left-color: var(--fail); }
.feature.verdict-error, .feature.verdict-undefined { border-left-color: var(--error); }
.feature.verdict-skipped { border-left-color: var(--skip); }
.feature h2 { font-size: 1.25em; }
.description { font-style: italic; }
.scenario { border: 1px solid #ddd; border-radius: 6px; margin: .6em 0; padding: .3em .8em; }
.scenario > summary { cursor: pointer; font-weight: bold; padding: .3em 0; }
.scenario.verdict-failed { border-color: var(--fail); }
.badge { display: inline-block; font-size: .75em; font-weight: bold; padding: .1em .5em; border-radius: 1em;
  color: #fff; background: var(--skip); vertical-align: middle; }
.badge.verdict-passed { background: var(--pass); }
.badge.verdict-failed { background: var(--fail); }
.badge.verdict-error, .badge.verdict-undefined { background: var(--error); }
.steps { list-style: none; padding-left: .5em; }
.step { margin: .25em 0; }
.step .mark { display: inline-block; width: 1.2em; font-weight: bold; }
.step.verdict-passed .mark { color: var(--pass); }
.step.verdict-failed .mark { color: var(--fail); }
.step.verdict-error .mark, .step.verdict-undefined .mark { color: var(--error); }
.step.verdict-skipped { color: var(--skip); }
.error { border-left: 4px solid var(--fail); background: #fdecea; padding: .3em .8em;
  margin: .3em 0 .3em 1.2em; }
.error p { margin: .3em 0; white-space: pre-wrap; }
.error.verdict-error, .error.verdict-undefined { border-left-color: var(--error); background: #fff4e0; }
pre { margin: 0; white-space: pre-wrap; word-break: break-word; font-family: "DejaVu Sans Mono", monospace;
  font-size: .85em; }
.docstring { background: #f7f7f7; padding: .4em; margin: .3em 0 .3em 1.2em; }
table.data { border-collapse: collapse; margin: .3em 0 .3em 1.2em; font-size: .9em; }
table.data th, table.data td { border: 1px solid #ccc; padding: .15em .6em; }
.conversation h3 { font-size: 1em; margin: 1em 0 .3em; }
.legend span { font-size: .75em; padding: .1em .5em; border-radius: 4px; margin-right: .4em; }
.chat { display: flex; flex-direction: column; gap: .35em; padding: .6em; background: #fafafa;
  border-radius: 6px; }
.bubble { max-width: 75%; padding: .45em .7em; border-radius: 10px; }
.bubble.client, .legend .client { align-self: flex-end; background: #dbe9ff; border: 1px solid #9bbcf0; }
.bubble.server, .legend .server { align-self: flex-start; background: #fff; border: 1px solid #ccc; }
.bubble.failing { border: 3px solid var(--fail); background: var(--failing-reply); }
.failing-label { color: var(--fail); font-weight: bold; font-size: .85em; margin: 0 0 .3em; }
.header-added { color: var(--pass); font-size: .8em; margin: .3em 0 0; }
.log, .legend .log { align-self: flex-start; color: #5d4037; background: #fff8e1; border: 1px dashed #d7b96b;
  padding: .2em .6em; font-size: .9em; max-width: 85%; }
.coverage { background: #fff; border-radius: 8px; padding: .6em 1.2em 1em; }
.coverage tr.unreached td { background: #fff4e0; }
.coverage tr.not-applicable td { color: #777; }
.coverage tr.unreached td:first-child { border-left: 4px solid var(--error); }
.summary.verdict-not-run strong { color: var(--error); }
body.not-run header { border-bottom-color: var(--error); }
.not-run-reason { border-left: 4px solid var(--error); background: #fff4e0; padding: .3em .8em; }
.not-run-reason p { margin: .2em 0; font-weight: bold; }
.spec-errors a { color: var(--error); }
.tag { font-size: .75em; font-weight: normal; color: #555; background: #eceff1; border-radius: 4px;
  padding: .05em .4em; }
.rule { font-size: 1.1em; margin: 1em 0 .2em; border-bottom: 1px solid #ddd; }
dl.row { display: flex; flex-wrap: wrap; gap: .2em .6em; margin: .2em 0 .2em 1.2em; font-size: .9em; }
dl.row dt { color: #555; } dl.row dt::after { content: ":"; } dl.row dd { margin: 0 .8em 0 0; }
.docstring-cut { color: #666; font-style: italic; font-size: .85em; margin: 0 0 .3em 1.2em; }
.decided { border-top: 1px dashed var(--fail); margin-top: .4em; padding-top: .3em; color: #5d4037; }
.note { align-self: center; color: #666; font-style: italic; font-size: .85em; }
"""
