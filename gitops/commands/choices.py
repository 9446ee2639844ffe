"""Choices of verbs' options that the command line needs before it knows which verb runs,
here so that building the command line imports none of those verbs (``gitops check`` answered
from its cache imports no more than it needs)."""

from __future__ import annotations

SLO_FORMATS = ("text", "markdown", "json", "openslo")
"""``gitops slo --format``."""
