"""Human-readable report: findings grouped by file, then a summary line.

Suppressed findings are not listed (they were reviewed) but are counted in the summary.
Everything taken from manifests is escaped (``gitops.report.escape``): no control character
reaches the terminal or the CI log. Colour is the caller's choice (``Report.color``): the CLI
turns it on for a terminal only.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby

from gitops.findings import REPORT_ORDER, Finding, Severity
from gitops.report import Report, counts
from gitops.report.escape import line_start, printable

_RESET = "\033[0m"
_BOLD = "\033[1m"
_DIM = "\033[2m"
_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}


def render(report: Report) -> str:
    paint = _painter(report.color)
    lines: list[str] = []
    shown = sorted((f for f in report.findings if not f.suppressed), key=REPORT_ORDER)
    for path, group in groupby(shown, key=lambda f: f.path):
        lines.append(paint(_BOLD, line_start(path)))
        for f in group:
            label = paint(_COLORS[f.severity], f"{f.severity.label:<7}")
            lines.append(
                f"  {f.line}:{f.column}  {label} {f.code} {paint(_DIM, f.rule)}  "
                f"{_subject(f)}{printable(f.message)}"
            )
            lines.append(f"      fix: {printable(f.fix)}")
            if f.source:
                lines.append(f"      source: {printable(f.source)}")
        lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def summary_line(report: Report) -> str:
    tally = counts(report)
    parts = [
        _plural(tally["error"], "error"),
        _plural(tally["warning"], "warning"),
        f"{tally['info']} info",
    ]
    return (
        f"{', '.join(parts)}; {tally['suppressed']} suppressed; "
        f"{_plural(report.objects, 'object')} in {_plural(report.files, 'file')}"
    )


def _subject(f: Finding) -> str:
    if not f.kind:
        return ""
    # The message names the container already (rules are asked to), so it is not repeated.
    return printable(f"{f.kind} {f.namespace + '/' if f.namespace else ''}{f.name or ''}: ")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _painter(color: bool) -> Callable[[str, str], str]:
    def paint(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    return paint
