"""NC: network connectivity: traffic a pod needs that its NetworkPolicies do not allow.

A pod selected by a NetworkPolicy that isolates it for Egress may only connect where some
policy selecting it allows. Two destinations almost every pod needs are easy to forget behind a
default-deny policy: cluster DNS, and the API server for a pod that uses its ServiceAccount.
Only ``networking.k8s.io`` NetworkPolicies are read; a pod a Cilium policy selects is skipped
(its rules can allow by DNS name or entity, which these rules do not model).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from gitops.findings import Severity
from gitops.k8s.graph import ObjectGraph, PodClass
from gitops.k8s.manifests import Manifest
from gitops.k8s.pods import WORKLOAD_KINDS
from gitops.k8s.rbac import pod_identity, token_automounted
from gitops.rules.registry import Violation, rule

FAMILY = "connectivity"
NETWORKING_GROUP = "networking.k8s.io"
CILIUM_KINDS = ("CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy")
API_SERVER_PORTS = (443, 6443)

PeerTest = Callable[[Mapping[str, Any]], bool]


def _egress_rules(manifest: Manifest, graph: ObjectGraph) -> list[Mapping[str, Any]] | None:
    """Egress rules of the policies selecting the pods, or None when the pods are not
    isolated for egress (or a Cilium policy decides)."""
    # Both rules ask, per pod class (the workloads the same policies select) and graph (a
    # manifest may be linted in several graphs).
    pod_class = graph.pod_class(manifest)
    if pod_class is None:
        return None  # no namespaced pod template
    known: dict[PodClass, list[Mapping[str, Any]] | None]
    known = graph.cached("connectivity.egress_rules", lambda g: {})
    if pod_class not in known:
        known[pod_class] = _find_egress_rules(manifest, graph)
    return known[pod_class]


def _find_egress_rules(manifest: Manifest, graph: ObjectGraph) -> list[Mapping[str, Any]] | None:
    if any(graph.selected_by(manifest, kind) for kind in CILIUM_KINDS):
        return None
    isolated = False
    rules: list[Mapping[str, Any]] = []
    for policy in graph.selected_by(manifest, "NetworkPolicy"):
        spec = policy.body.get("spec")
        if policy.group != NETWORKING_GROUP or not isinstance(spec, dict):
            continue
        types = spec.get("policyTypes")
        egress = spec.get("egress")
        if (isinstance(types, list) and "Egress" in types) or (types is None and egress):
            isolated = True
        rules += [r for r in egress if isinstance(r, dict)] if isinstance(egress, list) else []
    return rules if isolated else None


def _port_allowed(entry: Any, port: int, protocol: str) -> bool:
    if not isinstance(entry, dict) or entry.get("protocol", "TCP") != protocol:
        return False
    first = entry.get("port")
    if first is None:
        return True
    if not isinstance(first, int):
        return False  # a named port resolves on the destination pod: unknown here
    last = entry.get("endPort", first)
    return isinstance(last, int) and first <= port <= last


def _allows(rules: list[Mapping[str, Any]], port: int, protocol: str, peer_ok: PeerTest) -> bool:
    for egress in rules:
        ports = egress.get("ports")
        if ports and not any(_port_allowed(p, port, protocol) for p in ports):
            continue
        peers = egress.get("to")
        if not peers or any(isinstance(p, dict) and peer_ok(p) for p in peers):
            return True
    return False


def _dns_peer(peer: Mapping[str, Any]) -> bool:
    """Cluster DNS runs in another namespace (kube-system) or off the pod network: a peer
    in any other namespace, or an IP range, may be it; a same-namespace pod selector is not."""
    return "namespaceSelector" in peer or "ipBlock" in peer


def _api_server_peer(peer: Mapping[str, Any]) -> bool:
    """The API server's endpoints are host IPs, reachable only through an ipBlock."""
    return "ipBlock" in peer


@rule(
    "NC001",
    "no-dns-egress",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=WORKLOAD_KINDS,
)
def no_dns_egress(manifest: Manifest, graph: ObjectGraph, options: Any) -> Iterator[Violation]:
    """A pod isolated for egress may not reach cluster DNS.

    Why: Behind a default-deny egress policy, a pod can only resolve names if some policy
    selecting it allows port 53 to the DNS pods (kube-dns/CoreDNS in kube-system), over UDP and
    over TCP (large answers and retries use TCP). Without it every lookup times out, which looks
    like every dependency being down.
    Fix: Allow egress to kube-system's kube-dns pods (or the DNS service's CIDR) on 53/UDP and
    53/TCP; in this repo the workload constructs' network prop does (NetworkAccess.dns, by
    default KUBE_DNS).
    """
    rules = _egress_rules(manifest, graph)
    if rules is None:
        return
    missing = [p for p in ("UDP", "TCP") if not _allows(rules, 53, p, _dns_peer)]
    if missing:
        shown = " and ".join(f"53/{p}" for p in missing)
        yield Violation(
            message=f'pods are isolated for egress in namespace "{manifest.namespace}" and no '
            f"NetworkPolicy selecting them allows DNS ({shown} to kube-system/kube-dns)",
            path=("spec",) if manifest.kind != "Pod" else (),
        )


@rule(
    "NC002",
    "no-api-server-egress",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=WORKLOAD_KINDS,
)
def no_api_server_egress(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A pod uses its ServiceAccount's API access but may not reach the API server.

    Why: The pod mounts a ServiceAccount token and the account is bound to a Role or
    ClusterRole, so it means to call the API; behind a default-deny egress policy that works
    only if some policy allows the API server's endpoints (host IPs, so an ipBlock) on 443 or
    6443. Otherwise the calls hang until they time out (for Argo Workflows, every step fails to
    report its result).
    Fix: Allow egress to the API server's CIDR on 443 and 6443/TCP; in this repo add
    Peer(cidr=..., ports=(443, 6443)) for each of env.api_server_cidrs to the network prop
    (the Argo Workflows constructs do it for you).
    """
    identity = pod_identity(manifest)
    if identity is None or manifest.namespace is None:
        return
    bindings = graph.bindings_for_service_account(manifest.namespace, identity.service_account)
    if not bindings:
        return
    if not token_automounted(manifest, identity, graph) and not identity.projected_token:
        return
    rules = _egress_rules(manifest, graph)
    if rules is None:
        return
    if any(_allows(rules, port, "TCP", _api_server_peer) for port in API_SERVER_PORTS):
        return
    binding = bindings[0]
    yield Violation(
        message=f'pods mount the token of ServiceAccount "{identity.service_account}" (bound '
        f'by {binding.kind} "{binding.name}") but no NetworkPolicy selecting them allows '
        "egress to the API server (an ipBlock on 443 or 6443/TCP)",
        path=identity.path,
    )


RULES = (no_dns_egress, no_api_server_egress)
