"""The json reporter writes exactly what ``json.dumps(indent=2, ensure_ascii=False)`` would."""

from __future__ import annotations

import json

from gitops.findings import Finding, Severity
from gitops.report import REPORTERS, Report, counts
from gitops.report.json import SCHEMA_VERSION, finding_record


def _finding(**overrides: object) -> Finding:
    values: dict[str, object] = {
        "code": "PR001",
        "rule": "missing-readiness-probe",
        "severity": Severity.ERROR,
        "message": "container web has no readinessProbe",
        "fix": "Add one.",
        "path": "rendered/prod/web/deployment.web.yaml",
        "line": 12,
    }
    values.update(overrides)
    return Finding(**values)  # type: ignore[arg-type]


def _reference(report: Report) -> str:
    document = {
        "version": SCHEMA_VERSION,
        "findings": [finding_record(f) for f in sorted(report.findings, key=Finding.sort_key)],
        "summary": counts(report),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def test_layout_matches_the_indenting_encoder() -> None:
    findings = [
        _finding(),
        _finding(
            code="SC002",
            line=3,
            column=7,
            message='value "ü\\n\t\u2028" at <spec> is not a string; quote it: "x"',
            kind="Deployment",
            namespace="shop",
            name="web",
            container="web",
            suppressed=True,
            suppression="config: vendored chart",
            source="apps/web.py (construct web/deployment)",
            extra=(("schemaPath", "#/properties/spec"), ("value", "\U0001f600 emoji")),
        ),
        _finding(path="vendor/chart.yaml", severity=Severity.INFO, extra=(("k", ""),)),
    ]
    report = Report(findings=findings, rules=(), files=2, objects=3)
    assert REPORTERS["json"](report) == _reference(report)


def test_layout_without_findings() -> None:
    report = Report(findings=(), rules=(), files=0, objects=0)
    assert REPORTERS["json"](report) == _reference(report)
