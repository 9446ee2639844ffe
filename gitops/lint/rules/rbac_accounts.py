"""RB: RBAC scope: the identity a workload's pods run as.

A pod's ServiceAccount is ``serviceAccountName`` (or the deprecated ``serviceAccount``),
``default`` when neither is set. Its token is mounted unless the pod spec, or else the
ServiceAccount, sets ``automountServiceAccountToken: false``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitops.findings import Severity
from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import Manifest
from gitops.k8s.pods import WORKLOAD_KINDS
from gitops.k8s.rbac import pod_identity, token_automounted
from gitops.rules.registry import Violation, rule

FAMILY = "rbac"
DEFAULT = "default"


@rule(
    "RB010",
    "default-service-account",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=WORKLOAD_KINDS,
)
def default_service_account(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A workload runs as the namespace's default ServiceAccount and mounts its token.

    Why: Every pod of the namespace that names no ServiceAccount shares ``default``, so a
    permission granted to one of them is granted to all, and the API audit log cannot tell
    them apart. Like kube-linter, pods that do not mount the token
    (automountServiceAccountToken: false on the pod, or on the default ServiceAccount in the
    input) are not reported: without a token the identity cannot be used from the pod.
    Fix: Give the workload its own ServiceAccount (serviceAccountName); the Workload
    construct in this repo always does.
    """
    identity = pod_identity(manifest)
    if identity is None or identity.service_account != DEFAULT:
        return
    if not (token_automounted(manifest, identity, graph) or identity.projected_token):
        return
    how = "names the" if identity.explicit else "names no ServiceAccount, so runs as the"
    yield Violation(
        message=f'pod spec {how} "default" ServiceAccount and mounts its token',
        path=identity.path,
    )


@rule(
    "RB011",
    "token-automount-without-role",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=WORKLOAD_KINDS,
)
def token_automount_without_role(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A workload mounts a ServiceAccount token that no binding in the input grants anything.

    Why: The token then gives the application nothing it uses, but gives anyone who gets
    code execution in the pod an authenticated identity for the API server (discovery,
    SelfSubjectReviews, and any permission granted to all ServiceAccounts). Bindings count
    when they name the ServiceAccount, its user name system:serviceaccount:<ns>:<name>, or
    the groups system:serviceaccounts[:<ns>]. Workloads on the default ServiceAccount are
    reported by default-service-account instead; an explicitly projected token (for Vault or
    a cloud identity) is deliberate and not reported.
    Fix: Set automountServiceAccountToken: false on the pod spec (or the ServiceAccount); in
    this repo, declare the access the workload needs in its Rbac props instead.
    """
    identity = pod_identity(manifest)
    namespace = manifest.namespace
    if identity is None or identity.service_account == DEFAULT or namespace is None:
        return
    if not token_automounted(manifest, identity, graph):
        return
    if graph.bindings_for_service_account(namespace, identity.service_account):
        return
    yield Violation(
        message=f'ServiceAccount "{identity.service_account}" token is mounted, but no '
        "RoleBinding or ClusterRoleBinding in the input grants it anything",
        path=identity.automount_path if identity.automount else identity.path,
    )


@rule(
    "RB012",
    "undefined-service-account",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=WORKLOAD_KINDS,
)
def undefined_service_account(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A workload runs as a ServiceAccount that is not defined in its namespace in the input.

    Why: The API server refuses to create pods whose ServiceAccount does not exist, so the
    Deployment or Job stays at zero pods; Argo CD reports the sync as successful all the
    same. The ``default`` ServiceAccount exists in every namespace and is not reported
    (kube-linter non-existent-service-account semantics).
    Fix: Add the ServiceAccount to the same namespace, or correct serviceAccountName.
    """
    identity = pod_identity(manifest)
    if identity is None or identity.service_account == DEFAULT:
        return
    if graph.get("ServiceAccount", identity.service_account, manifest.namespace) is not None:
        return
    yield Violation(
        message=f'ServiceAccount "{identity.service_account}" is not defined in namespace '
        f'"{manifest.namespace}"',
        path=identity.path,
    )


RULES = (default_service_account, token_automount_without_role, undefined_service_account)
