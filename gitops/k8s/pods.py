"""Where pods live inside workload objects: templates, containers, replicas.

One place knows, for every pod-bearing kind, where its pod specs and container lists are:
the Kubernetes workloads (one pod template each, a Pod is its own) and the Argo Workflows
kinds (``Workflow``, ``WorkflowTemplate``, ``ClusterWorkflowTemplate``, ``CronWorkflow``),
where every ``container``, ``script`` or ``containerSet`` template becomes a pod of its own.
Rules ask ``pod_templates``/``containers`` and so cover every kind without special cases.
A plain-YAML ``podSpecPatch`` (workflow's, then template's) is applied as Argo applies it:
pod-level fields replace the template's, ``containers``/``initContainers`` entries merge by
name into the step's containers (or add one), and findings on what a patch sets point at the
line inside the patch.

Every accessor returns the JSON path of what it found, so a finding can point at the line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from gitops.k8s.fields import string_keyed
from gitops.k8s.manifests import Manifest, mapping_at

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

WORKFLOW_SPEC_PATHS: Mapping[str, Path] = {
    "Workflow": ("spec",),
    "WorkflowTemplate": ("spec",),
    "ClusterWorkflowTemplate": ("spec",),
    "CronWorkflow": ("spec", "workflowSpec"),
}
"""Argo Workflows kinds and the path of their WorkflowSpec: each template that runs a
container (``container``, ``script``, ``containerSet``) is a pod."""

WORKFLOW_KINDS = frozenset(WORKFLOW_SPEC_PATHS)
WORKLOAD_KINDS = frozenset(TEMPLATE_PATHS) | WORKFLOW_KINDS
"""Every kind that makes pods; the kinds pod rules apply to."""
RUN_TO_COMPLETION_KINDS = frozenset({"Job", "CronJob"}) | WORKFLOW_KINDS
"""Kinds whose pods run a task and exit (no probes, no Service traffic)."""
REPLICATED_KINDS = frozenset(
    {"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "Rollout"}
)
"""Kinds whose replica count a PodDisruptionBudget and an HPA reason about."""

_WORKFLOW_POD_FIELDS: Mapping[str, str] = {
    # pod field -> the same setting's name on a WorkflowSpec (and templateDefaults/Template)
    "securityContext": "securityContext",
    "serviceAccountName": "serviceAccountName",
    "automountServiceAccountToken": "automountServiceAccountToken",
    "nodeSelector": "nodeSelector",
    "tolerations": "tolerations",
    "affinity": "affinity",
    "hostAliases": "hostAliases",
    "schedulerName": "schedulerName",
    "hostNetwork": "hostNetwork",
    "dnsPolicy": "dnsPolicy",
    "dnsConfig": "dnsConfig",
    "imagePullSecrets": "imagePullSecrets",
    "priorityClassName": "priorityClassName",
}
_WORKFLOW_ONLY = {"priorityClassName": "podPriorityClassName"}
"""Pod fields whose WorkflowSpec spelling differs from the Template's."""
_NOT_ON_TEMPLATE = frozenset({"hostNetwork", "dnsPolicy", "dnsConfig", "imagePullSecrets"})
_POD_TEMPLATE_KINDS = ("container", "script", "containerSet")


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
    """The pod-level fields as the pod will have them."""
    path: Path
    """Path of the template (for Kubernetes kinds ``metadata`` and ``spec`` are under it)."""
    name: str = ""
    """The Argo Workflows template's name; empty for Kubernetes kinds."""
    field_paths: Mapping[str, Path] = field(default_factory=dict)
    """Where pod-level fields are set when not at ``path``/spec/<field> (Argo Workflows)."""
    volume_paths: tuple[Path, ...] = ()
    """Path of each entry of ``spec.volumes`` when they are not one list (Argo Workflows)."""
    container_patches: tuple[tuple[str, Mapping[str, Any], Path], ...] = ()
    """``containers``/``initContainers`` entries of plain-YAML ``podSpecPatch``es, in the order
    Argo applies them (workflow's, then template's): (list name, entry, path of the entry,
    which goes on into the patch string)."""

    @property
    def labels(self) -> Mapping[str, str]:
        return string_keyed(self.metadata.get("labels"))

    @property
    def annotations(self) -> Mapping[str, str]:
        return string_keyed(self.metadata.get("annotations"))

    def field_path(self, name: str) -> Path:
        """Where the pod-level field ``name`` is set, or where to set it."""
        if self.field_paths:
            found = self.field_paths.get(name)
            if found:
                return found
        return (*self.path, "spec", name)

    def volumes(self) -> list[tuple[Mapping[str, Any], Path]]:
        """The pod's volumes with the path of each."""
        volumes = self.spec.get("volumes")
        if not isinstance(volumes, list):
            return []
        if self.volume_paths:
            pairs = zip(volumes, self.volume_paths, strict=False)
            return [(v, p) for v, p in pairs if isinstance(v, dict)]
        base = self.field_path("volumes")
        return [(v, (*base, i)) for i, v in enumerate(volumes) if isinstance(v, dict)]


def pod_templates(manifest: Manifest) -> list[PodTemplate]:
    """Every pod the object makes (Kubernetes kinds: at most one; Argo Workflows: one per
    container-running template)."""
    return manifest.cached("pods.pod_templates", _pod_templates)


def pod_template(manifest: Manifest) -> PodTemplate | None:
    """The object's first pod template (its only one, for Kubernetes kinds)."""
    return manifest.cached("pods.pod_template", _first_template)


def _first_template(manifest: Manifest) -> PodTemplate | None:
    found = pod_templates(manifest)
    return found[0] if found else None


def _pod_templates(manifest: Manifest) -> list[PodTemplate]:
    if manifest.kind in WORKFLOW_SPEC_PATHS:
        return _workflow_pods(manifest, WORKFLOW_SPEC_PATHS[manifest.kind])
    path = TEMPLATE_PATHS.get(manifest.kind)
    if path is None:
        return []
    template = _get(manifest.body, path)
    if not isinstance(template, dict):
        return []
    metadata = template.get("metadata")
    spec = template.get("spec")
    return [
        PodTemplate(
            metadata=metadata if isinstance(metadata, dict) else {},
            spec=spec if isinstance(spec, dict) else {},
            path=path,
        )
    ]


def _plain_patch(raw: Any) -> Mapping[str, Any]:
    """A ``podSpecPatch`` that is plain YAML/JSON (no ``{{...}}`` expression) as a mapping."""
    if not isinstance(raw, str) or "{{" in raw:
        return {}
    try:
        patch = yaml.safe_load(raw)
    except yaml.YAMLError:
        return {}
    return patch if isinstance(patch, dict) else {}


def _workflow_pods(manifest: Manifest, spec_path: Path) -> list[PodTemplate]:
    workflow = _get(manifest.body, spec_path)
    if not isinstance(workflow, dict):
        return []
    templates = workflow.get("templates")
    defaults = mapping_at(workflow, "templateDefaults")
    pod_metadata = mapping_at(workflow, "podMetadata")
    found = []
    for index, template in enumerate(templates if isinstance(templates, list) else []):
        if not isinstance(template, dict):
            continue
        if not any(isinstance(template.get(kind), dict) for kind in _POD_TEMPLATE_KINDS):
            continue
        path: Path = (*spec_path, "templates", index)
        layers: list[tuple[Mapping[str, Any], Path, bool]] = [
            (template, path, True),
            (defaults, (*spec_path, "templateDefaults"), True),
            (workflow, spec_path, False),
        ]
        spec: dict[str, Any] = {}
        paths: dict[str, Path] = {}
        for pod_field, own in _WORKFLOW_POD_FIELDS.items():
            for layer, layer_path, is_template in layers:
                if is_template and pod_field in _NOT_ON_TEMPLATE:
                    continue
                name = own if is_template else _WORKFLOW_ONLY.get(pod_field, own)
                if layer.get(name) is not None:
                    spec[pod_field], paths[pod_field] = layer[name], (*layer_path, name)
                    break
            else:
                # Unset: the workflow-level field fixes every template at once.
                paths[pod_field] = (*spec_path, _WORKFLOW_ONLY.get(pod_field, pod_field))
        volumes: list[Any] = []
        volume_paths: list[Path] = []
        for layer, layer_path, _ in (layers[2], layers[0]):
            entries = layer.get("volumes")
            for i, volume in enumerate(entries if isinstance(entries, list) else []):
                volumes.append(volume)
                volume_paths.append((*layer_path, "volumes", i))
        paths["volumes"] = (*spec_path, "volumes")
        spec["volumes"] = volumes
        container_patches: list[tuple[str, Mapping[str, Any], Path]] = []
        for patch_layer, patch_path in ((workflow, spec_path), (template, path)):
            patch = _plain_patch(patch_layer.get("podSpecPatch"))
            for key, value in patch.items():
                where = (*patch_path, "podSpecPatch", key)
                if key in ("containers", "initContainers"):
                    entries = value if isinstance(value, list) else []
                    container_patches += [
                        (key, entry, (*where, i))
                        for i, entry in enumerate(entries)
                        if isinstance(entry, dict)
                    ]
                elif key != "volumes":
                    spec[key], paths[key] = value, where
        metadata = {
            key: {
                **mapping_at(pod_metadata, key),
                **mapping_at(mapping_at(template, "metadata"), key),
            }
            for key in ("labels", "annotations")
        }
        found.append(
            PodTemplate(
                metadata=metadata,
                spec=spec,
                path=path,
                name=str(template.get("name") or ""),
                field_paths=paths,
                volume_paths=tuple(volume_paths),
                container_patches=tuple(container_patches),
            )
        )
    return found


@dataclass(frozen=True)
class ContainerRef:
    container: Mapping[str, Any]
    path: Path
    init: bool
    pod: PodTemplate | None = None
    """The pod the container runs in."""
    ephemeral: bool = False

    @property
    def name(self) -> str:
        return str(self.container.get("name") or ("main" if self.pod and self.pod.name else ""))


def _workflow_containers(template: PodTemplate, body: Mapping[str, Any]) -> list[ContainerRef]:
    found = []
    for kind in ("container", "script"):
        entry = body.get(kind)
        if isinstance(entry, dict):
            found.append(ContainerRef(entry, (*template.path, kind), False, template))
    container_set = body.get("containerSet")
    if isinstance(container_set, dict):
        entries = container_set.get("containers")
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict):
                path = (*template.path, "containerSet", "containers", index)
                found.append(ContainerRef(entry, path, False, template))
    for field_name, is_init in (("sidecars", False), ("initContainers", True)):
        entries = body.get(field_name)
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict):
                path = (*template.path, field_name, index)
                found.append(ContainerRef(entry, path, is_init, template))
    return found


def _apply_container_patches(
    manifest: Manifest, template: PodTemplate, found: list[ContainerRef]
) -> list[ContainerRef]:
    """``found`` with the template's podSpecPatch container entries merged in by name, as
    Argo does (a strategic merge patch of the pod spec): an entry naming a container is merged
    over it (its fields are then located in the patch), any other entry adds a container."""
    for list_name, entry, source in template.container_patches:
        init = list_name == "initContainers"
        name = entry.get("name")
        for index, ref in enumerate(found):
            if ref.init == init and ref.name == name:
                found[index] = replace(ref, container=_merge(ref.container, entry))
                manifest.overlay(ref.path, source, entry)
                break
        else:
            found.append(ContainerRef(entry, source, init, template))
    return found


def _merge(base: Any, patch: Any) -> Any:
    """``patch`` merged over ``base`` the way a strategic merge patch does it for a container:
    mappings field by field, lists of named entries (env, ports, volumeMounts...) entry by
    name, anything else replaced."""
    if isinstance(base, Mapping) and isinstance(patch, Mapping):
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    if (
        isinstance(base, list)
        and isinstance(patch, list)
        and all(isinstance(e, Mapping) and "name" in e for e in (*base, *patch))
    ):
        entries = {e["name"]: e for e in base}
        for entry in patch:
            name = entry["name"]
            entries[name] = _merge(entries[name], entry) if name in entries else entry
        return list(entries.values())
    return patch


def _all_containers(manifest: Manifest) -> list[ContainerRef]:
    found: list[ContainerRef] = []
    for template in pod_templates(manifest):
        if template.name or manifest.kind in WORKFLOW_KINDS:
            body = _get(manifest.body, template.path)
            own = _workflow_containers(template, body if isinstance(body, dict) else {})
            if template.container_patches:
                own = _apply_container_patches(manifest, template, own)
            found += own
            continue
        for field_name, is_init in (
            ("containers", False),
            ("initContainers", True),
            ("ephemeralContainers", False),
        ):
            entries = template.spec.get(field_name)
            if not isinstance(entries, list):
                continue
            base = (*template.path, "spec", field_name)
            ephemeral = field_name == "ephemeralContainers"
            found += [
                ContainerRef(entry, (*base, index), is_init, template, ephemeral)
                for index, entry in enumerate(entries)
                if isinstance(entry, dict)
            ]
    return found


def containers(manifest: Manifest, *, init: bool = True) -> list[ContainerRef]:
    """Containers (and, unless ``init`` is False, init containers) with their paths, of
    every pod the object makes."""
    if init:
        return manifest.cached("pods.containers", _with_init)
    return manifest.cached("pods.main_containers", _main_containers)


def _with_init(manifest: Manifest) -> list[ContainerRef]:
    return [ref for ref in all_containers(manifest) if not ref.ephemeral]


def _main_containers(manifest: Manifest) -> list[ContainerRef]:
    return [ref for ref in all_containers(manifest) if not ref.ephemeral and not ref.init]


def all_containers(manifest: Manifest) -> list[ContainerRef]:
    """Containers, init containers and ephemeral containers: every container that security
    settings apply to (ephemeral containers are debug containers added to a running Pod;
    they count as neither main nor init containers, so ``init`` is False)."""
    return manifest.cached("pods.all_containers", _all_containers)


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
