"""PA: Pod Security admission: what the API server does with a pod in its namespace.

Each pod an object makes (Kubernetes workloads, Argo Workflows templates) is evaluated with
the upstream Pod Security Standards checks (``gitops.k8s.pod_security_checks``) at the level
and version of its namespace's ``pod-security.kubernetes.io/<mode>`` labels, read from the
Namespace in the input or, when the input has none, from the environment's default (the
render index's ``podSecurity``, passed as this rule's options by ``lint.run``), else from the
rule's configured options. A failure of
the ``enforce`` level is an error (the API server rejects the pod; for a workload, its
controller fails to create pods), of ``audit``/``warn`` a warning. Messages name the upstream
check ID. The PS rules that look at the same fields (PS001-PS005, PS007-PS011) stay, with their
codes, for namespaces without a level; where a PA rule reports a field they do not.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from gitops.findings import Severity
from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import Manifest
from gitops.k8s.pod_security import LABEL_PREFIX, Policy, evaluate, namespace_policies
from gitops.k8s.pod_security_checks import Failure
from gitops.k8s.pods import WORKLOAD_KINDS
from gitops.rules.registry import Violation, rule

FAMILY = "pod-security-admission"
OVERLAPPING_RULES = (
    *("PS001", "PS002", "PS003", "PS004", "PS005"),
    *("PS007", "PS008", "PS009", "PS010", "PS011"),
)
"""PS rules whose fields a Pod Security check also covers: not reported twice."""


@dataclass(frozen=True)
class NamespaceDefaults:
    enforce: str = ""
    """Level enforced in namespaces that are not in the input ("" for none)."""
    audit: str = ""
    warn: str = ""
    version: str = "latest"
    """Policy version for those namespaces: ``latest`` or ``v1.N`` (the cluster's)."""

    @cached_property
    def labels(self) -> tuple[tuple[str, str], ...]:
        found = {}
        for mode in ("enforce", "audit", "warn"):
            level = getattr(self, mode)
            if level:
                found[LABEL_PREFIX + mode] = level
                found[f"{LABEL_PREFIX}{mode}-version"] = self.version
        return tuple(sorted(found.items()))


def _where(failure: Failure, manifest: Manifest) -> str:
    template = ""
    if failure.path[:1] == ("spec",) and "templates" in failure.path:
        index = failure.path[failure.path.index("templates") + 1]
        templates = manifest.body.get("spec", {})
        if manifest.kind == "CronWorkflow":
            templates = templates.get("workflowSpec", {})
        entries = templates.get("templates") if isinstance(templates, dict) else None
        if isinstance(entries, list) and isinstance(index, int) and index < len(entries):
            name = entries[index].get("name") if isinstance(entries[index], dict) else None
            template = f'template "{name}" ' if name else ""
    who = f'container "{failure.container}"' if failure.container else "pod"
    return f"{template}{who}"


def _violations(
    manifest: Manifest, policies: list[Policy], skip: set[tuple[Any, ...]]
) -> Iterator[tuple[Policy, Failure]]:
    for policy in policies:
        for failure in evaluate(manifest, policy.level, policy.minor):
            key = (failure.check, failure.path)
            if key not in skip:
                skip.add(key)
                yield policy, failure


def _message(lead: str, policy: Policy, failure: Failure, manifest: Manifest) -> str:
    return (
        f'{lead} (namespace "{manifest.namespace}" {policy.mode}s PodSecurity '
        f'"{policy.level}:{policy.version}"): check {failure.check}: '
        f"{_where(failure, manifest)}: {failure.reason}"
    )


@rule(
    "PA001",
    "rejected-by-pod-security",
    family=FAMILY,
    severity=Severity.ERROR,
    kinds=WORKLOAD_KINDS,
    options=NamespaceDefaults(),
    supersedes=OVERLAPPING_RULES,
)
def rejected_by_pod_security(
    manifest: Manifest, graph: ObjectGraph, options: NamespaceDefaults
) -> Iterator[Violation]:
    """A pod breaks the Pod Security level its namespace enforces.

    Why: The API server's Pod Security admission rejects such a pod: a bare Pod fails to
    apply, and a Deployment, Job, CronJob or Argo workflow syncs fine but its controller can
    never create a pod (the error is only in the ReplicaSet's or Job's events). The checks
    are the upstream ones for the namespace's enforce-version, so CI fails where the cluster
    would. The namespace level comes from its pod-security.kubernetes.io/enforce label; when
    the Namespace is not in the input, from the level the file's environment gives its
    namespaces (pod_security, recorded in .gitops/render-index.json), else from this rule's
    options.
    Fix: Change the named field as the check requires (the constructs of this repo set a
    restricted-compliant securityContext by default); lower the namespace's level only for
    a workload that truly needs node access, and say why.
    """
    enforced = [
        p for p in namespace_policies(manifest, graph, options.labels) if p.mode == "enforce"
    ]
    for policy, failure in _violations(manifest, enforced, set()):
        yield Violation(
            _message("the API server will reject this pod", policy, failure, manifest),
            failure.path,
            container=failure.container,
        )


@rule(
    "PA002",
    "pod-security-warning",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=WORKLOAD_KINDS,
    options=NamespaceDefaults(),
    supersedes=OVERLAPPING_RULES,
)
def pod_security_warning(
    manifest: Manifest, graph: ObjectGraph, options: NamespaceDefaults
) -> Iterator[Violation]:
    """A pod breaks the Pod Security level its namespace audits or warns at.

    Why: The pod is admitted, but every apply prints a warning to whoever deploys it, or the
    audit log records it: the namespace is telling you the level it is moving to. Fields the
    enforced level already rejects are reported once, by PA001.
    Fix: Change the named field as the check requires, before the namespace enforces the
    level.
    """
    policies = namespace_policies(manifest, graph, options.labels)
    enforced = [p for p in policies if p.mode == "enforce"]
    skip = {(f.check, f.path) for p in enforced for f in evaluate(manifest, p.level, p.minor)}
    advisory = [p for p in policies if p.mode != "enforce"]
    for policy, failure in _violations(manifest, advisory, skip):
        yield Violation(
            _message("Pod Security admission will warn", policy, failure, manifest),
            failure.path,
            container=failure.container,
        )


RULES = (rejected_by_pod_security, pod_security_warning)
