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

from typing import Any

from gitops.findings import Finding
from gitops.report import Report, counts
from gitops.report.escape import report_json
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
    document = {
        "version": SCHEMA_VERSION,
        "findings": [finding_record(f) for f in sorted(report.findings, key=Finding.sort_key)],
        "summary": counts(report),
    }
    return report_json(dumps_indented(document), report.findings) + "\n"
