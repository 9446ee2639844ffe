"""Effective security settings of a container, as the kubelet computes them.

For the fields a PodSecurityContext shares with a SecurityContext (``runAsNonRoot``,
``runAsUser``, ``runAsGroup``, ``seccompProfile``, ``seLinuxOptions``, ...), the container's
value wins and the pod's applies when the container sets none; the other container fields
(``privileged``, ``capabilities``, ...) exist only on the container.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gitops.k8s.manifests import Manifest
from gitops.k8s.pods import ContainerRef, Path, PodTemplate, all_containers, pod_templates


@dataclass(frozen=True)
class Effective:
    value: Any
    """The value in force, None when neither the container nor the pod sets it."""
    path: Path
    """Where it is set; when unset, where the pod-level field would go."""
    from_pod: bool
    """The container does not set it, so the pod's setting (or its absence) decides."""


def pod_context(template: PodTemplate) -> Mapping[str, Any]:
    context = template.spec.get("securityContext")
    return context if isinstance(context, dict) else {}


def container_context(ref: ContainerRef) -> Mapping[str, Any]:
    context = ref.container.get("securityContext")
    return context if isinstance(context, dict) else {}


def pod_context_path(template: PodTemplate) -> Path:
    return template.field_path("securityContext")


def effective(template: PodTemplate, ref: ContainerRef, field: str) -> Effective:
    """The container's ``field`` if it sets one, else the pod's."""
    own = container_context(ref)
    if own.get(field) is not None:
        return Effective(own[field], (*ref.path, "securityContext", field), from_pod=False)
    return Effective(
        pod_context(template).get(field), (*pod_context_path(template), field), from_pod=True
    )


def is_windows(template: PodTemplate) -> bool:
    """Pods for Windows nodes: the API forbids Linux-only settings such as seccompProfile,
    capabilities, allowPrivilegeEscalation and readOnlyRootFilesystem on them."""
    os = template.spec.get("os")
    return isinstance(os, dict) and os.get("name") == "windows"


def linux_templates(manifest: Manifest) -> list[PodTemplate]:
    """The object's pod templates, but those for Windows nodes."""
    return [template for template in pod_templates(manifest) if not is_windows(template)]


def linux_containers(manifest: Manifest) -> list[tuple[PodTemplate, ContainerRef]]:
    """Every container (init and ephemeral too) with its pod, but those of Windows pods."""
    return manifest.cached("security_context.linux_containers", _linux_containers)


def _linux_containers(manifest: Manifest) -> list[tuple[PodTemplate, ContainerRef]]:
    return [
        (ref.pod, ref)
        for ref in all_containers(manifest)
        if ref.pod is not None and not is_windows(ref.pod)
    ]


def capability_names(ref: ContainerRef, field: str) -> list[str]:
    """Capability names in ``add`` or ``drop``, upper-case, without the optional ``CAP_``
    prefix (container runtimes accept both spellings)."""
    capabilities = container_context(ref).get("capabilities")
    names = capabilities.get(field) if isinstance(capabilities, dict) else None
    if not isinstance(names, list):
        return []
    return [str(name).upper().removeprefix("CAP_") for name in names]
