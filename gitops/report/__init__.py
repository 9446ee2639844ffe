"""Reporters: one run's findings as text, json, sarif or github annotations.

Each reporter is a function ``(Report) -> str``; ``REPORTERS`` maps format names to them, and
the CLI builds its ``--format`` choices from that mapping, so help text cannot drift.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gitops.findings import Finding, Severity

if TYPE_CHECKING:  # the rule model imports the object model; the CLI's --format needs neither
    from gitops.rules.registry import Rule


@dataclass(frozen=True)
class Report:
    """Everything a reporter may show about one run."""

    findings: Sequence[Finding]
    rules: Sequence[Rule]
    """The rules that could have produced findings (for SARIF descriptors)."""
    files: int = 0
    objects: int = 0
    tool: str = "gitops"
    extra: Mapping[str, object] = field(default_factory=dict)
    color: bool = False
    """ANSI colours in text output (the CLI sets it when stdout is a terminal, NO_COLOR unset)."""


def counts(report: Report) -> dict[str, int]:
    """Unsuppressed findings per severity, suppressed findings, files and objects."""
    shown = Counter(f.severity for f in report.findings if not f.suppressed)
    tally = {s.label: shown[s] for s in sorted(Severity, reverse=True)}
    suppressed = len(report.findings) - shown.total()
    return {**tally, "suppressed": suppressed, "files": report.files, "objects": report.objects}


def _text(report: Report) -> str:
    from gitops.report.text import render

    return render(report)


def _json(report: Report) -> str:
    from gitops.report.json import render

    return render(report)


def _sarif(report: Report) -> str:
    from gitops.report.sarif import render

    return render(report)


def _github(report: Report) -> str:
    from gitops.report.github import render

    return render(report)


REPORTERS: dict[str, Callable[[Report], str]] = {
    "text": _text,
    "json": _json,
    "sarif": _sarif,
    "github": _github,
}

CHUNK_CHARS = 1 << 20


def report_chunks(report: Report, output_format: str) -> Iterator[str]:
    """``REPORTERS[output_format](report)`` in pieces of about ``CHUNK_CHARS``, for writing
    as they come: a JSON report with many findings is then never in memory whole."""
    if output_format != "json":
        yield REPORTERS[output_format](report)
        return
    from gitops.report.json import chunks

    batch: list[str] = []
    size = 0
    for piece in chunks(report):
        batch.append(piece)
        size += len(piece)
        if size >= CHUNK_CHARS:
            yield "".join(batch)
            batch, size = [], 0
    if batch:
        yield "".join(batch)
