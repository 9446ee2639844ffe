"""Least-privilege RBAC from declared needs: ServiceAccount, Role and RoleBinding.

A workload always runs under its own ServiceAccount (never ``default``) whose token is not
mounted. Declaring access adds a Role and RoleBinding in the app's namespace and mounts the
token. Cluster-wide access (ClusterRole + ClusterRoleBinding) exists only when asked for
explicitly with ``cluster_access``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from constructs import Construct

from gitops.constructs.app import GitopsConstruct, WorkloadRef
from gitops.constructs.meta import metadata

RBAC_API = "rbac.authorization.k8s.io/v1"
READ = ("get", "list", "watch")


@dataclass(frozen=True, kw_only=True)
class Access:
    """One permission: ``verbs`` on ``resources`` of ``api_groups``, optionally by name."""

    resources: tuple[str, ...]
    """Resource types, e.g. ``("pods", "services")``."""
    verbs: tuple[str, ...] = READ
    """Allowed verbs. Default: read (``get``, ``list``, ``watch``)."""
    api_groups: tuple[str, ...] = ("",)
    """API groups of the resources; ``""`` is the core group. Default: core."""
    resource_names: tuple[str, ...] = ()
    """Restrict to these object names (e.g. one Secret). ``list`` and ``watch`` are then allowed
    only for requests that select one of the names (``fieldSelector=metadata.name=...``); a
    plain list is denied. Default: all of that type."""

    def __post_init__(self) -> None:
        for what, values in (
            ("resources", self.resources),
            ("verbs", self.verbs),
            ("api_groups", self.api_groups),
        ):
            if not values:
                raise ValueError(f"Access.{what} must not be empty")
            if "*" in values:
                raise ValueError(
                    f"Access.{what} contains '*'; list what is needed (wildcards also grant "
                    "whatever is added to the API later)"
                )
        if self.resource_names and {"create", "deletecollection"} & set(self.verbs):
            raise ValueError(
                "resource_names cannot restrict create or deletecollection: the API server "
                "authorizes those without a name, so the rule would grant nothing"
            )

    def render(self) -> dict[str, Any]:
        rule: dict[str, Any] = {
            "apiGroups": list(self.api_groups),
            "resources": list(self.resources),
            "verbs": list(self.verbs),
        }
        if self.resource_names:
            rule["resourceNames"] = list(self.resource_names)
        return rule


@dataclass(frozen=True, kw_only=True)
class Rbac:
    """What a workload may do through the Kubernetes API."""

    access: tuple[Access, ...] = ()
    """Permissions in the app's own namespace (Role + RoleBinding). Default: none."""
    cluster_access: tuple[Access, ...] = ()
    """Cluster-wide permissions (ClusterRole + ClusterRoleBinding); only when a namespaced
    Role cannot do. Default: none."""

    @property
    def needs_token(self) -> bool:
        return bool(self.access or self.cluster_access)


def rbac_manifests(target: WorkloadRef, rbac: Rbac) -> list[dict[str, Any]]:
    """ServiceAccount, plus Role/RoleBinding and ClusterRole/ClusterRoleBinding when declared."""
    labels = target.labels()
    subject = {"kind": "ServiceAccount", "name": target.name, "namespace": target.namespace}
    objects: list[dict[str, Any]] = [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": metadata(target.name, target.namespace, labels),
            "automountServiceAccountToken": False,
        }
    ]
    if rbac.access:
        objects += [
            {
                "apiVersion": RBAC_API,
                "kind": "Role",
                "metadata": metadata(target.name, target.namespace, labels),
                "rules": [a.render() for a in rbac.access],
            },
            {
                "apiVersion": RBAC_API,
                "kind": "RoleBinding",
                "metadata": metadata(target.name, target.namespace, labels),
                "roleRef": {
                    "apiGroup": "rbac.authorization.k8s.io",
                    "kind": "Role",
                    "name": target.name,
                },
                "subjects": [subject],
            },
        ]
    if rbac.cluster_access:
        # Cluster-scoped names are global: prefix with the namespace to stay unique.
        cluster_name = f"{target.namespace}-{target.name}"
        objects += [
            {
                "apiVersion": RBAC_API,
                "kind": "ClusterRole",
                "metadata": metadata(cluster_name, None, labels),
                "rules": [a.render() for a in rbac.cluster_access],
            },
            {
                "apiVersion": RBAC_API,
                "kind": "ClusterRoleBinding",
                "metadata": metadata(cluster_name, None, labels),
                "roleRef": {
                    "apiGroup": "rbac.authorization.k8s.io",
                    "kind": "ClusterRole",
                    "name": cluster_name,
                },
                "subjects": [subject],
            },
        ]
    return objects


class ServiceAccountWithAccess(GitopsConstruct):
    """A ServiceAccount and its RBAC for pods built outside the gitops workload constructs."""

    def __init__(
        self, scope: Construct, id: str, target: WorkloadRef, rbac: Rbac | None = None
    ) -> None:
        super().__init__(scope, id)
        for body in rbac_manifests(target, rbac or Rbac()):
            self.emit(body)
