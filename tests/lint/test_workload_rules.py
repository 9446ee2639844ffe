"""What the case files cannot express for the workload rule families: the repo's own rendered
output, option validation, duplicates across files, and malformed input."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import Manifest, load, load_text
from gitops.k8s.quantity import quantity_problem
from gitops.lint.engine import ActiveRule, run_rules
from gitops.lint.rules import REGISTRY
from gitops.lint.rules.resources import CpuLimitOptions

REPO = Path(__file__).resolve().parents[2]
FAMILIES = {"probes", "resources", "pod-security", "images", "gitops-hygiene"}
RULES = [r for r in REGISTRY.rules if r.family in FAMILIES]


def _enabled() -> list[ActiveRule]:
    return [ActiveRule(r, r.severity, r.options) for r in RULES if r.enabled]


def test_rendered_apps_are_lint_clean() -> None:
    loaded = load([str(REPO / "rendered")])
    graph = ObjectGraph(loaded.manifests)
    assert not loaded.problems
    # 2 apps x 3 envs, minus ml-inference-api, which dev does not run (envs/dev.py).
    assert len(graph.workloads()) >= 5, "rendered/ should hold every env's workloads"
    findings = run_rules(graph, _enabled())
    shown = "\n".join(f"{f.path}:{f.line} {f.code} {f.message}" for f in findings)
    assert not findings, f"the constructs' output must pass their own linter:\n{shown}"


def test_cpu_limit_policy_must_be_known() -> None:
    assert CpuLimitOptions().policy == "ignore"
    with pytest.raises(ValueError, match="use one of: require, ignore, forbid"):
        CpuLimitOptions(policy="sometimes")


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: web\n"


def test_duplicates_are_compared_per_cluster(tmp_path: Path) -> None:
    # One env per cluster under rendered/: the same object in two envs is no conflict, but
    # two apps of one env, or two files of one directory, collide.
    for relative in (
        "rendered/dev/web/configmap.settings.yaml",
        "rendered/prod/web/configmap.settings.yaml",
        "rendered/prod/api/configmap.settings.yaml",
        "k8s/base/settings.yaml",
        "k8s/overlays/prod/settings.yaml",
        "k8s/overlays/prod/settings-copy.yaml",
    ):
        _write(tmp_path, relative, CONFIG_MAP)
    graph = ObjectGraph(load([str(tmp_path)]).manifests)
    rule = REGISTRY.by_code["GH003"]
    findings = run_rules(graph, [ActiveRule(rule, rule.severity, rule.options)])
    reported = sorted(Path(f.path).relative_to(tmp_path).as_posix() for f in findings)
    assert reported == [
        "k8s/overlays/prod/settings.yaml",
        "rendered/prod/web/configmap.settings.yaml",
    ]
    first = {Path(f.path).parent.name: f.message for f in findings}
    assert first["web"].endswith("rendered/prod/api/configmap.settings.yaml:1")


@pytest.mark.parametrize(
    ("resource", "value", "problem"),
    [
        ("memory", "1GiB", "write 1Gi (binary)"),
        ("memory", "64kb", "write 64Ki (binary) or 64k (decimal)"),
        ("hugepages-2Mi", "2m", "means 0.002 bytes"),
        ("cpu", True, "is not a Kubernetes quantity"),
        ("cpu", float("nan"), "is not a finite quantity"),
        ("memory", float("inf"), "is not a finite quantity"),
        ("cpu", "250m", None),
        ("nvidia.com/gpu", 1, None),
    ],
)
def test_quantity_problem(resource: str, value: object, problem: str | None) -> None:
    found = quantity_problem(resource, value)
    assert found == problem if problem is None else problem in (found or "")


WORKLOAD = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  template:
    metadata: {labels: {app: web}, annotations: {a: b}}
    spec:
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      volumes: [{name: v, hostPath: {path: /var/run/docker.sock}}]
      initContainers: [{name: i, image: busybox, restartPolicy: Always}]
      ephemeralContainers: [{name: e, image: busybox}]
      containers:
      - name: web
        image: nginx:latest
        imagePullPolicy: IfNotPresent
        ports: [{name: http, containerPort: 8080, hostPort: 80}]
        resources: {requests: {cpu: 1, memory: 1Gi}, limits: {cpu: 500m, memory: 512MB}}
        securityContext: {capabilities: {add: [SYS_ADMIN], drop: [NET_RAW]}}
        readinessProbe: {exec: {command: [check]}}
        livenessProbe: {httpGet: {path: /, port: healthz}}
        startupProbe: {exec: {command: [check]}}
        volumeMounts: [{name: v, mountPath: /v}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}
"""
FIELDS = [
    ("spec", "template"),
    ("spec", "template", "spec"),
    ("spec", "template", "spec", "securityContext"),
    ("spec", "template", "spec", "securityContext", "seccompProfile"),
    ("spec", "template", "spec", "volumes"),
    ("spec", "template", "spec", "volumes", 0, "hostPath"),
    ("spec", "template", "spec", "initContainers"),
    ("spec", "template", "spec", "ephemeralContainers"),
    ("spec", "template", "spec", "containers"),
    ("spec", "template", "spec", "containers", 0),
    ("spec", "template", "spec", "containers", 0, "image"),
    ("spec", "template", "spec", "containers", 0, "ports"),
    ("spec", "template", "spec", "containers", 0, "ports", 0),
    ("spec", "template", "spec", "containers", 0, "resources"),
    ("spec", "template", "spec", "containers", 0, "resources", "limits"),
    ("spec", "template", "spec", "containers", 0, "resources", "limits", "cpu"),
    ("spec", "template", "spec", "containers", 0, "securityContext"),
    ("spec", "template", "spec", "containers", 0, "securityContext", "capabilities"),
    ("spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "add"),
    ("spec", "template", "spec", "containers", 0, "readinessProbe"),
    ("spec", "template", "spec", "containers", 0, "livenessProbe", "httpGet"),
    ("spec", "template", "spec", "containers", 0, "livenessProbe", "httpGet", "port"),
    ("spec", "template", "spec", "containers", 0, "startupProbe", "exec", "command"),
    ("spec", "template", "spec", "containers", 0, "readinessProbe", "exec", "command"),
    ("spec", "template", "spec", "containers", 0, "volumeMounts"),
    ("metadata",),
]
ODD_VALUES: list[Any] = [None, "text", 7, True, float("nan"), [], {}, [None, "x", 3]]


def _replace(body: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    parent: Any = changed
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return changed


@pytest.mark.parametrize("field", FIELDS, ids=[".".join(map(str, f)) for f in FIELDS])
def test_malformed_fields_never_raise(field: tuple[str | int, ...]) -> None:
    documents = list(yaml.safe_load_all(WORKLOAD))
    manifests: list[Manifest] = []
    load_text(WORKLOAD, "base.yaml", manifests, [])
    # Sanity: the well-formed object trips every family, so a silent skip would show.
    assert {f.code[:2] for f in run_rules(ObjectGraph(manifests), _enabled())} >= {
        "IM",
        "PR",
        "PS",
        "RS",
    }
    for value in ODD_VALUES:
        odd = _replace(documents[0], field, value)
        manifests = []
        load_text(yaml.safe_dump_all([odd, documents[1]]), "odd.yaml", manifests, [])
        graph = ObjectGraph(manifests)
        run_rules(graph, [ActiveRule(r, r.severity, r.options) for r in RULES])
