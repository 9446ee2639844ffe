"""Ingress with TLS from cert-manager."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from gitops.constructs.app import WorkloadRef
from gitops.constructs.meta import metadata
from gitops.constructs.network import Peer

_HOST = re.compile(
    r"^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$"
)


@dataclass(frozen=True, kw_only=True)
class Ingress:
    """Public HTTPS entry to a web service."""

    host: str
    """Public hostname, e.g. ``api.example.com``."""
    path: str = "/"
    """Path prefix routed to the service. Default: ``"/"``."""
    path_type: Literal["Prefix", "Exact", "ImplementationSpecific"] = "Prefix"
    """How ``path`` matches. Default: ``"Prefix"``."""
    class_name: str = "nginx"
    """IngressClass of the controller. Default: ``"nginx"``."""
    cluster_issuer: str = "letsencrypt-prod"
    """cert-manager ClusterIssuer that issues the certificate. Default: ``"letsencrypt-prod"``."""
    tls_secret: str | None = None
    """Secret cert-manager writes the certificate to. Default: ``<service>-tls``."""
    controller_namespace: str = "ingress-nginx"
    """Namespace of the ingress controller pods, allowed through the NetworkPolicy.
    Default: ``"ingress-nginx"``."""
    annotations: Mapping[str, str] = field(default_factory=dict)
    """Extra controller annotations (timeouts, body size). Default: none."""

    def __post_init__(self) -> None:
        if not _HOST.fullmatch(self.host):
            raise ValueError(f"ingress host {self.host!r} is not a fully qualified DNS name")

    def controller_peer(self, port: str) -> Peer:
        return Peer(namespace=self.controller_namespace, ports=(port,))


def ingress_manifest(
    target: WorkloadRef, props: Ingress, service: str, service_port: str
) -> dict[str, Any]:
    annotations = {"cert-manager.io/cluster-issuer": props.cluster_issuer, **props.annotations}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": metadata(target.name, target.namespace, target.labels(), annotations),
        "spec": {
            "ingressClassName": props.class_name,
            "tls": [
                {"hosts": [props.host], "secretName": props.tls_secret or f"{target.name}-tls"}
            ],
            "rules": [
                {
                    "host": props.host,
                    "http": {
                        "paths": [
                            {
                                "path": props.path,
                                "pathType": props.path_type,
                                "backend": {
                                    "service": {"name": service, "port": {"name": service_port}}
                                },
                            }
                        ]
                    },
                }
            ],
        },
    }
