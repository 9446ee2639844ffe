"""Generate third-party-style Kubernetes YAML (``helm template`` output), for benchmarks.

Each chart is one multi-document file, the way ``helm template ... > chart.yaml`` or a vendored
install bundle looks: ``# Source:`` comments, ``---`` separators, Helm's indentation and label
set. Charts hold a ServiceAccount, a ConfigMap, a Service and a Deployment or StatefulSet;
some add cluster RBAC, an Ingress, a CronJob or a DaemonSet. They carry the problems real
vendored YAML has, at fixed shares so runs are comparable: a third of the workloads have no
probes, a quarter no limits, a fifth a ``latest`` or untagged image, a sixth run privileged or
as root, every seventh mounts a hostPath, every third chart's ClusterRole uses wildcards.
Usage: python tests/bench/gen_vendor.py DIR OBJECTS
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

HEADER = """\
# Source: {chart}/templates/{template}.yaml
"""

LABELS = """\
    helm.sh/chart: {chart}-{version}
    app.kubernetes.io/name: {chart}
    app.kubernetes.io/instance: {release}
    app.kubernetes.io/version: "{version}"
    app.kubernetes.io/managed-by: Helm"""

SERVICE_ACCOUNT = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {release}-{chart}
  namespace: {namespace}
  labels:
{labels}
"""

CONFIG_MAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {release}-{chart}
  namespace: {namespace}
  labels:
{labels}
data:
  LOG_LEVEL: "info"
  LISTEN_ADDR: ":8080"
  config.yaml: |
    server:
      port: 8080
      readTimeout: 30s
    upstreams:
      - name: {chart}-backend
        url: http://{chart}-backend.{namespace}.svc:8080
"""

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: {release}-{chart}
  namespace: {namespace}
  labels:
{labels}
spec:
  type: ClusterIP
  ports:
    - port: 80
      targetPort: http
      protocol: TCP
      name: http
  selector:
    app.kubernetes.io/name: {chart}
    app.kubernetes.io/instance: {release}
"""

WORKLOAD = """\
apiVersion: apps/v1
kind: {kind}
metadata:
  name: {release}-{chart}
  namespace: {namespace}
  labels:
{labels}
spec:
{replicas}  selector:
    matchLabels:
      app.kubernetes.io/name: {chart}
      app.kubernetes.io/instance: {release}
  template:
    metadata:
      annotations:
        checksum/config: 5e1c{index:08x}b3d2a4f6
      labels:
        app.kubernetes.io/name: {chart}
        app.kubernetes.io/instance: {release}
    spec:
      serviceAccountName: {release}-{chart}
      securityContext:
{pod_security}      containers:
        - name: {chart}
          image: "{image}"
          imagePullPolicy: {pull}
          args:
            - --config=/etc/{chart}/config.yaml
            - --log-level=$(LOG_LEVEL)
          envFrom:
            - configMapRef:
                name: {release}-{chart}
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
{probes}          resources:
{resources}          securityContext:
{container_security}          volumeMounts:
            - name: config
              mountPath: /etc/{chart}
{host_mount}      volumes:
        - name: config
          configMap:
            name: {release}-{chart}
{host_volume}"""

PROBES = """\
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
          readinessProbe:
            httpGet:
              path: /ready
              port: http
"""

CLUSTER_ROLE = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {release}-{chart}
  labels:
{labels}
rules:
  - apiGroups: [{groups}]
    resources: [{resources}]
    verbs: [{verbs}]
  - apiGroups: [""]
    resources: ["events"]
    verbs: ["create", "patch"]
"""

CLUSTER_ROLE_BINDING = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: {release}-{chart}
  labels:
{labels}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {release}-{chart}
subjects:
  - kind: ServiceAccount
    name: {release}-{chart}
    namespace: {namespace}
"""

INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {release}-{chart}
  namespace: {namespace}
  labels:
{labels}
  annotations:
    nginx.ingress.kubernetes.io/proxy-body-size: 8m
spec:
  ingressClassName: nginx
  rules:
    - host: "{chart}.apps.example.com"
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {release}-{chart}
                port:
                  number: 80
"""

CRON_JOB = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: {release}-{chart}-cleanup
  namespace: {namespace}
  labels:
{labels}
spec:
  schedule: "{minute} 3 * * *"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: cleanup
              image: "{image}"
              args: ["cleanup", "--older-than=168h"]
"""


def _chart_documents(index: int) -> Iterator[tuple[str, str]]:
    """(template name, YAML) of chart ``index``'s objects, in helm's output order."""
    chart = f"vendor-{index:04d}"
    version = f"{1 + index % 4}.{index % 10}.{index % 7}"
    fields = {
        "chart": chart,
        "release": f"rel{index % 50}",
        "namespace": f"team-{index % 40:02d}",
        "version": version,
        "index": index,
        "minute": index % 60,
    }
    fields["labels"] = LABELS.format(**fields)
    tag = ("latest", "", f"v{version}", f"v{version}", f"v{version}")[index % 5]
    fields["image"] = f"quay.io/{chart}/{chart}" + (f":{tag}" if tag else "")
    fields["pull"] = "Always" if index % 5 < 2 else "IfNotPresent"
    yield "serviceaccount", SERVICE_ACCOUNT.format(**fields)
    yield "configmap", CONFIG_MAP.format(**fields)
    if index % 3 == 0:
        wildcard = index % 9 == 0
        yield (
            "clusterrole",
            CLUSTER_ROLE.format(
                **fields,
                groups='"*"' if wildcard else '"", "apps"',
                resources='"*"' if wildcard else '"pods", "configmaps", "secrets"',
                verbs='"*"' if wildcard else '"get", "list", "watch"',
            ),
        )
        yield "clusterrolebinding", CLUSTER_ROLE_BINDING.format(**fields)
    yield "service", SERVICE.format(**fields)
    yield "workload", _workload(index, fields)
    if index % 4 == 1:
        yield "ingress", INGRESS.format(**fields)
    if index % 5 == 2:
        yield "cronjob", CRON_JOB.format(**fields)


def _workload(index: int, fields: dict[str, object]) -> str:
    kind = ("Deployment", "Deployment", "StatefulSet", "Deployment", "DaemonSet")[index % 5]
    root = index % 6 == 0
    return WORKLOAD.format(
        **fields,
        kind=kind,
        replicas="" if kind == "DaemonSet" else f"  replicas: {1 + index % 3}\n",
        pod_security="        fsGroup: 2000\n"
        if root
        else "        runAsNonRoot: true\n        runAsUser: 1000\n        fsGroup: 2000\n",
        probes="" if index % 3 == 1 else PROBES,
        resources="            requests:\n              cpu: 100m\n              memory: 128Mi\n"
        if index % 4 == 3
        else "            limits:\n              cpu: 500m\n              memory: 256Mi\n"
        "            requests:\n              cpu: 100m\n              memory: 128Mi\n",
        container_security="            privileged: true\n"
        if root
        else "            allowPrivilegeEscalation: false\n"
        "            readOnlyRootFilesystem: true\n"
        '            capabilities:\n              drop: ["ALL"]\n',
        host_mount="            - name: host\n              mountPath: /host/var/log\n"
        if index % 7 == 0
        else "",
        host_volume="        - name: host\n          hostPath:\n            path: /var/log\n"
        if index % 7 == 0
        else "",
    )


def generate(target: Path, objects: int) -> int:
    """Write charts under ``target`` until they hold ``objects`` objects; returns the count."""
    written = index = 0
    while written < objects:
        parts = []
        for template, text in _chart_documents(index):
            if written == objects:
                break
            chart = f"vendor-{index:04d}"
            parts.append(HEADER.format(chart=chart, template=template) + text)
            written += 1
        folder = target / f"chart-{index:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "manifests.yaml").write_text("---\n" + "---\n".join(parts))
        index += 1
    return written


if __name__ == "__main__":
    print(generate(Path(sys.argv[1]), int(sys.argv[2])), "objects")
