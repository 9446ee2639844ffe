"""The lint settings' closed choices, in a module light enough for the command line to import
before it knows which verb runs (``gitops.lint.config`` imports the rule model)."""

from __future__ import annotations

PRESETS = ("recommended", "strict")
FAIL_ON = ("error", "warning", "never")
