"""Human-readable report: findings grouped by file, then a summary line."""

from __future__ import annotations

from itertools import groupby

from gitops.findings import Finding
from gitops.report import Report


def render(report: Report) -> str:
    lines: list[str] = []
    shown = sorted((f for f in report.findings if not f.suppressed), key=Finding.sort_key)
    for path, group in groupby(shown, key=lambda f: f.path):
        lines.append(path)
        for f in group:
            where = (
                f" {f.kind} {f.namespace + '/' if f.namespace else ''}{f.name}" if f.kind else ""
            )
            container = f' container "{f.container}"' if f.container else ""
            lines.append(
                f"  {f.line}:{f.column} {f.severity.label} {f.code} {f.rule}:{where}{container} "
                f"{f.message}"
            )
            lines.append(f"      fix: {f.fix}")
    suppressed = sum(1 for f in report.findings if f.suppressed)
    lines.append(
        f"{len(shown)} finding(s), {suppressed} suppressed, in {report.objects} object(s) "
        f"from {report.files} file(s)"
    )
    return "\n".join(lines) + "\n"
