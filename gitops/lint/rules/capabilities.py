"""PS (continued): pod security: Linux capabilities, the pieces root is made of.

Capability names are compared upper-case and without the optional ``CAP_`` prefix, since
container runtimes accept both spellings: ``cap_sys_admin`` is SYS_ADMIN.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitops.findings import Severity
from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import Manifest
from gitops.k8s.pods import WORKLOAD_KINDS, all_containers
from gitops.k8s.security_context import capability_names, linux_containers
from gitops.rules.registry import Violation, rule

FAMILY = "pod-security"
BASELINE_CAPABILITIES = frozenset(
    {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD"}
    | {"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}
)
"""Capabilities the Pod Security Standards baseline lets a container add (the classic
container runtime default set, without NET_RAW)."""


@rule(
    "PS004",
    "capabilities-not-dropped",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=WORKLOAD_KINDS,
)
def capabilities_not_dropped(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A container does not drop ALL capabilities.

    Why: By default a container keeps the runtime's capability set (CHOWN, DAC_OVERRIDE,
    SETUID, NET_RAW and more): enough to spoof packets on the pod network or take over
    files, and each one widens what a kernel bug can reach. Few applications need any of
    them; the Pod Security Standards restricted profile requires dropping ALL.
    Fix: Set securityContext.capabilities.drop: [ALL] and add back only what the container
    needs (usually nothing; NET_BIND_SERVICE to bind ports below 1024).
    """
    for _, ref in linux_containers(manifest):
        dropped = capability_names(ref, "drop")
        if "ALL" in dropped:
            continue
        said = f"drops only {', '.join(dropped)}" if dropped else "drops none"
        yield Violation(
            message=f'container "{ref.name}" does not drop ALL capabilities ({said})',
            path=(*ref.path, "securityContext", "capabilities", "drop"),
            container=ref.name,
        )


@rule(
    "PS005",
    "dangerous-capability-added",
    family=FAMILY,
    severity=Severity.ERROR,
    kinds=WORKLOAD_KINDS,
)
def dangerous_capability_added(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A container adds a capability beyond the Pod Security Standards baseline.

    Why: The baseline allows adding only the classic runtime defaults (AUDIT_WRITE, CHOWN,
    DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP,
    SETUID, SYS_CHROOT). Anything else is a known path to the node: SYS_ADMIN is nearly
    root (mounts, namespaces), SYS_PTRACE reads other processes' memory, SYS_MODULE loads
    kernel code, NET_ADMIN rewrites the node's network, NET_RAW spoofs traffic,
    DAC_READ_SEARCH reads any file (the shocker escape), and ALL grants every one of them.
    The list is the baseline's, so this rule agrees with Pod Security admission, which
    rejects such a pod outright in a namespace that enforces baseline (hence an error).
    Fix: Remove the capability; if a node agent truly needs it, suppress with a reason.
    """
    for ref in all_containers(manifest):
        added = capability_names(ref, "add")
        extra = sorted(set(added) - BASELINE_CAPABILITIES)
        if extra:
            yield Violation(
                message=f'container "{ref.name}" adds capabilities beyond the baseline: '
                f"{', '.join(extra)}",
                path=(*ref.path, "securityContext", "capabilities", "add"),
                container=ref.name,
            )


RULES = (capabilities_not_dropped, dangerous_capability_added)
