"""PC: policy coverage: NetworkPolicies that isolate pods.

Selection follows Kubernetes: a NetworkPolicy's empty ``podSelector: {}`` selects every pod
of its namespace (kube-score#293 and #420 got this wrong), and policies only select pods of
their own namespace. A CiliumNetworkPolicy's ``endpointSelector`` isolates pods too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from gitops.findings import Severity
from gitops.k8s.fields import get_list
from gitops.k8s.graph import (
    ObjectGraph,
    PodClass,
    SelectorError,
    map_selector,
    selector_text,
)
from gitops.k8s.manifests import Manifest
from gitops.k8s.pods import WORKLOAD_KINDS, pod_template
from gitops.rules.registry import Violation, rule

FAMILY = "policy-coverage"
NETWORKING_GROUP = "networking.k8s.io"
POLICY_KINDS = ("NetworkPolicy", "CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy")
DIRECTIONS = (("Ingress", "ingress", "from"), ("Egress", "egress", "to"))
EVERYWHERE = ("0.0.0.0/0", "::/0")


@dataclass(frozen=True)
class IsolationOptions:
    both_directions: bool = True
    """Ask that policies isolate the pods for ingress and for egress. Set false to accept a
    policy for either direction (kube-linter non-isolated-pod, Kubescape and Checkov
    semantics), for teams that restrict ingress only. Default: True."""


@rule(
    "PC001",
    "workload-without-network-policy",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=WORKLOAD_KINDS,
    options=IsolationOptions(),
)
def workload_without_network_policy(
    manifest: Manifest, graph: ObjectGraph, options: IsolationOptions
) -> Iterator[Violation]:
    """No NetworkPolicy isolates a workload's pods, for ingress, egress or both.

    Why: A pod that no NetworkPolicy selects accepts connections from every pod in the
    cluster and may connect anywhere: one compromised pod reaches it, and it reaches the
    database. A policy isolates only the directions in its policyTypes (Ingress alone when
    unset and it has no egress rules), so a pod covered for one direction is reported for
    the other (kube-score pod-networkpolicy). A namespace-wide policy (podSelector: {})
    counts, as do Cilium policies (namespaced or clusterwide) with ingress or egress rules.
    With both_directions false, isolation for either direction is enough.
    Fix: Add a NetworkPolicy selecting the pods that allows only the traffic they need, on
    top of a default-deny policy for the namespace; the App construct in this repo renders
    both.
    """
    template = pod_template(manifest)
    if manifest.namespace is None or template is None:
        return
    isolated = _isolated(manifest, graph)
    missing = [direction for direction, _, _ in DIRECTIONS if direction not in isolated]
    if not missing or (isolated and not options.both_directions):
        return
    labels = template.labels
    yield Violation(
        message=f'no NetworkPolicy in namespace "{manifest.namespace}" selects the pods for '
        f"{' and '.join(missing)} (labels {selector_text(map_selector(labels))})",
        path=(*template.path, "metadata", "labels") if labels else (),
    )


@rule(
    "PC002",
    "namespace-without-default-deny",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=("Namespace", *WORKLOAD_KINDS),
)
def namespace_without_default_deny(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A namespace has no NetworkPolicy that denies all ingress and egress by default.

    Why: Per-workload policies protect only the pods they select; a pod added later, or one
    whose labels drift, is wide open. A policy with podSelector: {} and policyTypes Ingress
    and Egress whose rules allow nothing to everyone makes "denied" the namespace's default
    (the two directions may come from two policies). Reported on the Namespace object when
    the input has it, otherwise on the first workload of the namespace.
    Fix: Add a NetworkPolicy with podSelector: {} and policyTypes [Ingress, Egress] and no
    rules, then allow what each workload needs (DNS egress included).
    """
    if manifest.kind == "Namespace":
        if manifest.group != "":
            return
        namespace = manifest.name
    else:
        namespace = manifest.namespace or ""
        if graph.get("Namespace", namespace) is not None:
            return  # reported once, on the Namespace object
        if graph.cached("coverage:first-workload", _first_workloads).get(namespace) is not manifest:
            return
    denied = _denied_directions(graph.in_namespace(namespace, "NetworkPolicy"))
    missing = [direction for direction, _, _ in DIRECTIONS if direction not in denied]
    if missing:
        yield Violation(
            message=f'namespace "{namespace}" has no default-deny NetworkPolicy for '
            f"{' and '.join(missing)}",
        )


@rule(
    "PC006",
    "network-policy-selects-nothing",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=["NetworkPolicy"],
)
def network_policy_selects_nothing(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A NetworkPolicy's podSelector matches no workload in its namespace.

    Why: Almost always a label typo: the pods the policy was written for are not isolated,
    or, behind a default-deny policy, the traffic it should allow is dropped. An empty
    podSelector selects every pod of the namespace and is not reported.
    Fix: Make podSelector match the pod template labels of the workload it is for.
    """
    spec = manifest.body.get("spec")
    selector = spec.get("podSelector") if isinstance(spec, dict) else None
    if manifest.group != NETWORKING_GROUP or not _non_empty(selector):
        return
    try:
        if graph.selection(manifest):
            return
        problem = f'matches no workload in namespace "{manifest.namespace}"'
    except SelectorError as error:
        problem = f"is invalid: {error}"
    yield Violation(
        message=f"podSelector {selector_text(selector)} {problem}", path=("spec", "podSelector")
    )


def _isolated(workload: Manifest, graph: ObjectGraph) -> frozenset[str]:
    """Directions the policies selecting the workload isolate its pods in; worked out once
    per pod class (the workloads all the same policies select)."""
    pod_class = graph.pod_class(workload)
    if pod_class is None:
        return frozenset()  # no namespaced pod template: no policy selects it
    known: dict[PodClass, frozenset[str]] = graph.cached("coverage_network.isolated", lambda g: {})
    isolated = known.get(pod_class)
    if isolated is None:
        found: set[str] = set()
        for kind in POLICY_KINDS:
            for policy in graph.selected_by(workload, kind):
                found |= _isolates(policy)
                if len(found) == len(DIRECTIONS):
                    break  # a namespace may hold many policies selecting every pod
            if len(found) == len(DIRECTIONS):
                break
        isolated = known[pod_class] = frozenset(found)
    return isolated


def _isolates(policy: Manifest) -> set[str]:
    """Directions a policy isolates the pods it selects in."""
    spec = policy.body.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    if policy.kind == "NetworkPolicy":
        return set(_policy_types(spec)) if policy.group == NETWORKING_GROUP else set()
    parts = [spec] + [p for p in get_list(policy.body, "specs") if isinstance(p, dict)]
    found: set[str] = set()
    for part in parts:  # Cilium enforces a direction once a rule for it selects the pod
        for direction, field, _ in DIRECTIONS:
            if field in part or f"{field}Deny" in part:
                found.add(direction)
    return found


def _non_empty(selector: Any) -> bool:
    return isinstance(selector, dict) and bool(
        selector.get("matchLabels") or selector.get("matchExpressions")
    )


def _first_workloads(graph: ObjectGraph) -> dict[str, Manifest]:
    first: dict[str, Manifest] = {}
    for workload in graph.workloads():
        if workload.namespace is not None:
            first.setdefault(workload.namespace, workload)
    return first


def _policy_types(spec: Mapping[str, Any]) -> list[str]:
    """policyTypes as Kubernetes defaults it: Ingress, plus Egress when egress rules exist."""
    declared = spec.get("policyTypes")
    if isinstance(declared, list):
        return [str(t) for t in declared]
    return ["Ingress", "Egress"] if spec.get("egress") else ["Ingress"]


def _denied_directions(policies: list[Manifest]) -> set[str]:
    """Directions that some namespace-wide policy denies except for what its rules allow,
    where no rule allows every peer."""
    denied: set[str] = set()
    for policy in policies:
        spec = policy.body.get("spec")
        if policy.group != NETWORKING_GROUP or not isinstance(spec, dict):
            continue
        if _non_empty(spec.get("podSelector")):
            continue
        for direction, field, peers in DIRECTIONS:
            rules = spec.get(field)
            rules = rules if isinstance(rules, list) else []
            if direction in _policy_types(spec) and not any(_allows_all(r, peers) for r in rules):
                denied.add(direction)
    return denied


def _allows_all(rule_: Any, peers_field: str) -> bool:
    """Does one ingress/egress rule admit every peer on every port?"""
    if not isinstance(rule_, dict):
        return False
    if rule_.get("ports"):
        return False
    peers = rule_.get(peers_field)
    if not peers:
        return True
    return isinstance(peers, list) and any(_is_everyone(p) for p in peers)


def _is_everyone(peer: Any) -> bool:
    if not isinstance(peer, dict):
        return False
    block = peer.get("ipBlock")
    if isinstance(block, dict):
        return block.get("cidr") in EVERYWHERE and not block.get("except")
    # namespaceSelector: {} (with no or an empty podSelector) is every pod of the cluster.
    namespaces = peer.get("namespaceSelector")
    return (
        isinstance(namespaces, dict)
        and not _non_empty(namespaces)
        and not _non_empty(peer.get("podSelector"))
    )


RULES = (
    workload_without_network_policy,
    namespace_without_default_deny,
    network_policy_selects_nothing,
)
