"""This repo's own rendered objects pass every enabled rbac and policy-coverage rule.

The whole ``rendered/`` tree is checked as one input, and each environment on its own (with
the Argo CD objects): an environment is one cluster, and in the merged tree a
PodDisruptionBudget of prod would also "select" dev's workload of the same namespace.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops.findings import Finding
from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import load
from gitops.lint.engine import ActiveRule, run_rules
from gitops.lint.rules import REGISTRY

RENDERED = Path(__file__).resolve().parents[2] / "rendered"
FAMILIES = ("rbac", "policy-coverage")
ENVS = sorted(p.name for p in RENDERED.iterdir() if p.is_dir() and p.name != "argocd")
INPUTS = {"all": [RENDERED]} | {env: [RENDERED / env, RENDERED / "argocd"] for env in ENVS}


def _lint(paths: list[Path]) -> tuple[ObjectGraph, list[Finding]]:
    loaded = load([str(p) for p in paths])
    assert not loaded.problems, loaded.problems
    graph = ObjectGraph(loaded.manifests)
    rules = [r for r in REGISTRY.rules if r.family in FAMILIES and r.enabled]
    return graph, run_rules(graph, [ActiveRule(r, r.severity, r.options) for r in rules])


@pytest.mark.parametrize("name", INPUTS)
def test_rendered_objects_have_no_findings(name: str) -> None:
    graph, findings = _lint(INPUTS[name])
    # What the rules check must be there, or "no findings" proves nothing.
    for kind in ("Namespace", "NetworkPolicy", "Service", "HorizontalPodAutoscaler"):
        assert graph.of_kind(kind), f"no {kind} in {name}"
    assert graph.workloads()
    shown = "\n".join(f"{f.path}:{f.line} {f.code} {f.message}" for f in findings)
    assert not findings, shown


def test_both_families_are_registered_and_enabled() -> None:
    for family in FAMILIES:
        assert any(r.enabled for r in REGISTRY.lookup(family)), family
    assert ENVS, f"no environments under {RENDERED}"
