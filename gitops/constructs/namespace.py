"""The namespace every app gets: Pod Security Admission labels and a default-deny policy."""

from __future__ import annotations

from typing import Any

from gitops.constructs.environment import Environment
from gitops.constructs.meta import metadata, standard_labels

POD_SECURITY_LEVELS = ("privileged", "baseline", "restricted")
DEFAULT_DENY_NAME = "default-deny"


def namespace_manifest(name: str, app: str, pod_security: str, env: Environment) -> dict[str, Any]:
    """A Namespace that enforces, audits and warns at ``pod_security`` for the env's version.

    Pinning ``enforce-version`` to the cluster's minor version keeps a control-plane upgrade
    from tightening the policy under running workloads without a reviewed change.
    """
    if pod_security not in POD_SECURITY_LEVELS:
        raise ValueError(
            f"pod_security {pod_security!r} must be one of {', '.join(POD_SECURITY_LEVELS)}"
        )
    version = f"v{env.kubernetes_version}"
    labels = standard_labels(name, app)
    for mode in ("enforce", "audit", "warn"):
        labels[f"pod-security.kubernetes.io/{mode}"] = pod_security
        labels[f"pod-security.kubernetes.io/{mode}-version"] = version
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": metadata(name, None, labels)}


def default_deny_manifest(namespace: str, app: str) -> dict[str, Any]:
    """Deny all ingress and egress to every pod in ``namespace`` unless a policy allows it."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(DEFAULT_DENY_NAME, namespace, standard_labels(DEFAULT_DENY_NAME, app)),
        "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
    }


def app_namespace_manifests(
    namespace: str, app: str, pod_security: str, env: Environment
) -> list[dict[str, Any]]:
    """The app's own Namespace (rendered into the app's folder, so its Argo CD Application
    creates it first) and the default-deny policy in it."""
    return [
        namespace_manifest(namespace, app, pod_security, env),
        default_deny_manifest(namespace, app),
    ]
