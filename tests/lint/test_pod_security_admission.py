"""PA rules with the PS rules they overlap: one finding per field, whoever reports it."""

from __future__ import annotations

from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import LoadProblem, Manifest, load_text
from gitops.lint.engine import ActiveRule, run_rules
from gitops.lint.rules import REGISTRY

POD = """\
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: web}
spec:
  containers:
  - name: web
    image: ghcr.io/acme/web:1.0.0
    securityContext: {privileged: true}
"""
NAMESPACE = """\
apiVersion: v1
kind: Namespace
metadata:
  name: web
  labels: {pod-security.kubernetes.io/enforce: %s}
---
"""


def codes_at(text: str, *codes: str) -> list[tuple[str, int]]:
    manifests: list[Manifest] = []
    problems: list[LoadProblem] = []
    load_text(text, "t.yaml", manifests, problems)
    active = [ActiveRule(r, r.severity, r.options) for r in REGISTRY.rules if r.code in codes]
    found = run_rules(ObjectGraph(manifests), active)
    return sorted((f.code, f.line) for f in found)


def test_ps_rule_reports_when_the_namespace_has_no_level() -> None:
    assert codes_at(POD, "PS002", "PA001") == [("PS002", 8)]


def test_pa_rule_takes_over_the_field_in_an_enforcing_namespace() -> None:
    text = NAMESPACE % "baseline" + POD
    assert codes_at(text, "PS002", "PA001") == [("PA001", 14)]


def test_ps_rule_still_reports_fields_the_level_does_not_check() -> None:
    # baseline does not check allowPrivilegeEscalation: PS003 keeps reporting it
    text = NAMESPACE % "baseline" + POD.replace("{privileged: true}", "{}")
    assert codes_at(text, "PS003", "PA001") == [("PS003", 14)]
    text = NAMESPACE % "restricted" + POD.replace("{privileged: true}", "{}")
    assert ("PS003", 14) not in codes_at(text, "PS003", "PA001")


def test_disabling_pa_gives_the_field_back_to_ps() -> None:
    text = NAMESPACE % "baseline" + POD
    assert codes_at(text, "PS002") == [("PS002", 14)]
