"""What RBAC objects grant, and which identity a pod runs as.

Matching follows the Kubernetes RBAC authorizer: ``*`` in apiGroups, resources or verbs
matches everything (a resource ``*`` also matches every subresource), ``*/scale`` matches
that subresource of any resource, and ``pods/*`` matches nothing special.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from gitops.k8s.graph import RBAC_GROUP, ObjectGraph
from gitops.k8s.manifests import Manifest
from gitops.k8s.pods import Path, pod_template

WILDCARD = "*"
ROLE_KINDS = frozenset({"Role", "ClusterRole"})
BINDING_KINDS = frozenset({"RoleBinding", "ClusterRoleBinding"})

BUILTIN_CLUSTER_ROLES = frozenset({"cluster-admin", "admin", "edit", "view"})
"""ClusterRoles the API server creates (and reconciles on every start) in every cluster, so
bindings may reference them without defining them. So are all ``system:`` roles."""
BUILTIN_ROLES = frozenset({("kube-system", "extension-apiserver-authentication-reader")})
"""Namespaced Roles the API server bootstraps without a ``system:`` prefix; aggregated API
servers (metrics-server, for one) bind this one."""
SYSTEM_PREFIX = "system:"


def is_builtin_role(kind: str, name: str, namespace: str | None) -> bool:
    """Does every cluster have this Role/ClusterRole without it being in the input?"""
    if name.startswith(SYSTEM_PREFIX):
        return True
    if kind == "ClusterRole":
        return name in BUILTIN_CLUSTER_ROLES
    return (namespace, name) in BUILTIN_ROLES


def is_rbac(manifest: Manifest) -> bool:
    """Is this an RBAC object (not a same-named kind of another API group)?"""
    return manifest.group == RBAC_GROUP


@dataclass(frozen=True)
class PolicyRule:
    """One entry of a Role's ``rules``, with its position for findings."""

    index: int
    api_groups: tuple[str, ...]
    resources: tuple[str, ...]
    verbs: tuple[str, ...]
    resource_names: tuple[str, ...]
    non_resource_urls: tuple[str, ...]

    @property
    def path(self) -> Path:
        return ("rules", self.index)

    def grants(self, group: str, resource: str, verb: str) -> bool:
        """Does this rule allow ``verb`` on ``resource`` (``pods`` or ``pods/exec``) of
        ``group``, for some object name?"""
        return (
            (WILDCARD in self.verbs or verb in self.verbs)
            and (WILDCARD in self.api_groups or group in self.api_groups)
            and any(_resource_matches(r, resource) for r in self.resources)
        )

    def granted(self, targets: Iterable[tuple[str, str]], verbs: Iterable[str]) -> list[str]:
        """``verb resource`` phrases this rule grants among ``targets`` x ``verbs``."""
        found: list[str] = []
        for verb in verbs:
            # dict.fromkeys: the same resource may be listed under two groups (apps, extensions)
            names = list(dict.fromkeys(r for g, r in targets if self.grants(g, r, verb)))
            if names:
                found.append(f"{verb} on {', '.join(names)}")
        return found

    def wildcard_fields(self) -> list[str]:
        return [
            field
            for field, values in (
                ("apiGroups", self.api_groups),
                ("resources", self.resources),
                ("verbs", self.verbs),
            )
            if WILDCARD in values
        ]


def _resource_matches(rule_resource: str, resource: str) -> bool:
    if rule_resource in (WILDCARD, resource):
        return True
    _, _, subresource = resource.partition("/")
    return bool(subresource) and rule_resource == f"*/{subresource}"


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(str(v) for v in value if isinstance(v, str | int | float | bool))


def policy_rules(role: Manifest) -> list[PolicyRule]:
    """The well-formed entries of a Role's or ClusterRole's ``rules``."""
    rules = role.body.get("rules")
    if not isinstance(rules, list):
        return []
    return [
        PolicyRule(
            index=index,
            api_groups=_strings(entry.get("apiGroups")),
            resources=_strings(entry.get("resources")),
            verbs=_strings(entry.get("verbs")),
            resource_names=_strings(entry.get("resourceNames")),
            non_resource_urls=_strings(entry.get("nonResourceURLs")),
        )
        for index, entry in enumerate(rules)
        if isinstance(entry, dict)
    ]


def role_ref(binding: Manifest) -> tuple[str, str] | None:
    """(kind, name) a binding's ``roleRef`` names, or None when it is malformed."""
    ref = binding.body.get("roleRef")
    if not isinstance(ref, dict):
        return None
    kind, name = ref.get("kind"), ref.get("name")
    if not isinstance(kind, str) or not isinstance(name, str) or not name:
        return None
    return kind, name


def resolve_role(binding: Manifest, graph: ObjectGraph) -> Manifest | None:
    """The Role or ClusterRole a binding references, when it is in the input. A RoleBinding's
    Role must be in the binding's namespace; a ClusterRoleBinding can only use ClusterRoles."""
    ref = role_ref(binding)
    if ref is None:
        return None
    kind, name = ref
    if kind == "ClusterRole":
        found = graph.get("ClusterRole", name)
    elif kind == "Role" and binding.kind == "RoleBinding":
        found = graph.get("Role", name, binding.namespace)
    else:
        return None
    return found if found is not None and is_rbac(found) else None


def subjects(binding: Manifest) -> list[dict[str, Any]]:
    raw = binding.body.get("subjects")
    return [s for s in raw if isinstance(s, dict)] if isinstance(raw, list) else []


def describe_subject(subject: dict[str, Any]) -> str:
    kind, name = subject.get("kind", "?"), subject.get("name", "?")
    namespace = subject.get("namespace")
    return f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}"


@dataclass(frozen=True)
class PodIdentity:
    """The ServiceAccount a workload's pods run as, and whether its token is mounted."""

    service_account: str
    path: Path
    """Where the ServiceAccount is named (the pod spec when it is not)."""
    explicit: bool
    """Whether the pod spec names a ServiceAccount at all."""
    automount: bool | None
    """The pod spec's ``automountServiceAccountToken``; None when unset."""
    automount_path: Path
    projected_token: bool
    """Whether a volume projects a ServiceAccount token explicitly."""


def pod_identity(workload: Manifest) -> PodIdentity | None:
    return workload.cached("rbac.pod_identity", _pod_identity)


def _pod_identity(workload: Manifest) -> PodIdentity | None:
    template = pod_template(workload)
    if template is None:
        return None
    spec, spec_path = template.spec, (*template.path, "spec")
    name, path, explicit = "default", spec_path, False
    # serviceAccountName wins over the deprecated serviceAccount when both are set.
    for field in ("serviceAccount", "serviceAccountName"):
        value = spec.get(field)
        if isinstance(value, str) and value:
            name, path, explicit = value, template.field_path(field), True
    automount = spec.get("automountServiceAccountToken")
    return PodIdentity(
        service_account=name,
        path=path,
        explicit=explicit,
        automount=automount if isinstance(automount, bool) else None,
        automount_path=template.field_path("automountServiceAccountToken"),
        projected_token=_projects_token(spec.get("volumes")),
    )


def _projects_token(volumes: Any) -> bool:
    for volume in volumes if isinstance(volumes, list) else []:
        projected = volume.get("projected") if isinstance(volume, dict) else None
        sources = projected.get("sources") if isinstance(projected, dict) else None
        for source in sources if isinstance(sources, list) else []:
            if isinstance(source, dict) and "serviceAccountToken" in source:
                return True
    return False


def token_automounted(workload: Manifest, identity: PodIdentity, graph: ObjectGraph) -> bool:
    """Does Kubernetes mount the ServiceAccount token into the pods? The pod spec's setting
    wins; otherwise the ServiceAccount's (when it is in the input); otherwise yes."""
    if identity.automount is not None:
        return identity.automount
    account = graph.get("ServiceAccount", identity.service_account, workload.namespace)
    if account is not None:
        value = account.body.get("automountServiceAccountToken")
        if isinstance(value, bool):
            return value
    return True
