"""NetworkPolicies generated from what a workload declares it talks to.

Every app namespace starts with a default-deny policy (see ``namespace.py``); a workload's own
policy then allows exactly its declared ingress sources, its egress dependencies, and DNS.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from constructs import Construct

from gitops.constructs.app import GitopsConstruct, WorkloadRef
from gitops.constructs.meta import metadata

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


@dataclass(frozen=True, kw_only=True)
class Peer:
    """The other end of allowed traffic: pods in a namespace, or an IP range."""

    namespace: str | None = None
    """Namespace of the peer pods; ``None`` means the workload's own. Default: ``None``."""
    pod_labels: Mapping[str, str] | None = None
    """Labels the peer pods carry; ``None`` means every pod of that namespace. Default: ``None``."""
    cidr: str | None = None
    """An IP range instead of pods (e.g. the API server's endpoints). Default: unset."""
    ports: tuple[int | str, ...] = ()
    """Ports allowed (numbers, or container port names for ingress). Required for egress."""
    protocols: tuple[str, ...] = ("TCP",)
    """Protocols the ports apply to. Default: ``("TCP",)``."""

    def __post_init__(self) -> None:
        if self.cidr is not None:
            if self.namespace is not None or self.pod_labels is not None:
                raise ValueError("a Peer is either an IP range (cidr) or pods, not both")
            ipaddress.ip_network(self.cidr)
        for protocol in self.protocols:
            if protocol not in ("TCP", "UDP", "SCTP"):
                raise ValueError(f"protocol {protocol!r} must be TCP, UDP or SCTP")

    def render_peer(self, own_namespace: str) -> dict[str, Any]:
        if self.cidr is not None:
            return {"ipBlock": {"cidr": self.cidr}}
        peer: dict[str, Any] = {}
        if self.namespace is not None and self.namespace != own_namespace:
            peer["namespaceSelector"] = {"matchLabels": {NAMESPACE_NAME_LABEL: self.namespace}}
            if self.pod_labels is not None:
                peer["podSelector"] = {"matchLabels": dict(self.pod_labels)}
        else:
            peer["podSelector"] = {"matchLabels": dict(self.pod_labels or {})}
        return peer

    def render_ports(self) -> list[dict[str, Any]]:
        return [
            {"port": port, "protocol": protocol}
            for port in self.ports
            for protocol in self.protocols
        ]


KUBE_DNS = Peer(
    namespace="kube-system",
    pod_labels={"k8s-app": "kube-dns"},
    ports=(53,),
    protocols=("UDP", "TCP"),
)
"""Cluster DNS; every workload policy allows it, or no name would resolve."""


@dataclass(frozen=True, kw_only=True)
class NetworkAccess:
    """What a workload may receive traffic from and send traffic to."""

    ingress_from: tuple[Peer, ...] = ()
    """Sources allowed to connect. Default: none (only what other props add)."""
    egress_to: tuple[Peer, ...] = ()
    """Destinations the workload may connect to, besides DNS. Default: none."""
    dns: Peer = field(default_factory=lambda: KUBE_DNS)
    """Where cluster DNS runs. Default: kube-dns pods in kube-system on port 53."""

    def __post_init__(self) -> None:
        for peer in self.egress_to:
            if not peer.ports:
                raise ValueError(
                    f"egress peer {peer} lists no ports; name the ports it serves so the policy "
                    "does not open every port"
                )


def network_policy(target: WorkloadRef, access: NetworkAccess) -> dict[str, Any]:
    """Allow exactly ``access`` for ``target``'s pods (on top of the namespace's default deny)."""
    own = target.namespace
    ingress = [_rule("from", peer, own) for peer in access.ingress_from]
    egress = [_rule("to", peer, own) for peer in (access.dns, *access.egress_to)]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(target.name, own, target.labels()),
        "spec": {
            "podSelector": {"matchLabels": dict(target.selector)},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": ingress,
            "egress": egress,
        },
    }


def _rule(direction: str, peer: Peer, own_namespace: str) -> dict[str, Any]:
    rule: dict[str, Any] = {direction: [peer.render_peer(own_namespace)]}
    if peer.ports:
        rule["ports"] = peer.render_ports()
    return rule


def merge_peers(*groups: Sequence[Peer]) -> tuple[Peer, ...]:
    """Concatenate peer lists, dropping exact repeats (keeps the first occurrence's order)."""
    seen: list[Peer] = []
    for group in groups:
        for peer in group:
            if peer not in seen:
                seen.append(peer)
    return tuple(seen)


class NetworkPolicyFor(GitopsConstruct):
    """A workload NetworkPolicy for pods built outside the gitops workload constructs."""

    def __init__(
        self, scope: Construct, id: str, target: WorkloadRef, access: NetworkAccess
    ) -> None:
        super().__init__(scope, id)
        self.emit(network_policy(target, access))
