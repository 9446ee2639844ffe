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
from json.encoder import encode_basestring  # the C one where there is one
from typing import Any

from gitops.findings import REPORT_ORDER, Finding, Severity
from gitops.k8s.parallel import default_jobs, interleaved
from gitops.report import Report, counts
from gitops.report.escape import json_safe
from gitops.report.indented_json import dumps_indented

SCHEMA_VERSION = 1


_LABELS = {severity: severity.label for severity in Severity}


def finding_record(f: Finding) -> dict[str, Any]:
    return {
        "code": f.code,
        "rule": f.rule,
        "severity": _LABELS[f.severity],
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
    findings = sorted(report.findings, key=REPORT_ORDER)
    summary = counts(report)
    if not findings:
        yield dumps_indented({"version": SCHEMA_VERSION, "findings": [], "summary": summary})
        yield "\n"
        return
    yield f'{{\n  "version": {dumps_indented(SCHEMA_VERSION)},\n  "findings": ['

    strings = _StringTexts()

    def piece(number: int) -> str:
        start = number * FINDINGS_PER_PIECE
        records = [
            dumps_indented(finding_record(f), level=2) if f.extra else strings.record(f)
            for f in findings[start : start + FINDINGS_PER_PIECE]
        ]
        text = ("," if start else "") + "\n    " + ",\n    ".join(records)
        # Each character is escaped or not on its own, whatever the pieces (and a piece of
        # plain ASCII, nearly all of them, costs one scan in C).
        return json_safe(text)

    pieces = -(-len(findings) // FINDINGS_PER_PIECE)
    if (jobs or default_jobs(len(findings), PARALLEL_MIN_FINDINGS)) >= 2:
        yield from interleaved(pieces, piece)
    else:
        yield from map(piece, range(pieces))
    yield f'\n  ],\n  "summary": {dumps_indented(summary, level=1)}\n}}\n'


class _StringTexts:
    """JSON texts of a report's strings, each encoded once: a finding's rule, fix, path, kind,
    namespace, name and container repeat from finding to finding (its message rarely does)."""

    def __init__(self) -> None:
        self._texts: dict[object, str] = {None: "null"}

    def text(self, value: object) -> str:
        known = self._texts.get(value)
        if known is None:
            known = dumps_indented(value)
            if type(value) is str:
                self._texts[value] = known
        return known

    def record(self, f: Finding) -> str:
        """``dumps_indented(finding_record(f), level=2)`` for a finding without extra facts,
        joined from its fields' texts: the same characters (a test compares them) in a
        third of the time of encoding the record as a whole."""
        known, text = self._texts.get, self.text  # known(v) or text(v): no call when known
        return "".join(
            (
                '{\n      "code": ',
                known(f.code) or text(f.code),
                ',\n      "rule": ',
                known(f.rule) or text(f.rule),
                ',\n      "severity": ',
                known(_LABELS[f.severity]) or text(_LABELS[f.severity]),
                ',\n      "message": ',
                _string(f.message),
                ',\n      "fix": ',
                known(f.fix) or text(f.fix),
                ',\n      "path": ',
                known(f.path) or text(f.path),
                ',\n      "line": ',
                _scalar(f.line),
                ',\n      "column": ',
                _scalar(f.column),
                ',\n      "kind": ',
                known(f.kind) or text(f.kind),
                ',\n      "namespace": ',
                known(f.namespace) or text(f.namespace),
                ',\n      "name": ',
                known(f.name) or text(f.name),
                ',\n      "container": ',
                known(f.container) or text(f.container),
                ',\n      "suppressed": ',
                _scalar(f.suppressed),
                ',\n      "suppression": ',
                known(f.suppression) or text(f.suppression),
                ',\n      "source": ',
                known(f.source) or text(f.source),
                ',\n      "extra": {}\n    }',
            )
        )


def _string(value: object) -> str:
    return encode_basestring(value) if type(value) is str else dumps_indented(value)


def _scalar(value: object) -> str:
    """The JSON text of a number or boolean (``int.__repr__``, as the encoder writes ints)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return int.__repr__(value) if type(value) is int else dumps_indented(value)
