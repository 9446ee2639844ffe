"""RB: RBAC scope: what a Role or ClusterRole grants.

These rules read the rules of a role where they are written, so the finding points at the
line to change. A role that nobody binds grants nothing today, but any binding added later
inherits it. Roles every cluster bootstraps (``cluster-admin``, ``admin``, ``edit``,
``view``, ``system:*``) are skipped: their content is not ours to change; bindings to
them are checked by the binding rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitops.findings import Severity
from gitops.k8s.graph import RBAC_GROUP, ObjectGraph
from gitops.k8s.manifests import Manifest
from gitops.k8s.rbac import ROLE_KINDS, PolicyRule, is_builtin_role, is_rbac, policy_rules
from gitops.rules.registry import Violation, rule

FAMILY = "rbac"

SECRET = [("", "secrets")]
READ_VERBS = ("get", "list", "watch")
ESCALATION = {
    "escalate": [(RBAC_GROUP, "roles"), (RBAC_GROUP, "clusterroles")],
    "bind": [(RBAC_GROUP, "roles"), (RBAC_GROUP, "clusterroles")],
    "impersonate": [
        ("", "users"),
        ("", "groups"),
        ("", "serviceaccounts"),
        ("authentication.k8s.io", "uids"),
    ],
}
EXEC = [("", "pods/exec"), ("", "pods/attach"), ("", "nodes/proxy")]
EXEC_VERBS = ("create", "get")
WORKLOAD_RESOURCES = [
    ("", "pods"),
    ("", "replicationcontrollers"),
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("extensions", "deployments"),
    ("extensions", "replicasets"),
    ("extensions", "daemonsets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
    ("argoproj.io", "rollouts"),
    ("apps.openshift.io", "deploymentconfigs"),
]
ADMISSION_GROUP = "admissionregistration.k8s.io"
WEBHOOK_CONFIGURATIONS = [
    (ADMISSION_GROUP, "validatingwebhookconfigurations"),
    (ADMISSION_GROUP, "mutatingwebhookconfigurations"),
]
WRITE_VERBS = ("create", "update", "patch")


def _own_rules(manifest: Manifest) -> list[PolicyRule]:
    """The policy rules of a role defined here, unless Kubernetes itself defines it."""
    if not is_rbac(manifest) or is_builtin_role(manifest.kind, manifest.name, manifest.namespace):
        return []
    return policy_rules(manifest)


def _scope(manifest: Manifest) -> str:
    return "in its namespace" if manifest.kind == "Role" else "in every namespace it is bound in"


@rule("RB001", "wildcard-in-rbac-rule", family=FAMILY, severity=Severity.WARNING, kinds=ROLE_KINDS)
def wildcard_in_rbac_rule(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A Role or ClusterRole rule uses ``*`` in apiGroups, resources or verbs.

    Why: A wildcard grants more than anyone reviewed: every resource and verb that exists,
    including Secrets, pods/exec and escalate, and whatever a CRD or a Kubernetes upgrade
    adds later. ``*`` in all three fields is cluster-admin under another name.
    Fix: List the API groups, resources and verbs the workload uses (kubectl auth can-i
    --list and the API server audit log show them).
    """
    for entry in _own_rules(manifest):
        fields = entry.wildcard_fields()
        if fields:
            first = fields[0]
            written = manifest.body["rules"][entry.index][first]
            yield Violation(
                message=f'rules[{entry.index}] uses "*" in {", ".join(fields)}',
                path=(*entry.path, first, written.index("*")),
            )


@rule(
    "RB004",
    "secret-read-without-resource-names",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=ROLE_KINDS,
)
def secret_read_without_resource_names(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A role can get, list or watch Secrets without naming which ones.

    Why: Reading every Secret of a namespace gives every credential in it (database
    passwords, TLS keys, other ServiceAccounts' tokens). Naming the Secrets in
    ``resourceNames`` limits get, and also list and watch: the API server then authorizes
    those only for requests that select one of the names (fieldSelector metadata.name=...),
    so a rule with resourceNames is least privilege and is not reported.
    Fix: Add resourceNames listing the Secrets the workload reads, or mount them as files
    or environment variables instead of reading them through the API.
    """
    for entry in _own_rules(manifest):
        if entry.resource_names:
            continue
        granted = [verb for verb in READ_VERBS if entry.granted(SECRET, [verb])]
        if granted:
            yield Violation(
                message=f"rules[{entry.index}] grants {', '.join(granted)} on every Secret "
                f"{_scope(manifest)} (no resourceNames)",
                path=entry.path,
            )


@rule(
    "RB005", "privilege-escalation-verb", family=FAMILY, severity=Severity.ERROR, kinds=ROLE_KINDS
)
def privilege_escalation_verb(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A role grants escalate or bind on roles, or impersonate on identities.

    Why: Each is a way past RBAC itself: escalate lets the holder write roles with
    permissions it does not have, bind lets it bind any role (cluster-admin included) to
    itself, and impersonate lets it act as any user or group, such as system:masters. Only
    controllers whose job is managing RBAC need these; suppress the finding there, with the
    reason.
    Fix: Remove the verb; if a controller must bind roles, limit bind to the roles it hands
    out with resourceNames.
    """
    for entry in _own_rules(manifest):
        phrases = [
            p for verb, targets in ESCALATION.items() for p in entry.granted(targets, [verb])
        ]
        if phrases:
            limited = f" (resourceNames: {', '.join(entry.resource_names)})"
            yield Violation(
                message=f"rules[{entry.index}] grants {'; '.join(phrases)}"
                + (limited if entry.resource_names else ""),
                path=entry.path,
            )


@rule("RB006", "pod-exec-or-attach", family=FAMILY, severity=Severity.WARNING, kinds=ROLE_KINDS)
def pod_exec_or_attach(manifest: Manifest, graph: ObjectGraph, options: Any) -> Iterator[Violation]:
    """A role can exec or attach into pods, or proxy to the kubelet through nodes/proxy.

    Why: A shell in a pod reads its mounted Secrets and ServiceAccount token and runs code
    as it. nodes/proxy reaches the kubelet API, which runs commands in every pod of a node
    and bypasses the admission and audit of pods/exec, so it is reported here too. Exec
    needs create (kubectl since 1.30) or get (older clients' websocket upgrade).
    Fix: Remove pods/exec, pods/attach and nodes/proxy; debug with kubectl debug under a
    separate, audited break-glass role.
    """
    for entry in _own_rules(manifest):
        phrases = entry.granted(EXEC, EXEC_VERBS)
        if phrases:
            yield Violation(
                message=f"rules[{entry.index}] grants {'; '.join(phrases)}", path=entry.path
            )


@rule("RB007", "can-create-workloads", family=FAMILY, severity=Severity.WARNING, kinds=ROLE_KINDS)
def can_create_workloads(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A role can create pods or objects that create pods (Deployments, Jobs, ...).

    Why: Whoever creates a pod chooses what it runs and mounts: any Secret of the namespace,
    any ServiceAccount's token, a hostPath if admission allows it. Creating workloads is
    therefore as strong as reading every Secret and acting as every ServiceAccount of the
    namespace. resourceNames cannot limit create.
    Fix: Keep create on workloads for deploy tooling (Argo CD, CI) and suppress the finding
    there with the reason; remove it from application roles.
    """
    for entry in _own_rules(manifest):
        phrases = entry.granted(WORKLOAD_RESOURCES, ["create"])
        if phrases:
            yield Violation(
                message=f"rules[{entry.index}] grants {'; '.join(phrases)}", path=entry.path
            )


@rule(
    "RB013",
    "can-modify-admission-webhooks",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=ROLE_KINDS,
)
def can_modify_admission_webhooks(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A role can create, update or patch admission webhook configurations.

    Why: Admission webhooks see every object the API server admits and can change or reject
    it. Whoever writes their configurations can switch off policy enforcement (point the
    webhook elsewhere, set failurePolicy: Ignore, narrow its rules) or register a mutating
    webhook that injects containers into every new pod, Secrets and tokens included. The
    configurations are cluster-scoped: a Role's grant applies nowhere until the rules are
    copied into a ClusterRole, which is how it is usually found (checkov CKV_K8S_155).
    Fix: Leave these verbs to the controller that owns its webhook (cert-manager, a policy
    engine), limited with resourceNames to its own configuration, and suppress the finding
    there with the reason.
    """
    for entry in _own_rules(manifest):
        phrases = entry.granted(WEBHOOK_CONFIGURATIONS, WRITE_VERBS)
        if phrases:
            limited = f" (resourceNames: {', '.join(entry.resource_names)})"
            yield Violation(
                message=f"rules[{entry.index}] grants {'; '.join(phrases)}"
                + (limited if entry.resource_names else ""),
                path=entry.path,
            )


RULES = (
    wildcard_in_rbac_rule,
    secret_read_without_resource_names,
    privilege_escalation_verb,
    pod_exec_or_attach,
    can_create_workloads,
    can_modify_admission_webhooks,
)
