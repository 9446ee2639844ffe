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
from gitops.k8s.parallel import default_jobs, interleaved
from gitops.report import Report, counts
from gitops.report.escape import json_safe
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


FINDINGS_PER_PIECE = 1000
"""Findings per piece of the report (about 0.7 MB of text)."""
PARALLEL_MIN_FINDINGS = 4000
"""From this many findings, a second process writes every other piece (fewer do not pay
for the fork)."""


def chunks(report: Report, *, jobs: int | None = None) -> Iterator[str]:
    """The report's text in pieces of ``FINDINGS_PER_PIECE`` findings: what
    ``json.dumps(document, indent=2)`` writes (a test compares the two) without holding every
    finding's record (and their text twice) at once, with characters a terminal acts on
    escaped (``json_safe``). With 2 ``jobs`` (default: see :func:`default_jobs`) a forked
    child writes every other piece while this process writes the others; the text is the
    same."""
    findings = sorted(report.findings, key=Finding.sort_key)
    summary = counts(report)
    if not findings:
        yield dumps_indented({"version": SCHEMA_VERSION, "findings": [], "summary": summary})
        yield "\n"
        return
    yield f'{{\n  "version": {dumps_indented(SCHEMA_VERSION)},\n  "findings": ['

    def piece(number: int) -> str:
        start = number * FINDINGS_PER_PIECE
        text = "".join(
            f"{',' if index else ''}\n    {dumps_indented(finding_record(finding), level=2)}"
            for index, finding in enumerate(
                findings[start : start + FINDINGS_PER_PIECE], start=start
            )
        )
        # Each character is escaped or not on its own, whatever the pieces (and a piece of
        # plain ASCII, nearly all of them, costs one scan in C).
        return json_safe(text)

    pieces = -(-len(findings) // FINDINGS_PER_PIECE)
    if (jobs or default_jobs(len(findings), PARALLEL_MIN_FINDINGS)) >= 2:
        yield from interleaved(pieces, piece)
    else:
        yield from map(piece, range(pieces))
    yield f'\n  ],\n  "summary": {dumps_indented(summary, level=1)}\n}}\n'
