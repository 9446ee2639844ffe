"""The namespace every app gets: Pod Security Admission labels and a default-deny policy."""

from __future__ import annotations

from typing import Any

from gitops.constructs.environment import Environment
from gitops.constructs.meta import metadata, standard_labels

DEFAULT_DENY_NAME = "default-deny"


def namespace_manifest(
    name: str, app: str, pod_security: str | None, env: Environment
) -> dict[str, Any]:
    """A Namespace that enforces, audits and warns at ``pod_security`` (default: the env's
    ``pod_security``) for the env's version (``Environment.pod_security_labels``)."""
    labels = {**standard_labels(name, app), **env.pod_security_labels(pod_security)}
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
    namespace: str, app: str, pod_security: str | None, env: Environment
) -> list[dict[str, Any]]:
    """The app's own Namespace (rendered into the app's folder, so its Argo CD Application
    creates it first) and the default-deny policy in it."""
    return [
        namespace_manifest(namespace, app, pod_security, env),
        default_deny_manifest(namespace, app),
    ]
