"""Lint a construct's output the way CI does: every rule, strict severities, the app's
namespace at the restricted Pod Security level (``env`` is the one the objects were built
for)."""

from __future__ import annotations

import json
from typing import Any

from gitops.constructs.environment import Environment
from gitops.findings import Finding
from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import LoadProblem, Manifest, load_text
from gitops.lint.engine import ActiveRule, run_rules
from gitops.lint.rules import REGISTRY

NOT_ABOUT_DEFAULTS = frozenset({"IM002", "RS006", "PC015"})
"""IM002 (digest pinning) is about the image prop; RS006 (ephemeral-storage) is about the
shared ``Resources`` default every workload kind has (WebService included); PC015's SLO part
(strict: a workload behind a Service needs an SLO burn-rate alert) asks for SLOs, which only
WebService/Worker props offer so far (a StatefulSet's headless Service counts as "behind a
Service")."""


def strict_findings(
    objects: dict[tuple[str, str], dict[str, Any]], env: Environment
) -> list[Finding]:
    manifests: list[Manifest] = []
    problems: list[LoadProblem] = []
    # The chart emits its Namespace (restricted, at the env's version) with the objects.
    assert (
        objects[("Namespace", "demo")]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"]
        == "restricted"
    )
    for index, body in enumerate(objects.values()):
        load_text(json.dumps(body), f"{index}.yaml", manifests, problems)
    assert not problems
    active = [
        ActiveRule(r, r.strict_severity or r.severity, r.options)
        for r in REGISTRY.rules
        if r.engine == "lint" and r.code not in NOT_ABOUT_DEFAULTS
    ]
    return run_rules(ObjectGraph(manifests), active)


def assert_lint_clean(objects: dict[tuple[str, str], dict[str, Any]], env: Environment) -> None:
    found = strict_findings(objects, env)
    shown = "\n".join(f"{f.code} {f.kind}/{f.name}: {f.message}" for f in found)
    assert not found, shown
