"""Hypothesis strategies: Kubernetes-shaped objects with random types in every field, and
random YAML text.

Seeds are real objects: every manifest in the rule case files (``gitops/rules/cases``, which
cover every kind a lint rule reads) plus one of each kind below that the cases may lack. A
drawn object is a seed with any field replaced, at any depth, by a value of another type:
null, booleans, integers, floats, text with control characters, lists, and mappings whose
keys are integers, booleans, null or nested collections.
"""

from __future__ import annotations

import copy
from functools import cache
from random import Random
from typing import Any

import yaml
from hypothesis import strategies as st

from gitops.rules.cases import CASES_DIR

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

EXTRA_SEEDS = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}, annotations: {a: b}}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}, matchExpressions: [{key: tier, operator: In, values: [a]}]}
  strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 1, maxSurge: 25%}}
  template:
    metadata: {labels: {app: web, tier: a}, annotations: {x: y}}
    spec:
      serviceAccountName: web
      securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
      volumes: [{name: v, hostPath: {path: /var}}, {name: s, secret: {secretName: s}}]
      initContainers: [{name: init, image: busybox:1.36, restartPolicy: Always}]
      containers:
      - name: app
        image: registry.example.com/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
        ports: [{containerPort: 8080, hostPort: 80, name: http, protocol: TCP}]
        env: [{name: A, value: b}, {name: S, valueFrom: {secretKeyRef: {name: s, key: k}}}]
        envFrom: [{secretRef: {name: s}}, {configMapRef: {name: c}}]
        resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: "1", memory: 128Mi}}
        livenessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 10}
        readinessProbe: {tcpSocket: {port: 8080}, initialDelaySeconds: 5}
        startupProbe: {exec: {command: [true]}, failureThreshold: 30}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          privileged: false
          capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
        volumeMounts: [{name: v, mountPath: /data}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: shop}
spec:
  schedule: "0 1 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: job, image: busybox:1.36, resources: {limits: {memory: 1Gi}}}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http, nodePort: 30080}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 5
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: shop}
spec:
  podSelector: {matchExpressions: [{key: app, operator: In, values: [web]}]}
  policyTypes: [Ingress, Egress]
  ingress: [{from: [{podSelector: {matchLabels: {app: a}}, namespaceSelector: {}}], ports: [{port: 80}]}]
  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  ingressClassName: nginx
  tls: [{hosts: [a.example.com], secretName: tls}]
  rules: [{host: a.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
automountServiceAccountToken: false
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: shop}
rules: [{apiGroups: [""], resources: [pods, pods/exec, secrets], verbs: [get, create, "*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cr}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {a: b}}]}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: [escalate, bind, impersonate]}, {nonResourceURLs: ["/metrics"], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: web, namespace: shop}, {kind: Group, name: "system:authenticated"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cr}
subjects: [{kind: User, name: alice}]
---
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: shop}
type: kubernetes.io/tls
data: {tls.crt: aGVsbG8=, tls.key: aGVsbG8=}
stringData: {password: hunter2}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: shop}
data: {a: b}
binaryData: {b: aGVsbG8=}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {pod-security.kubernetes.io/enforce: restricted}}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer, minimum: 1}
              name: {type: string, pattern: "^[a-z]+$"}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: shop}
spec: {size: 3, name: abc}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: web, namespace: shop}
spec: {selector: {matchLabels: {app: web}}, endpoints: [{port: http}]}
---
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: ConfigMap, metadata: {name: in-list}}
"""


@cache
def seeds() -> tuple[tuple[dict[str, Any], ...], ...]:
    """Groups of related objects (they select, bind and scale each other): each rule case's
    manifests, and ``EXTRA_SEEDS``."""
    texts = [EXTRA_SEEDS]
    for path in sorted(CASES_DIR.glob("*.yaml")):
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
        texts += [case.get("manifests") or "" for case in document.get("cases", [])]
    groups: dict[str, tuple[dict[str, Any], ...]] = {}
    for text in texts:
        try:
            group = tuple(d for d in yaml.load_all(text, Loader=_Loader) if isinstance(d, dict))
        except yaml.YAMLError:
            continue  # cases of unreadable input
        if group:
            groups[yaml.safe_dump_all(group, sort_keys=True)] = group
    return tuple(groups[k] for k in sorted(groups))


_TEXT = st.lists(
    st.sampled_from(
        [*list("abcAZ09-._/:*=, "), "\n", "\x1b", "\x00", "%", "::", "é", "\u2028", "${x}"]
    ),
    max_size=12,
).map("".join)
_KEYS = st.one_of(
    st.sampled_from(
        ["name", "key", "port", "spec", "labels", "matchLabels", "values", "operator", "kind"]
    ),
    st.integers(-3, 99_999),
    st.booleans(),
    st.none(),
    _TEXT,
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    _TEXT,
    st.sampled_from(["", "0", "-1", "100m", "1Gi", "*", "In", "Exists", "ALL", "Always"]),
)
chaos: st.SearchStrategy[Any] = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(_KEYS, inner, max_size=3),
    ),
    max_leaves=6,
)
"""Any YAML-representable value, of any type, with any kind of mapping key."""


@st.composite
def mutated(draw: st.DrawFn, value: Any, rate: float, rnd: Random, depth: int = 0) -> Any:
    """``value`` with fields replaced by ``chaos`` (about ``rate`` of them), dropped, added
    or re-keyed with a non-string key, at any depth. ``rnd`` makes the decisions (uniform,
    unlike hypothesis's own numbers, which favour boundaries); ``chaos`` the values."""
    if depth and rnd.random() < rate:
        return draw(chaos)
    if depth == 1 and isinstance(value, str) and rnd.random() < 0.9:
        return value  # apiVersion and kind, mostly kept: else few objects are objects
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            roll = rnd.random() * (20 if depth == 0 and key in ("apiVersion", "kind") else 1)
            if roll < rate / 4:
                continue
            new_key = draw(_KEYS) if roll < rate / 2 else key
            out[new_key] = draw(mutated(item, rate, rnd, depth + 1))
        if rnd.random() < rate / 2:
            out[draw(_KEYS)] = draw(chaos)
        return out
    if isinstance(value, list):
        return [draw(mutated(item, rate, rnd, depth + 1)) for item in value]
    return value


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of every value under ``value`` (not ``value`` itself)."""
    found: list[tuple[Any, ...]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((*path, key))
            found += _nodes(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.append((*path, index))
            found += _nodes(item, (*path, index))
    return found


def _child(parent: Any, step: Any) -> Any:
    if isinstance(parent, dict):
        return parent.get(step)
    if isinstance(parent, list) and isinstance(step, int) and 0 <= step < len(parent):
        return parent[step]
    return None


@st.composite
def _pointed(draw: st.DrawFn, objects: list[Any], rnd: Random) -> list[Any]:
    """``objects`` with one to three fields, anywhere in them, given a value of another type
    or a non-string key: every field is as likely as any other, however deep."""
    objects = copy.deepcopy(objects)
    paths = [(i, p) for i, o in enumerate(objects) for p in _nodes(o)]
    for index, path in rnd.sample(paths, min(len(paths), rnd.randint(1, 3))):
        parent: Any = objects[index]
        for step in path[:-1]:
            parent = _child(parent, step)
        last = path[-1]
        if isinstance(parent, dict) and last in parent:
            if rnd.random() < 0.2:
                parent[draw(_KEYS)] = parent.pop(last)
            else:
                parent[last] = draw(chaos)
        elif _child(parent, last) is not None:
            parent[last] = draw(chaos)
    return objects


@st.composite
def k8s_documents(draw: st.DrawFn) -> str:
    """YAML text of a group of related objects, mutated (one to three fields, or a share of
    all of them), and sometimes one more object from another group."""
    groups = seeds()
    rnd = Random(draw(st.integers(0, 2**32)))
    objects = list(rnd.choice(groups))
    if rnd.random() < 0.3:
        objects.append(rnd.choice(rnd.choice(groups)))
    if rnd.random() < 0.6:
        mutated_objects = draw(_pointed(objects, rnd))
    else:
        rate = rnd.choice([0.005, 0.02, 0.05, 0.15])
        mutated_objects = [draw(mutated(o, rate, rnd)) for o in objects]
    return "---\n".join(
        yaml.safe_dump(o, sort_keys=False, allow_unicode=True) for o in mutated_objects
    )


_YAML_PIECES = st.sampled_from(
    [
        "apiVersion: v1\n",
        "kind: Secret\n",
        "kind: Deployment\n",
        "metadata:\n",
        "  name: x\n",
        "  labels: {80: x, true: y}\n",
        "spec: [oops]\n",
        "data:\n",
        "  password: !!int abc\n",
        "  k: !!binary ===\n",
        "&a ",
        "*a",
        "<<: *a\n",
        "<<: 5\n",
        "---\n",
        "...\n",
        "%YAML 1.1\n",
        "%TAG ! tag:x:\n",
        "? [a, b]\n: c\n",
        "- ",
        "{",
        "}",
        "[",
        "]",
        ": ",
        "\t",
        '"\\ud83d\\ude00"',
        "'",
        "!!str ",
        "!custom ",
        "#c\n",
        "\n",
        "  ",
        "x",
        "1",
        "~",
        "\x1b]8;;x\x07",
        "\ufeff",
    ]
)
yaml_text: st.SearchStrategy[str] = st.one_of(
    st.lists(_YAML_PIECES, max_size=30).map("".join),
    st.text(max_size=200),
)
"""Random YAML-ish text: fragments of Kubernetes YAML, tags, anchors, directives, noise."""
