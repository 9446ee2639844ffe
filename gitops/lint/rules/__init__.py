"""Every rule family, collected in one place (duplicate codes or names are an error)."""

from __future__ import annotations

from gitops.lint.rules import (
    capabilities,
    coverage_disruption,
    coverage_network,
    coverage_scaling,
    coverage_services,
    coverage_workloads,
    host_access,
    hygiene,
    images,
    podsecurity,
    probes,
    promql,
    rbac_accounts,
    rbac_bindings,
    rbac_roles,
    resources,
    suppression,
)
from gitops.rules import input
from gitops.rules.registry import Registry

REGISTRY = Registry.collect(
    input.RULES,
    images.RULES,
    probes.RULES,
    resources.RULES,
    podsecurity.RULES,
    capabilities.RULES,
    host_access.RULES,
    rbac_roles.RULES,
    rbac_bindings.RULES,
    rbac_accounts.RULES,
    coverage_network.RULES,
    coverage_disruption.RULES,
    coverage_scaling.RULES,
    coverage_services.RULES,
    coverage_workloads.RULES,
    hygiene.RULES,
    promql.RULES,
    suppression.RULES,
)
