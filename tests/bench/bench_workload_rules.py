"""How the workload rule families scale: run them over N synthetic lint-clean apps (a
Deployment, a Service and a ConfigMap each, spread over namespaces) and print objects per
second. Clean on purpose: locating findings is the engine's cost, measured elsewhere.

    .venv/bin/python tests/bench/bench_workload_rules.py 1000 10000

Cross-object rules (PR001 via Service selection, GH003 via identity) must stay O(n): the
rate should not fall as N grows.
"""

from __future__ import annotations

import sys
import time

from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import Manifest, load_text
from gitops.lint.engine import ActiveRule, run_rules
from gitops.lint.rules import REGISTRY

FAMILIES = {"probes", "resources", "pod-security", "images", "gitops-hygiene"}

APP = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app-{i}, namespace: ns-{ns}}}
spec:
  selector: {{matchLabels: {{app: app-{i}}}}}
  template:
    metadata: {{labels: {{app: app-{i}}}}}
    spec:
      securityContext: {{runAsNonRoot: true, seccompProfile: {{type: RuntimeDefault}}}}
      containers:
      - name: app
        image: ghcr.io/acme/app:1.{i}.0
        ports: [{{name: http, containerPort: 8080}}]
        resources: {{requests: {{cpu: 100m, memory: 128Mi}}, limits: {{memory: 256Mi}}}}
        securityContext:
          allowPrivilegeEscalation: false
          capabilities: {{drop: [ALL]}}
          readOnlyRootFilesystem: true
        readinessProbe: {{httpGet: {{path: /readyz, port: http}}}}
        livenessProbe: {{httpGet: {{path: /livez, port: http}}}}
---
apiVersion: v1
kind: Service
metadata: {{name: app-{i}, namespace: ns-{ns}}}
spec: {{selector: {{app: app-{i}}}, ports: [{{port: 80, targetPort: http}}]}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: app-{i}, namespace: ns-{ns}}}
data: {{A: b}}
"""


def bench(apps: int) -> None:
    manifests: list[Manifest] = []
    text = "---\n".join(APP.format(i=i, ns=i % 50) for i in range(apps))
    load_text(text, "bench.yaml", manifests, [])
    active = [
        ActiveRule(r, r.severity, r.options)
        for r in REGISTRY.rules
        if r.family in FAMILIES and r.enabled
    ]
    start = time.perf_counter()
    graph = ObjectGraph(manifests)
    findings = run_rules(graph, active)
    elapsed = time.perf_counter() - start
    print(
        f"{len(manifests):>7} objects  {len(active)} rules  {elapsed:6.2f} s  "
        f"{len(manifests) / elapsed:8.0f} objects/s  {len(findings)} findings"
    )


if __name__ == "__main__":
    for count in sys.argv[1:] or ["1000", "10000"]:
        bench(int(count))
