"""PS: pod security: what a compromised container can do to its node (container settings).

Each rule reads the effective setting: a container's securityContext overrides the pod's for
runAsNonRoot, runAsUser and seccompProfile. Init and ephemeral containers are checked too,
as Pod Security admission does. When a gap comes from the pod level (no container overrides
it), it is reported once, at the pod's securityContext, naming the containers. Pods for
Windows nodes (spec.os.name: windows) are skipped by the rules about Linux-only settings,
which the API forbids on them. Capabilities are in ``capabilities``, host access (namespaces,
ports, paths) in ``host_access``: same family, split to keep modules small.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from gitops.findings import Severity
from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import Manifest
from gitops.k8s.pods import WORKLOAD_KINDS, ContainerRef, Path, all_containers
from gitops.k8s.security_context import (
    capability_names,
    container_context,
    effective,
    linux_containers,
)
from gitops.rules.registry import Violation, rule

FAMILY = "pod-security"
SECCOMP_CONFINED = ("RuntimeDefault", "Localhost")


@dataclass(frozen=True)
class _Gap:
    ref: ContainerRef
    text: str
    """What follows the container's name in the message."""
    path: Path
    from_pod: bool
    plural: str = ""
    """``text`` after several containers' names, when its verb changes."""


def _who(refs: Sequence[ContainerRef]) -> str:
    names = ", ".join(f'"{ref.name}"' for ref in refs)
    return f"container {names}" if len(refs) == 1 else f"containers {names}"


def _report(gaps: list[_Gap]) -> Iterator[Violation]:
    """A violation per container-level gap; pod-level gaps with the same text and path
    become one violation at the pod's field, naming every container they affect."""
    grouped: dict[tuple[str, Path], list[_Gap]] = {}
    for gap in gaps:
        if gap.from_pod:
            grouped.setdefault((gap.text, gap.path), []).append(gap)
        else:
            yield Violation(f"{_who([gap.ref])} {gap.text}", gap.path, container=gap.ref.name)
    for (text, path), group in grouped.items():
        refs = [gap.ref for gap in group]
        if len(refs) == 1:
            yield Violation(f"{_who(refs)} {text}", path, container=refs[0].name)
        else:
            yield Violation(f"{_who(refs)} {group[0].plural or text}", path)


@rule("PS001", "runs-as-root", family=FAMILY, severity=Severity.WARNING, kinds=WORKLOAD_KINDS)
def runs_as_root(manifest: Manifest, graph: ObjectGraph, options: Any) -> Iterator[Violation]:
    """A container runs, or may run, as root (UID 0).

    Why: Root in a container is root on the node once any escape works (a kernel bug, a
    writable host mount, a runtime flaw), and owns every file in shared volumes. Unless
    runAsNonRoot is true or runAsUser is a non-zero UID, the image's USER decides, and the
    kubelet does not check it; runAsUser 0 is reported even with runAsNonRoot true (that pod
    cannot start at all).
    Fix: Set securityContext.runAsNonRoot: true and a non-zero runAsUser on the pod (the
    workload constructs of this repo do; see their run_as_user prop).
    """
    gaps = []
    for template, ref in linux_containers(manifest):
        user = effective(template, ref, "runAsUser")
        non_root = effective(template, ref, "runAsNonRoot")
        is_uid = isinstance(user.value, int) and not isinstance(user.value, bool)
        uid = user.value if is_uid else None
        if uid == 0:
            text = "runs as root: runAsUser is 0"
            plural = "run as root: runAsUser is 0"
            gaps.append(_Gap(ref, text, user.path, user.from_pod, plural))
            continue
        if non_root.value is True or (uid is not None and uid > 0):
            continue
        from_pod = user.from_pod and non_root.from_pod
        said = "runAsNonRoot is false" if non_root.value is False else "runAsNonRoot is not set"
        path = non_root.path
        if non_root.value is None and not from_pod:
            path = (*ref.path, "securityContext", "runAsNonRoot")
        text = f"may run as root: {said} and runAsUser is not a non-zero UID"
        gaps.append(_Gap(ref, text, path, from_pod))
    yield from _report(gaps)


@rule("PS002", "privileged-container", family=FAMILY, severity=Severity.ERROR, kinds=WORKLOAD_KINDS)
def privileged_container(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A container runs privileged.

    Why: A privileged container has every capability, sees every host device and is not
    confined by seccomp or AppArmor: it is root on the node, and anyone who can exec into it
    owns the node. The Pod Security Standards baseline forbids it.
    Fix: Remove privileged: true and add only the specific capability the container needs,
    or suppress with a reason for node agents that truly need it (CNI, storage drivers).
    """
    for ref in all_containers(manifest):
        if container_context(ref).get("privileged") is True:
            yield Violation(
                message=f'container "{ref.name}" is privileged (privileged: true)',
                path=(*ref.path, "securityContext", "privileged"),
                container=ref.name,
            )


@rule(
    "PS003",
    "privilege-escalation-allowed",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=WORKLOAD_KINDS,
)
def privilege_escalation_allowed(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A container does not set allowPrivilegeEscalation: false.

    Why: Unset means allowed: the runtime does not set no_new_privs, so a setuid binary or
    file capability in the image lifts a compromised process to root. Only an explicit false
    closes it, so unset is reported (as Polaris, Checkov and the Pod Security Standards
    restricted profile do; kube-linter reports only an explicit true and misses the default).
    Privileged containers and containers adding SYS_ADMIN are left to PS002 and PS005: for
    them escalation cannot be switched off.
    Fix: Set securityContext.allowPrivilegeEscalation: false on the container.
    """
    for _, ref in linux_containers(manifest):
        context = container_context(ref)
        value = context.get("allowPrivilegeEscalation")
        if value is False or context.get("privileged") is True:
            continue
        if "SYS_ADMIN" in capability_names(ref, "add"):
            continue
        said = "is true" if value is True else "is not set (the default allows it)"
        yield Violation(
            message=f'container "{ref.name}" allows privilege escalation: '
            f"allowPrivilegeEscalation {said}",
            path=(*ref.path, "securityContext", "allowPrivilegeEscalation"),
            container=ref.name,
        )


@rule(
    "PS006",
    "writable-root-filesystem",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=WORKLOAD_KINDS,
)
def writable_root_filesystem(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A container's root filesystem is writable.

    Why: An attacker who gets code execution can then drop tools and binaries, or change
    the application's own files, and the changes survive until the container restarts. A
    read-only root also stops accidental writes that fill the node's disk.
    Fix: Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the
    application must write (in this repo, the writable_paths prop of the construct).
    """
    for _, ref in linux_containers(manifest):
        if container_context(ref).get("readOnlyRootFilesystem") is not True:
            yield Violation(
                message=f'container "{ref.name}" has a writable root filesystem '
                "(readOnlyRootFilesystem is not true)",
                path=(*ref.path, "securityContext", "readOnlyRootFilesystem"),
                container=ref.name,
            )


_SECCOMP_ANNOTATIONS = ("seccomp.security.alpha.kubernetes.io/", "container.seccomp.security")


@rule(
    "PS011",
    "missing-seccomp-profile",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=WORKLOAD_KINDS,
)
def missing_seccomp_profile(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A container runs without a seccomp filter.

    Why: Without one (no seccompProfile, or type Unconfined) the container can make every
    system call, including the rarely used ones where most kernel privilege-escalation bugs
    live. RuntimeDefault blocks them at almost no compatibility cost; the Pod Security
    Standards restricted profile requires it. The old seccomp annotations do not count:
    current Kubernetes ignores them.
    Fix: Set securityContext.seccompProfile.type: RuntimeDefault on the pod (or Localhost
    with a profile), and remove any container-level Unconfined.
    """
    gaps = []
    for template, ref in linux_containers(manifest):
        annotated = any(key.startswith(_SECCOMP_ANNOTATIONS) for key in template.annotations)
        note = " (the seccomp annotation is ignored)" if annotated else ""
        profile = effective(template, ref, "seccompProfile")
        kind = profile.value.get("type") if isinstance(profile.value, dict) else None
        if kind in SECCOMP_CONFINED:
            continue
        said = f"seccompProfile type is {kind}" if kind else f"no seccompProfile is set{note}"
        path = (*profile.path, "type") if kind else profile.path
        text, plural = f"has no seccomp filter: {said}", f"have no seccomp filter: {said}"
        gaps.append(_Gap(ref, text, path, profile.from_pod, plural))
    yield from _report(gaps)


RULES = (
    runs_as_root,
    privileged_container,
    privilege_escalation_allowed,
    writable_root_filesystem,
    missing_seccomp_profile,
)
