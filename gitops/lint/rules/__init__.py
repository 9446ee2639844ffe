"""Every rule family, collected in one place (duplicate codes or names are an error)."""

from __future__ import annotations

from gitops.lint.registry import Registry
from gitops.lint.rules import images, input, suppression

REGISTRY = Registry.collect(input.RULES, images.RULES, suppression.RULES)
