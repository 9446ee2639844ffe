"""The ObjectGraph indexes the rbac and policy-coverage rules use, on real loaded YAML."""

from __future__ import annotations

import pytest

from gitops.k8s.graph import ObjectGraph, SelectorError
from gitops.k8s.manifests import Manifest
from tests.k8s.graphs import graph_of


def names(manifests: list[Manifest]) -> list[str]:
    return [f"{m.kind}/{m.namespace}/{m.name}" for m in manifests]


BINDINGS = """
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: direct, namespace: web}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
subjects:
- {kind: ServiceAccount, name: app}
- {kind: ServiceAccount, name: app, namespace: web}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: as-user}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: "system:serviceaccount:web:app"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: every-sa}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: discovery}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:serviceaccounts"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: other-namespace, namespace: web}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
subjects:
- {kind: ServiceAccount, name: app, namespace: jobs}
---
apiVersion: example.com/v1
kind: RoleBinding
metadata: {name: not-rbac, namespace: web}
subjects:
- {kind: ServiceAccount, name: app}
"""


def test_bindings_for_service_account() -> None:
    graph = graph_of(BINDINGS)
    assert [b.name for b in graph.bindings_for_service_account("web", "app")] == [
        "direct",
        "as-user",
        "every-sa",
    ]
    assert [b.name for b in graph.bindings_for_service_account("jobs", "app")] == [
        "other-namespace",
        "every-sa",
    ]
    assert [b.name for b in graph.bindings_for_service_account("web", "other")] == ["every-sa"]


def test_autoscalers_of_hpa_and_keda_default_kind() -> None:
    graph = graph_of(
        """
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec: {template: {metadata: {labels: {app: api}}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: hpa, namespace: shop}
spec: {scaleTargetRef: {kind: Deployment, name: api}, maxReplicas: 3}
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: keda, namespace: shop}
spec: {scaleTargetRef: {name: api}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: elsewhere, namespace: other}
spec: {scaleTargetRef: {kind: Deployment, name: api}, maxReplicas: 3}
"""
    )
    (deployment,) = graph.of_kind("Deployment")
    assert [a.name for a in graph.autoscalers_of(deployment)] == ["hpa", "keda"]


SERVICES = """
apiVersion: v1
kind: Service
metadata: {name: a, namespace: one, labels: {app: a, tier: web}}
---
apiVersion: v1
kind: Service
metadata: {name: b, namespace: two, labels: {app: b, tier: web}}
---
apiVersion: v1
kind: Service
metadata: {name: odd, namespace: two, labels: {app: [not, a, string]}}
"""


def test_objects_selected_by_namespaces_and_selectors() -> None:
    graph = graph_of(SERVICES)
    web = {"matchLabels": {"tier": "web"}}
    assert names(graph.objects_selected_by("Service", None, web)) == [
        "Service/one/a",
        "Service/two/b",
    ]
    assert names(graph.objects_selected_by("Service", ["two"], web)) == ["Service/two/b"]
    assert names(graph.objects_selected_by("Service", ["two"], {})) == [
        "Service/two/b",
        "Service/two/odd",
    ]
    exists = {"matchExpressions": [{"key": "app", "operator": "In", "values": ["a"]}]}
    assert names(graph.objects_selected_by("Service", None, exists)) == ["Service/one/a"]
    with pytest.raises(SelectorError):
        graph.objects_selected_by("Service", None, {"matchLabels": ["tier"]})


def test_in_namespace_keeps_kind_then_file_order() -> None:
    graph = graph_of(SERVICES + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    assert names(graph.in_namespace("two", "ConfigMap", "Service")) == [
        "Service/two/b",
        "Service/two/odd",
    ]
    assert names(graph.in_namespace("default", "ConfigMap", "Service")) == ["ConfigMap/default/c"]
    assert graph.in_namespace("nowhere", "Service") == []


def test_cilium_policy_selects_by_endpoint_selector() -> None:
    graph = graph_of(
        """
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api, namespace: shop}
specs:
- endpointSelector:
    matchLabels: {"k8s:app": api, "k8s:io.kubernetes.pod.namespace": shop}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: elsewhere, namespace: shop}
spec:
  endpointSelector:
    matchLabels: {"k8s:io.kubernetes.pod.namespace": other}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec: {template: {metadata: {labels: {app: api}}}}
"""
    )
    (deployment,) = graph.of_kind("Deployment")
    assert [p.name for p in graph.selected_by(deployment, "CiliumNetworkPolicy")] == ["api"]


def test_malformed_labels_and_selectors_do_not_crash() -> None:
    graph = graph_of(
        """
apiVersion: apps/v1
kind: Deployment
metadata: {name: x}
spec:
  template:
    metadata: {labels: {a: [1], b: {c: 1}}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: p}
spec:
  selector: {matchLabels: {a: [1]}}
---
apiVersion: v1
kind: Service
metadata: {name: s}
spec:
  selector: {a: {b: c}}
"""
    )
    (deployment,) = graph.of_kind("Deployment")
    assert graph.selected_by(deployment, "PodDisruptionBudget") == []
    assert graph.selected_by(deployment, "Service") == []


def test_cached_builds_once() -> None:
    graph = graph_of(SERVICES)
    calls: list[int] = []

    def build(g: ObjectGraph) -> int:
        calls.append(1)
        return len(g.manifests)

    assert graph.cached("test:count", build) == 3
    assert graph.cached("test:count", build) == 3
    assert calls == [1]
