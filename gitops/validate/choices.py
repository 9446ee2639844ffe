"""The validator's closed choices, in a module light enough for the command line to import
before it knows which verb runs (``gitops.validate.config`` imports the version model)."""

from __future__ import annotations

ENGINES = ("builtin", "kubeconform", "auto")
"""``--engine`` and ``[tool.gitops.validate] engine``."""
