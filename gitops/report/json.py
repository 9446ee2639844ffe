"""Machine-readable report, versioned. Schema ``version`` 1 (documented in README.md)::

    {"version": 1,
     "findings": [{"code", "rule", "severity", "message", "fix", "path", "line", "column",
                   "kind", "namespace", "name", "container", "suppressed",
                   "suppression", "source", "extra"}],
     "summary": {"error", "warning", "info", "suppressed", "files", "objects"}}

Keys are only ever added, never removed or renamed; a breaking change bumps ``version``.
Suppressed findings are included (``suppressed: true`` and the ``suppression`` reason).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitops.findings import Finding
from gitops.report import Report, counts
from gitops.report.escape import findings_printable, json_safe
from gitops.report.indented_json import dumps_indented

SCHEMA_VERSION = 1


def finding_record(f: Finding) -> dict[str, Any]:
    return {
        "code": f.code,
        "rule": f.rule,
        "severity": f.severity.label,
        "message": f.message,
        "fix": f.fix,
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "kind": f.kind,
        "namespace": f.namespace,
        "name": f.name,
        "container": f.container,
        "suppressed": f.suppressed,
        "suppression": f.suppression,
        "source": f.source,
        "extra": dict(f.extra),
    }


def render(report: Report) -> str:
    return "".join(chunks(report))


def chunks(report: Report) -> Iterator[str]:
    """The report's text in pieces, one finding at a time: what ``json.dumps(document,
    indent=2)`` writes, without holding every finding's record (and their text twice) at once
    (a test compares the two), with characters a terminal acts on escaped (``json_safe``)."""
    findings = sorted(report.findings, key=Finding.sort_key)
    if not findings_printable(findings):
        # What a terminal would act on, escaped piece by piece (escapes span no pieces).
        yield from map(json_safe, _chunks(findings, counts(report)))
        return
    yield from _chunks(findings, counts(report))


def _chunks(findings: list[Finding], summary: dict[str, int]) -> Iterator[str]:
    if not findings:
        yield dumps_indented({"version": SCHEMA_VERSION, "findings": [], "summary": summary})
        yield "\n"
        return
    yield f'{{\n  "version": {dumps_indented(SCHEMA_VERSION)},\n  "findings": ['
    for number, finding in enumerate(findings):
        yield ",\n    " if number else "\n    "
        yield dumps_indented(finding_record(finding), level=2)
    yield f'\n  ],\n  "summary": {dumps_indented(summary, level=1)}\n}}\n'
