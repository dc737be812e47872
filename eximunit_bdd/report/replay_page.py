"""A replay's result as one self-contained page in the report's style: the summary,
then each decision that would change, before and after, with the deciding statements.
Logs hold people's addresses: the page is a local file, written only when asked."""

from __future__ import annotations

from ..replay.comparison import Comparison
from ..replay.summary import who
from .page import escaped, page_head

__all__ = ["render_replay"]


def render_replay(comparison: Comparison, new: str, about: str = "") -> str:
    differences = comparison.differences
    overall = "failed" if differences else "passed"
    verdict = f"{len(differences)} decisions would change" if differences else "no decision would change"
    parts = [
        page_head(f"Replay against {new}: {verdict}"),
        f'<body class="{overall}"><header><h1>Replay of Exim\'s logs against {escaped(new)}</h1>',
        f'<p class="about">{escaped(about)}</p>' if about else "",
        f'<p class="summary verdict-{overall}"><strong>{escaped(verdict.upper())}</strong>: '
        f"{comparison.read} decisions read, {comparison.replayed} replayed "
        f"({len(comparison.compared)} distinct), compared with {escaped(comparison.against)}"
        + "".join(f"; {count} not replayed: {escaped(why)}" for why, count in comparison.skipped.items())
        + "</p></header><main>",
    ]
    if differences:
        parts.append('<section class="feature"><h2>Decisions that would change</h2><table class="coverage">')
        parts.append("<tr><th>when</th><th>who</th><th>seen</th><th>before</th><th>after</th></tr>")
        for each in differences:
            parts.append(
                f"<tr><td>{escaped(each.decision.when)}</td><td>{escaped(who(each))}</td><td>{each.count}</td>"
                f"<td>{escaped(str(each.before))}<br><small>{escaped(each.before.decided_by)}</small></td>"
                f"<td>{escaped(str(each.after))}<br><small>{escaped(each.after.decided_by)}</small></td></tr>"
            )
        parts.append("</table></section>")
    parts.append("</main></body></html>\n")
    return "\n".join(part for part in parts if part)
