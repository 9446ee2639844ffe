"""Every rule family, collected in one place (duplicate codes or names are an error)."""

from __future__ import annotations

from gitops.lint.registry import Registry
from gitops.lint.rules import (
    coverage_disruption,
    coverage_network,
    coverage_scaling,
    coverage_services,
    coverage_workloads,
    images,
    input,
    rbac_accounts,
    rbac_bindings,
    rbac_roles,
)

REGISTRY = Registry.collect(
    input.RULES,
    images.RULES,
    rbac_roles.RULES,
    rbac_bindings.RULES,
    rbac_accounts.RULES,
    coverage_network.RULES,
    coverage_disruption.RULES,
    coverage_scaling.RULES,
    coverage_services.RULES,
    coverage_workloads.RULES,
)
