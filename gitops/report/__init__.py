"""Reporters: one run's findings as text, json, sarif or github annotations.

Each reporter is a function ``(Report) -> str``; ``REPORTERS`` maps format names to them, and
the CLI builds its ``--format`` choices from that mapping, so help text cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from gitops.findings import Finding
from gitops.lint.registry import Rule


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


def _text(report: Report) -> str:
    from gitops.report.text import render

    return render(report)


REPORTERS: dict[str, Callable[[Report], str]] = {"text": _text}
