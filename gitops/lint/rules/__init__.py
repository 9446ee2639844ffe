"""Every rule family, collected in one place (duplicate codes or names are an error)."""

from __future__ import annotations

from gitops.lint.registry import Registry
from gitops.lint.rules import (
    capabilities,
    host_access,
    hygiene,
    images,
    input,
    podsecurity,
    probes,
    resources,
    suppression,
)

REGISTRY = Registry.collect(
    input.RULES,
    images.RULES,
    probes.RULES,
    resources.RULES,
    podsecurity.RULES,
    capabilities.RULES,
    host_access.RULES,
    hygiene.RULES,
    suppression.RULES,
)
