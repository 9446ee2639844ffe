"""The graph answers "what selects this workload" per pod class (namespace and pod-template
labels), so namespace-wide policies times workloads is not quadratic. These tests compare
its answers with the pairwise definition: object O selects workload W when W is in
``selection(O)``, for every kind, with Kubernetes' empty-selector meanings and Cilium's."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from gitops.k8s.graph import ObjectGraph, SelectorError
from gitops.k8s.manifests import Manifest
from tests.k8s.graphs import graph_of

SELECTOR_KINDS = (
    "Service",
    "NetworkPolicy",
    "PodDisruptionBudget",
    "CiliumNetworkPolicy",
    "CiliumClusterwideNetworkPolicy",
)


def pairwise(graph: ObjectGraph, workload: Manifest, kind: str) -> list[Manifest]:
    """Objects of ``kind`` selecting ``workload``, asked of every object in turn."""
    found = []
    for candidate in graph.of_kind(kind):
        try:
            selected = graph.selection(candidate)
        except SelectorError:
            continue
        if any(w is workload for w in selected):
            found.append(candidate)
    return found


def ids(manifests: Sequence[Manifest]) -> list[int]:
    return [id(m) for m in manifests]


def deployment(name: str, namespace: str, labels: str) -> str:
    return f"""
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {namespace}}}
spec: {{template: {{metadata: {{labels: {labels}}}}}}}
---"""


def policy(name: str, namespace: str, pod_selector: str) -> str:
    return f"""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: {name}, namespace: {namespace}}}
spec: {{podSelector: {pod_selector}, policyTypes: [Ingress]}}
---"""


MIXED = (
    deployment("web1", "a", "{app: web, tier: front}")
    + deployment("web2", "a", "{app: web, tier: front}")
    + deployment("web3", "a", "{tier: front, app: web}")
    + deployment("web1", "b", "{app: web, tier: front}")
    + deployment("api", "a", "{app: api}")
    + deployment("bare", "a", "{}")
    + deployment("odd", "a", "{app: [1]}")
    + deployment("number", "a", "{v: 1}")
    + deployment("flag", "a", "{v: true}")
    + """
apiVersion: v1
kind: Pod
metadata: {name: pod, namespace: a, labels: {app: web, tier: front}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cron, namespace: a}
spec: {jobTemplate: {spec: {template: {metadata: {labels: {app: web}}}}}}
---"""
    + policy("deny-1", "a", "{}")
    + policy("web", "a", "{matchLabels: {app: web}}")
    + policy("deny-2", "a", "{}")
    + policy("not-api", "a", "{matchExpressions: [{key: app, operator: NotIn, values: [api]}]}")
    + policy("no-tier", "a", "{matchExpressions: [{key: tier, operator: DoesNotExist}]}")
    + policy("bad", "a", "{matchExpressions: [{key: app, operator: Near}]}")
    + policy("deny-b", "b", "{}")
    + policy("v", "a", "{matchLabels: {v: 1}}")
    + """
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: all-v1, namespace: a}
spec: {selector: {}, maxUnavailable: 1}
---
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata: {name: none-v1beta1, namespace: a}
spec: {selector: {}, maxUnavailable: 1}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: a}
spec: {selector: {matchLabels: {app: web}}, maxUnavailable: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: a}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-too, namespace: a}
spec: {selector: {app: web, tier: front}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: manual, namespace: a}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: empty, namespace: a}
spec: {selector: {}, ports: [{port: 80}]}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web, namespace: a}
spec: {endpointSelector: {matchLabels: {"k8s:app": web}}, ingress: [{}]}
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: everyone}
spec: {endpointSelector: {}, egress: [{}]}
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: only-b}
specs:
- endpointSelector: {matchLabels: {"k8s:io.kubernetes.pod.namespace": b, "any:app": web}}
  ingress: [{}]
"""
)


def by_name(graph: ObjectGraph, namespace: str, name: str) -> Manifest:
    found = [m for m in graph.workloads(namespace) if m.name == name]
    assert len(found) == 1
    return found[0]


def test_selected_by_agrees_with_asking_every_object() -> None:
    graph = graph_of(MIXED)
    checked = 0
    for workload in graph.workloads():
        for kind in SELECTOR_KINDS:
            assert ids(graph.selected_by(workload, kind)) == ids(pairwise(graph, workload, kind)), (
                workload.describe(),
                kind,
            )
            checked += len(graph.selected_by(workload, kind))
    assert checked > 40  # the input selects plenty: the comparison is not of empty lists
    web1 = by_name(graph, "a", "web1")
    assert [p.name for p in graph.selected_by(web1, "NetworkPolicy")] == [
        "deny-1",
        "web",
        "deny-2",
        "not-api",
    ]
    assert [p.name for p in graph.selected_by(web1, "PodDisruptionBudget")] == ["all-v1", "web"]
    assert [s.name for s in graph.selected_by(web1, "Service")] == ["web", "web-too"]
    assert [p.name for p in graph.selected_by(by_name(graph, "b", "web1"), "NetworkPolicy")] == [
        "deny-b"
    ]
    assert [
        p.name
        for p in graph.selected_by(by_name(graph, "b", "web1"), "CiliumClusterwideNetworkPolicy")
    ] == ["everyone", "only-b"]
    # v: 1 and v: true are equal label values, as Kubernetes' string compare never sees.
    assert "v" in [p.name for p in graph.selected_by(by_name(graph, "a", "flag"), "NetworkPolicy")]


def test_pod_classes_group_equal_labels_of_one_namespace() -> None:
    graph = graph_of(MIXED)
    web1, web2, web3 = (by_name(graph, "a", n) for n in ("web1", "web2", "web3"))
    assert graph.pod_class(web1) is graph.pod_class(web2) is graph.pod_class(web3)
    assert graph.pod_class(web1) is graph.pod_class(by_name(graph, "a", "pod"))
    assert graph.pod_class(by_name(graph, "b", "web1")) is not graph.pod_class(web1)
    assert graph.pod_class(by_name(graph, "a", "cron")) is not graph.pod_class(web1)
    assert graph.pod_class(by_name(graph, "a", "odd")) is not None
    # The same objects select a whole class: its workloads share one list.
    assert graph.selected_by(web1, "Service") is graph.selected_by(web3, "Service")
    (service,) = [s for s in graph.of_kind("Service") if s.name == "manual"]
    assert graph.pod_class(service) is None
    assert graph.selected_by(service, "Service") == []


def test_unhashable_label_values_are_classes_of_their_own() -> None:
    graph = graph_of(
        deployment("x", "a", "{app: [1]}")
        + deployment("y", "a", "{app: [1]}")
        + policy("exists", "a", "{matchExpressions: [{key: app, operator: Exists}]}")
    )
    x, y = graph.workloads("a")
    assert graph.pod_class(x) is not graph.pod_class(y)
    for workload in (x, y):
        assert [p.name for p in graph.selected_by(workload, "NetworkPolicy")] == ["exists"]


@pytest.mark.parametrize("copies", [1, 7])
def test_many_namespace_wide_policies_and_workloads_in_one_namespace(copies: int) -> None:
    # The bench corpus's shape: copies of one app whose selectors select every copy.
    text = ""
    for copy in range(copies):
        text += policy(f"deny-{copy}", "shop", "{}")
        text += policy(f"web-{copy}", "shop", "{matchLabels: {app: web}}")
        for name, labels in (("web", "{app: web}"), ("db", "{app: db}"), ("job", "{}")):
            text += deployment(f"{name}-{copy}", "shop", labels)
        text += f"""
apiVersion: v1
kind: Service
metadata: {{name: web-{copy}, namespace: shop}}
spec: {{selector: {{app: web}}, ports: [{{port: 80}}]}}
---"""
    graph = graph_of(text)
    assert len(graph.workloads("shop")) == 3 * copies
    for workload in graph.workloads():
        for kind in ("NetworkPolicy", "Service"):
            assert ids(graph.selected_by(workload, kind)) == ids(pairwise(graph, workload, kind))
    web = by_name(graph, "shop", "web-0")
    assert len(graph.selected_by(web, "NetworkPolicy")) == 2 * copies
    assert len(graph.selected_by(web, "Service")) == copies
    assert len(graph.selected_by(by_name(graph, "shop", "db-0"), "NetworkPolicy")) == copies
    # A namespace-wide policy's selection is the namespace's workloads, in input order.
    (deny,) = [p for p in graph.of_kind("NetworkPolicy") if p.name == "deny-0"]
    assert [w.name for w in graph.selection(deny)] == [w.name for w in graph.workloads("shop")]


def test_a_malformed_clusterwide_cilium_selector_is_rejected_without_workloads() -> None:
    # Only namespaces with workloads are searched, but the selector is still checked.
    graph = graph_of(
        """
apiVersion: v1
kind: Namespace
metadata: {name: empty}
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: bad}
spec:
  endpointSelector: {matchLabels: [app]}
"""
    )
    (bad,) = graph.of_kind("CiliumClusterwideNetworkPolicy")
    with pytest.raises(SelectorError, match="matchLabels must map"):
        graph.selection(bad)
