"""Choices of verbs' options that the command line needs before it knows which verb runs,
here so that building the command line imports none of those verbs (``gitops check`` answered
from its cache imports no more than it needs)."""

from __future__ import annotations

SLO_FORMATS = ("text", "markdown", "json", "openslo")
"""``gitops slo --format``."""
REPORT_FORMATS = ("github", "json", "sarif", "text")
"""``--format`` of the verbs that report findings: the keys of ``gitops.report.REPORTERS``
(a test holds them equal), without importing the reporters."""
