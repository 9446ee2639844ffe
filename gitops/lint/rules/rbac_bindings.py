"""RB: RBAC scope: who a RoleBinding or ClusterRoleBinding grants what.

A binding's role is resolved in the input: a RoleBinding's Role in the binding's namespace,
any binding's ClusterRole by name. Roles every cluster bootstraps (``cluster-admin``,
``admin``, ``edit``, ``view``, ``system:*``) need no definition in the input.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitops.findings import Severity
from gitops.k8s.graph import ObjectGraph
from gitops.k8s.kinds import resource_scope
from gitops.k8s.manifests import Manifest
from gitops.k8s.rbac import (
    BINDING_KINDS,
    WILDCARD,
    describe_subject,
    is_builtin_role,
    is_rbac,
    policy_rules,
    resolve_role,
    role_ref,
    subjects,
)
from gitops.rules.registry import Violation, rule

FAMILY = "rbac"
CLUSTER_ADMIN = "cluster-admin"
ROLE_REF_NAME = ("roleRef", "name")


@rule(
    "RB002", "binding-to-cluster-admin", family=FAMILY, severity=Severity.ERROR, kinds=BINDING_KINDS
)
def binding_to_cluster_admin(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A RoleBinding or ClusterRoleBinding grants the ClusterRole cluster-admin.

    Why: cluster-admin is every verb on every resource. Through a ClusterRoleBinding it
    owns the cluster; through a RoleBinding it owns the namespace, its Secrets and its RBAC.
    A leaked token of any subject is then a full compromise.
    Fix: Bind a role that lists what the subject needs (admin or edit for people, a
    purpose-made Role for workloads); suppress the finding, with the reason, only for the
    few controllers that manage the cluster itself.
    """
    if is_rbac(manifest) and role_ref(manifest) == ("ClusterRole", CLUSTER_ADMIN):
        who = ", ".join(describe_subject(s) for s in subjects(manifest)) or "no subjects"
        yield Violation(message=f"binds ClusterRole cluster-admin to {who}", path=ROLE_REF_NAME)


@rule(
    "RB003",
    "binding-to-wildcard-role",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=BINDING_KINDS,
)
def binding_to_wildcard_role(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A binding grants a role (defined in the input) whose rules use ``*``.

    Why: The binding is where a wildcard role becomes power: its subjects get every resource
    or verb the wildcard covers, now and after every upgrade. Reported on the binding so the
    grant is reviewed together with who receives it (wildcard-in-rbac-rule reports the role),
    also when the role has a system: name (Polaris binding_to_system_prefix).
    Fix: Narrow the role's rules to named groups, resources and verbs, or bind a narrower role.
    """
    if not is_rbac(manifest):
        return
    role = resolve_role(manifest, graph)
    if role is None or role.name == CLUSTER_ADMIN:
        return  # undefined roles and cluster-admin have rules of their own
    for entry in policy_rules(role):
        fields = entry.wildcard_fields()
        if fields:
            yield Violation(
                message=f'binds {role.kind} "{role.name}" whose rules[{entry.index}] uses "*" '
                f"in {', '.join(fields)}",
                path=ROLE_REF_NAME,
            )
            return


@rule(
    "RB008",
    "cluster-role-where-role-suffices",
    family=FAMILY,
    severity=Severity.INFO,
    strict_severity=Severity.WARNING,
    kinds=["ClusterRoleBinding"],
)
def cluster_role_where_role_suffices(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A ClusterRoleBinding grants only namespaced resources to subjects of one namespace.

    Why: A ClusterRoleBinding grants its role in every namespace, present and future, so a
    workload that reads pods in its own namespace can read them everywhere. When the role
    holds no cluster-scoped resource (nodes, namespaces, CRDs, ... or nonResourceURLs) and
    every subject lives in one namespace, a RoleBinding there gives the same access to that
    namespace only. Aggregated ClusterRoles are skipped: their rules are filled in the
    cluster. Info in the recommended preset, because controllers that watch all namespaces
    need exactly this binding.
    Fix: Replace the ClusterRoleBinding with a RoleBinding in the subjects' namespace (it may
    reference the same ClusterRole); in this repo, move the access from cluster_access to
    access in the app's Rbac props. Keep it, and suppress the finding with the reason, when
    the workload must reach other namespaces.
    """
    if not is_rbac(manifest):
        return
    namespace = _single_subject_namespace(subjects(manifest))
    role = resolve_role(manifest, graph)
    if namespace is None or role is None or not _only_namespaced(role, graph):
        return
    yield Violation(
        message=f'ClusterRole "{role.name}" grants only namespaced resources and every subject '
        f'is in namespace "{namespace}": a RoleBinding in "{namespace}" would do',
        path=ROLE_REF_NAME,
    )


@rule(
    "RB009",
    "binding-to-undefined-role",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=BINDING_KINDS,
)
def binding_to_undefined_role(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A binding references a Role or ClusterRole that is not in the input.

    Why: A binding to a missing role grants nothing, so the workload fails with 403 errors
    at run time; usually the role name has a typo, or the Role is in another namespace (a
    RoleBinding can only use a Role of its own namespace). ClusterRoles and Roles that every
    cluster bootstraps (cluster-admin, admin, edit, view, system:*) are not reported. A
    ClusterRoleBinding that references a Role is rejected by the API server.
    Fix: Correct roleRef, or add the Role/ClusterRole to the same set of manifests; when the
    role is managed elsewhere on purpose, suppress the finding with the reason.
    """
    if not is_rbac(manifest):
        return
    ref = role_ref(manifest)
    if ref is None:
        yield Violation(message="roleRef has no kind or name", path=("roleRef",))
        return
    kind, name = ref
    if manifest.kind == "ClusterRoleBinding" and kind == "Role":
        yield Violation(
            message=f'references Role "{name}", but a ClusterRoleBinding can only reference a '
            "ClusterRole",
            path=("roleRef", "kind"),
        )
        return
    namespace = manifest.namespace if kind == "Role" else None
    if is_builtin_role(kind, name, namespace) or resolve_role(manifest, graph) is not None:
        return
    where = f' in namespace "{namespace}"' if namespace else ""
    yield Violation(message=f'{kind} "{name}" is not defined{where}', path=ROLE_REF_NAME)


def _single_subject_namespace(entries: list[dict[str, Any]]) -> str | None:
    """The one namespace all subjects are ServiceAccounts of (also as their user or group
    name), or None."""
    namespaces: set[str] = set()
    for subject in entries:
        kind, name = subject.get("kind"), str(subject.get("name") or "")
        if kind == "ServiceAccount" and subject.get("namespace"):
            namespaces.add(str(subject["namespace"]))
        elif kind == "User" and name.startswith("system:serviceaccount:"):
            namespaces.add(name.removeprefix("system:serviceaccount:").partition(":")[0])
        elif kind == "Group" and name.startswith("system:serviceaccounts:"):
            namespaces.add(name.removeprefix("system:serviceaccounts:"))
        else:
            return None
    return namespaces.pop() if len(namespaces) == 1 else None


def _only_namespaced(role: Manifest, graph: ObjectGraph) -> bool:
    """Does the role grant something, and only namespaced resources (as far as the input
    tells: a custom resource without its CRD in the input counts as unknown)?"""
    if role.body.get("aggregationRule") is not None:
        return False
    crd_scopes = graph.cached("rbac:crd-scopes", _crd_scopes)
    granted = False
    for entry in policy_rules(role):
        if entry.non_resource_urls:
            return False
        for resource in entry.resources:
            if resource == WILDCARD or resource.startswith("*/") or WILDCARD in entry.api_groups:
                return False
            for group in entry.api_groups:
                base = resource.partition("/")[0]
                scope = resource_scope(group, resource) or crd_scopes.get((group, base))
                if scope != "namespaced":
                    return False
                granted = granted or bool(entry.verbs)
    return granted


def _crd_scopes(graph: ObjectGraph) -> dict[tuple[str, str], str]:
    """(group, plural) -> ``namespaced`` or ``cluster`` for the CRDs in the input."""
    scopes: dict[tuple[str, str], str] = {}
    for crd in graph.of_kind("CustomResourceDefinition"):
        spec = crd.body.get("spec")
        names = spec.get("names") if isinstance(spec, dict) else None
        if isinstance(spec, dict) and isinstance(names, dict):
            scope = str(spec.get("scope") or "").lower()
            if scope in ("namespaced", "cluster"):
                scopes[(str(spec.get("group") or ""), str(names.get("plural") or ""))] = scope
    return scopes


RULES = (
    binding_to_cluster_admin,
    binding_to_wildcard_role,
    cluster_role_where_role_suffices,
    binding_to_undefined_role,
)
