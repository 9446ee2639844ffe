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

import json
from typing import Any

from gitops.findings import Finding
from gitops.report import Report, counts

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
    """The document as ``json.dumps(document, indent=2, ensure_ascii=False)`` would write it,
    built from the C encoder's output for each value: the indenting encoder is pure Python
    and took longer than linting for a run with many findings."""
    records = [_record(finding_record(f)) for f in sorted(report.findings, key=Finding.sort_key)]
    findings = "[\n" + ",\n".join(records) + "\n  ]" if records else "[]"
    summary = _indented(counts(report), "  ")
    return (
        f'{{\n  "version": {_encode(SCHEMA_VERSION)},\n  "findings": {findings},\n'
        f'  "summary": {summary}\n}}\n'
    )


_encode = json.JSONEncoder(ensure_ascii=False).encode
"""One value as compact JSON (the C encoder); with no nested containers, this is exactly
what the indenting encoder writes for it."""
_encode_flat_record = json.JSONEncoder(ensure_ascii=False, separators=(",\n      ", ": ")).encode
"""A record whose values are all scalars or empty, fields already on their own lines."""


def _record(record: dict[str, Any]) -> str:
    if not any(value for value in record.values() if isinstance(value, dict | list)):
        return "    {\n      " + _encode_flat_record(record)[1:-1] + "\n    }"
    fields = [
        f"      {_encode(key)}: "
        + (_indented(value, "      ") if isinstance(value, dict | list) else _encode(value))
        for key, value in record.items()
    ]
    return "    {\n" + ",\n".join(fields) + "\n    }"


def _indented(value: dict[str, Any] | list[Any], indent: str) -> str:
    """A container at ``indent``: what the indenting encoder writes there."""
    if not value:
        return _encode(value)
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + indent)
