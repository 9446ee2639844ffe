"""Rules that keep a value per pod class (the workloads all the same objects select) or per
selection (the objects selecting the same workloads): workloads and selectors that share
one, but differ in what else the rule reads, still get their own findings."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import LoadProblem, Manifest, load_text
from gitops.lint.engine import ActiveRule, run_rules
from gitops.lint.rules import REGISTRY
from gitops.lint.rules.hygiene import deploy_scope


def findings(text: str, *codes: str) -> list[tuple[str, str, str, str]]:
    manifests: list[Manifest] = []
    problems: list[LoadProblem] = []
    load_text(text, "test.yaml", manifests, problems)
    assert not problems
    active = [ActiveRule(r, r.severity, r.options) for r in REGISTRY.rules if r.code in codes]
    assert len(active) == len(codes)
    found = run_rules(ObjectGraph(manifests), active)
    return sorted((f.code, f"{f.namespace}/{f.name}", f.kind or "", f.message) for f in found)


def deployment(name: str, namespace: str, app: str, ports: str = "[]", replicas: int = 1) -> str:
    return f"""
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  replicas: {replicas}
  template:
    metadata: {{labels: {{app: {app}}}}}
    spec: {{containers: [{{name: app, image: x:1, ports: {ports}}}]}}
---"""


def policy(name: str, namespace: str, selector: str, types: str, egress: str = "") -> str:
    return f"""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: {name}, namespace: {namespace}}}
spec: {{podSelector: {selector}, policyTypes: {types}{egress}}}
---"""


def service(name: str, namespace: str, app: str, target: str) -> str:
    return f"""
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {namespace}}}
spec: {{selector: {{app: {app}}}, ports: [{{port: 80, targetPort: {target}}}]}}
---"""


def test_many_namespace_wide_policies_isolate_every_workload_of_their_namespace() -> None:
    text = "".join(policy(f"ingress-{i}", "a", "{}", "[Ingress]") for i in range(20))
    text += policy("web-egress", "a", "{matchLabels: {app: web}}", "[Egress]")
    text += "".join(deployment(f"web-{i}", "a", "web") for i in range(5))
    text += deployment("api", "a", "api")
    # The same labels in a namespace without policies: another pod class.
    text += deployment("web-0", "b", "web")
    assert findings(text, "PC001") == [
        (
            "PC001",
            "a/api",
            "Deployment",
            'no NetworkPolicy in namespace "a" selects the pods for Egress (labels app=api)',
        ),
        (
            "PC001",
            "b/web-0",
            "Deployment",
            'no NetworkPolicy in namespace "b" selects the pods for Ingress and Egress '
            "(labels app=web)",
        ),
    ]


def test_egress_rules_are_those_of_the_policies_selecting_each_class() -> None:
    dns = ", egress: [{to: [{namespaceSelector: {}}], ports: [{port: 53, protocol: UDP}]}]"
    text = "".join(policy(f"deny-{i}", "a", "{}", "[Egress]") for i in range(10))
    text += policy("web-dns", "a", "{matchLabels: {app: web}}", "[Egress]", dns)
    text += deployment("web-1", "a", "web") + deployment("web-2", "a", "web")
    text += deployment("api", "a", "api")
    no_dns = 'pods are isolated for egress in namespace "a" and no NetworkPolicy selecting them '
    assert findings(text, "NC001") == [
        (
            "NC001",
            "a/api",
            "Deployment",
            no_dns + "allows DNS (53/UDP and 53/TCP to kube-system/kube-dns)",
        ),
        ("NC001", "a/web-1", "Deployment", no_dns + "allows DNS (53/TCP to kube-system/kube-dns)"),
        ("NC001", "a/web-2", "Deployment", no_dns + "allows DNS (53/TCP to kube-system/kube-dns)"),
    ]


def test_a_workload_selected_by_several_services() -> None:
    # Two workloads of one pod class: the same Services select both, but only one declares
    # the named port, so the Services route to them differently.
    text = deployment("named", "c", "shop", "[{name: http, containerPort: 8080}]")
    text += deployment("bare", "c", "shop")
    text += service("by-name", "c", "shop", "http") + service("by-number", "c", "shop", "9090")
    assert findings(text, "PR001") == [
        (
            "PR001",
            "c/bare",
            "Deployment",
            'container "app" has no readinessProbe, yet Services "by-name", "by-number" send it '
            "traffic",
        ),
        (
            "PR001",
            "c/named",
            "Deployment",
            'container "app" has no readinessProbe, yet Service "by-name" sends it traffic',
        ),
    ]


def test_services_sharing_a_selector_check_their_own_target_ports() -> None:
    text = deployment("named", "c", "shop", "[{name: http, containerPort: 8080}]")
    text += deployment("bare", "c", "shop")
    text += service("http", "c", "shop", "http") + service("metrics", "c", "shop", "metrics")
    assert findings(text, "PC014") == [
        (
            "PC014",
            "c/metrics",
            "Service",
            'targetPort "metrics" is not a container port name in Deployment "named", '
            'Deployment "bare"',
        )
    ]


def test_budgets_sharing_a_selector_compare_their_own_minimum() -> None:
    text = deployment("one", "c", "shop", replicas=1) + deployment("two", "c", "shop", replicas=1)
    for name, minimum in (("strict", 2), ("loose", 1)):
        text += f"""
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: {name}, namespace: c}}
spec: {{selector: {{matchLabels: {{app: shop}}}}, minAvailable: {minimum}}}
---"""
    assert findings(text, "PC004") == [
        (
            "PC004",
            "c/strict",
            "PodDisruptionBudget",
            'minAvailable 2 keeps all 2 selected pods (Deployment "one" replicas 1; '
            'Deployment "two" replicas 1) up: no pod may ever be evicted',
        )
    ]


@pytest.mark.parametrize(
    "path",
    [
        "rendered/dev/web/deployment.yaml",
        "/abs/rendered/prod/x.yaml",
        "a//b/c.yaml",
        "./a/./b.yaml",
        "//host/share/x.yaml",
        "a/../b/x.yaml",
        "dir/",
        "x.yaml",
        "",
        ".",
        "a\\b\\c.yaml",
    ],
)
def test_deploy_scope_reads_paths_as_pathlib_does(path: str) -> None:
    parts = PurePosixPath(path.replace("\\", "/")).parts
    if "rendered" in parts:
        index = len(parts) - 1 - parts[::-1].index("rendered")
        expected = parts[: index + 2] if len(parts) > index + 2 else parts[:-1]
    else:
        expected = parts[:-1]
    assert deploy_scope(path) == expected
