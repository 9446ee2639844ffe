"""Every rule gitops can report, from every engine: what ``gitops rules``, the generated rules
reference and SARIF rule descriptors are built from."""

from __future__ import annotations

from gitops.lint.rules import REGISTRY as LINT_REGISTRY
from gitops.render.drift import RULES as DRIFT_RULES
from gitops.rules.registry import Registry
from gitops.validate.rules import RULES as VALIDATE_RULES

CATALOG = Registry.collect(LINT_REGISTRY.rules, VALIDATE_RULES, DRIFT_RULES)
