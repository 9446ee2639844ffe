"""How the rbac and policy-coverage rules scale: time per object should stay flat as the
input grows, both across many namespaces and with everything in one namespace.

    .venv/bin/python tests/bench/bench_rbac_coverage.py [--sizes 250,500,1000,2000]

Objects are generated as YAML text and read by the real loader; the timed part is graph
construction plus running every rule of the two families (what ``gitops lint`` pays).
"""

from __future__ import annotations

import argparse
import time

from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import LoadProblem, Manifest, load_text
from gitops.lint.engine import ActiveRule, run_rules
from gitops.lint.rules import REGISTRY

FAMILIES = ("rbac", "policy-coverage")

APP = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app{i}, namespace: {ns}, labels: {{app.kubernetes.io/name: app{i}}}}}
spec:
  selector: {{matchLabels: {{app.kubernetes.io/name: app{i}}}}}
  template:
    metadata: {{labels: {{app.kubernetes.io/name: app{i}, app.kubernetes.io/part-of: shop}}}}
    spec:
      serviceAccountName: app{i}
      automountServiceAccountToken: true
      containers:
      - name: app
        image: registry.example.com/app:1.0
        ports: [{{name: http, containerPort: 8080}}]
---
apiVersion: v1
kind: Service
metadata: {{name: app{i}, namespace: {ns}, labels: {{app.kubernetes.io/name: app{i}}}}}
spec:
  selector: {{app.kubernetes.io/name: app{i}}}
  ports: [{{name: http, port: 80, targetPort: http}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: app{i}, namespace: {ns}}}
spec:
  podSelector: {{matchLabels: {{app.kubernetes.io/name: app{i}}}}}
  policyTypes: [Ingress, Egress]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: app{i}, namespace: {ns}}}
spec:
  maxUnavailable: 1
  selector: {{matchLabels: {{app.kubernetes.io/name: app{i}}}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: app{i}, namespace: {ns}}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: app{i}}}
  minReplicas: 2
  maxReplicas: 6
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: app{i}, namespace: {ns}}}
automountServiceAccountToken: false
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: app{i}, namespace: {ns}}}
rules:
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: app{i}, namespace: {ns}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: app{i}}}
subjects: [{{kind: ServiceAccount, name: app{i}, namespace: {ns}}}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: app{i}, namespace: {ns}}}
spec:
  rules:
  - http:
      paths:
      - backend: {{service: {{name: app{i}, port: {{name: http}}}}}}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {{name: app{i}, namespace: {ns}}}
spec:
  selector: {{matchLabels: {{app.kubernetes.io/name: app{i}}}}}
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {{name: app{i}, namespace: {ns}, labels: {{app.kubernetes.io/name: app{i}}}}}
spec:
  groups:
  - name: app{i}
    rules:
    - alert: App{i}Down
      expr: up{{job="app{i}"}} == 0
"""

NAMESPACE = """\
apiVersion: v1
kind: Namespace
metadata: {{name: {ns}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: default-deny, namespace: {ns}}}
spec:
  podSelector: {{}}
  policyTypes: [Ingress, Egress]
"""


def generate(apps: int, *, one_namespace: bool) -> str:
    namespaces = ["shop"] if one_namespace else [f"ns{i}" for i in range(apps)]
    parts = [NAMESPACE.format(ns=ns) for ns in namespaces]
    parts += [APP.format(i=i, ns=namespaces[0 if one_namespace else i]) for i in range(apps)]
    return "---\n".join(parts)


def measure(apps: int, *, one_namespace: bool) -> tuple[int, float, int]:
    manifests: list[Manifest] = []
    problems: list[LoadProblem] = []
    load_text(generate(apps, one_namespace=one_namespace), "bench.yaml", manifests, problems)
    assert not problems, problems[:3]
    rules = [r for r in REGISTRY.rules if r.family in FAMILIES]
    active = [ActiveRule(r, r.severity, r.options) for r in rules]
    start = time.perf_counter()
    findings = run_rules(ObjectGraph(manifests), active)
    return len(manifests), time.perf_counter() - start, len(findings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="250,500,1000,2000", help="apps per run")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    print(f"{'layout':<15}{'apps':>6}{'objects':>9}{'seconds':>9}{'us/object':>11}{'findings':>10}")
    for one_namespace in (False, True):
        layout = "one namespace" if one_namespace else "ns per app"
        for apps in sizes:
            objects, seconds, findings = measure(apps, one_namespace=one_namespace)
            per_object = seconds / objects * 1e6
            print(
                f"{layout:<15}{apps:>6}{objects:>9}{seconds:>9.3f}{per_object:>11.1f}{findings:>10}"
            )


if __name__ == "__main__":
    main()
