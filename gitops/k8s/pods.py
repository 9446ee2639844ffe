"""Where pods live inside workload objects: templates, containers, replicas.

Every accessor returns the JSON path of what it found, so a finding can point at the line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gitops.k8s.fields import string_keyed
from gitops.k8s.manifests import Manifest

Path = tuple[str | int, ...]

TEMPLATE_PATHS: Mapping[str, Path] = {
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "Rollout": ("spec", "template"),
    "DeploymentConfig": ("spec", "template"),
    "Pod": (),
}
"""Pod-bearing kinds and the path of their pod template (a Pod is its own template)."""

WORKLOAD_KINDS = frozenset(TEMPLATE_PATHS)
REPLICATED_KINDS = frozenset(
    {"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "Rollout"}
)
"""Kinds whose replica count a PodDisruptionBudget and an HPA reason about."""


def _get(body: Any, path: Path) -> Any:
    for step in path:
        if isinstance(step, int):
            if not isinstance(body, list) or not 0 <= step < len(body):
                return None
        elif not isinstance(body, dict):
            return None
        body = body[step] if isinstance(step, int) else body.get(step)
    return body


def get(manifest: Manifest, path: Path) -> Any:
    """The value at ``path`` in the object, or None."""
    return _get(manifest.body, path)


@dataclass(frozen=True)
class PodTemplate:
    metadata: Mapping[str, Any]
    spec: Mapping[str, Any]
    path: Path
    """Path of the template (``metadata`` and ``spec`` are under it)."""

    @property
    def labels(self) -> Mapping[str, str]:
        return string_keyed(self.metadata.get("labels"))

    @property
    def annotations(self) -> Mapping[str, str]:
        return string_keyed(self.metadata.get("annotations"))


def pod_template(manifest: Manifest) -> PodTemplate | None:
    # Most rules ask for it, for every object: build it once per object.
    return manifest.cached("pods.pod_template", _pod_template)


def _pod_template(manifest: Manifest) -> PodTemplate | None:
    path = TEMPLATE_PATHS.get(manifest.kind)
    if path is None:
        return None
    template = _get(manifest.body, path)
    if not isinstance(template, dict):
        return None
    metadata = template.get("metadata")
    spec = template.get("spec")
    return PodTemplate(
        metadata=metadata if isinstance(metadata, dict) else {},
        spec=spec if isinstance(spec, dict) else {},
        path=path,
    )


@dataclass(frozen=True)
class ContainerRef:
    container: Mapping[str, Any]
    path: Path
    init: bool

    @property
    def name(self) -> str:
        return str(self.container.get("name") or "")


def containers(manifest: Manifest, *, init: bool = True) -> list[ContainerRef]:
    """Containers (and, unless ``init`` is False, init containers) with their paths."""
    template = pod_template(manifest)
    if template is None:
        return []
    found: list[ContainerRef] = []
    for field, is_init in (("containers", False), ("initContainers", True)):
        if is_init and not init:
            continue
        entries = template.spec.get(field)
        if not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            if isinstance(entry, dict):
                found.append(ContainerRef(entry, (*template.path, "spec", field, index), is_init))
    return found


def all_containers(manifest: Manifest) -> list[ContainerRef]:
    """Containers, init containers and ephemeral containers: every container that security
    settings apply to (ephemeral containers are debug containers added to a running Pod;
    they count as neither main nor init containers, so ``init`` is False)."""
    found = containers(manifest)
    template = pod_template(manifest)
    entries = template.spec.get("ephemeralContainers") if template else None
    if template is not None and isinstance(entries, list):
        path = (*template.path, "spec", "ephemeralContainers")
        found += [
            ContainerRef(entry, (*path, index), False)
            for index, entry in enumerate(entries)
            if isinstance(entry, dict)
        ]
    return found


def is_sidecar(ref: ContainerRef) -> bool:
    """An init container with ``restartPolicy: Always`` (a native sidecar, Kubernetes 1.29+):
    it starts before the main containers and runs as long as they do."""
    return ref.init and ref.container.get("restartPolicy") == "Always"


def replicas(manifest: Manifest) -> int | None:
    """Declared replicas of a replicated workload: the API default 1 when unset, None for
    kinds without replicas."""
    if manifest.kind not in REPLICATED_KINDS:
        return None
    value = get(manifest, ("spec", "replicas"))
    if value is None:
        return 1
    return value if isinstance(value, int) and not isinstance(value, bool) else None
