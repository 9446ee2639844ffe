"""Pod-level building blocks every workload kind shares: placement (node selector,
tolerations, affinity, priority), GPUs, volumes and their mounts, init containers and native
sidecars, and a preStop hook.

``PodOptions`` is one prop (``pod=``) of every workload construct; ``apply_pod_options`` adds
it to a rendered pod spec. Every extra container gets the same restricted securityContext as
the main one (it is rendered by ``render_container``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gitops.constructs.pod import Container, Resources, plain, render_container
from gitops.k8s.quantity import parse_quantity

_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
NATIVE_SIDECAR_MINOR = 29
"""Kubernetes 1.29: init containers with ``restartPolicy: Always`` (native sidecars) are on
by default."""


def _check_name(what: str, name: str) -> None:
    if not _NAME.fullmatch(name) or len(name) > 63:
        raise ValueError(f"{what} {name!r} must be a DNS label (lower-case letters, digits, '-')")


@dataclass(frozen=True, kw_only=True)
class Toleration:
    """Lets pods schedule onto nodes with a matching taint."""

    key: str
    """Taint key, e.g. ``nvidia.com/gpu``."""
    operator: str = "Exists"
    """``Exists`` (any value) or ``Equal`` (``value`` must match). Default: ``"Exists"``."""
    value: str | None = None
    """Taint value for ``Equal``. Default: none."""
    effect: str | None = "NoSchedule"
    """``NoSchedule``, ``PreferNoSchedule``, ``NoExecute``, or None for all.
    Default: ``"NoSchedule"``."""

    def __post_init__(self) -> None:
        if self.operator not in ("Exists", "Equal"):
            raise ValueError(f"Toleration.operator {self.operator!r} must be Exists or Equal")
        if self.operator == "Exists" and self.value is not None:
            raise ValueError("Toleration.value needs operator Equal")

    def render(self) -> dict[str, Any]:
        found: dict[str, Any] = {"key": self.key, "operator": self.operator}
        if self.value is not None:
            found["value"] = self.value
        if self.effect is not None:
            found["effect"] = self.effect
        return found


@dataclass(frozen=True, kw_only=True)
class Volume:
    """A pod volume; build one with ``Volume.empty_dir``, ``config_map``, ``secret`` or
    ``claim`` (all types the restricted Pod Security profile allows)."""

    name: str
    source: Mapping[str, Any]
    """The volume source as Kubernetes writes it, e.g. ``{"emptyDir": {"sizeLimit": "1Gi"}}``."""

    def __post_init__(self) -> None:
        _check_name("volume name", self.name)

    @classmethod
    def empty_dir(cls, name: str, size_limit: str = "1Gi", memory: bool = False) -> Volume:
        parse_quantity(size_limit)
        source: dict[str, Any] = {"sizeLimit": size_limit}
        if memory:
            source["medium"] = "Memory"
        return cls(name=name, source={"emptyDir": source})

    @classmethod
    def config_map(cls, name: str, config_map: str) -> Volume:
        return cls(name=name, source={"configMap": {"name": config_map}})

    @classmethod
    def secret(cls, name: str, secret: str) -> Volume:
        return cls(name=name, source={"secret": {"secretName": secret}})

    @classmethod
    def claim(cls, name: str, claim: str, read_only: bool = False) -> Volume:
        return cls(
            name=name, source={"persistentVolumeClaim": {"claimName": claim, "readOnly": read_only}}
        )

    def render(self) -> dict[str, Any]:
        return {"name": self.name, **{k: dict(v) for k, v in self.source.items()}}


@dataclass(frozen=True, kw_only=True)
class Mount:
    """A volume mounted into the main container (and into init containers that list it)."""

    volume: str
    """Name of a volume in ``PodOptions.volumes`` (or a volume claim template)."""
    path: str
    """Mount path in the container."""
    read_only: bool = True
    """Read-only mount. Default: ``True``."""
    sub_path: str | None = None
    """Mount only this file or directory of the volume. Default: the whole volume."""

    def render(self) -> dict[str, Any]:
        found: dict[str, Any] = {"name": self.volume, "mountPath": self.path}
        if self.read_only:
            found["readOnly"] = True
        if self.sub_path:
            found["subPath"] = self.sub_path
        return found


@dataclass(frozen=True, kw_only=True)
class InitContainer:
    """A container that runs before the main one, or alongside it as a native sidecar."""

    name: str
    image: str
    command: tuple[str, ...] = ()
    """Entrypoint override. Default: the image's."""
    args: tuple[str, ...] = ()
    """Arguments. Default: the image's."""
    resources: Resources = field(default_factory=Resources)
    """Requests and limits. Default: ``Resources()``."""
    mounts: tuple[Mount, ...] = ()
    """Volumes it mounts. Default: none."""
    sidecar: bool = False
    """Keep it running next to the main container (``restartPolicy: Always``, Kubernetes
    1.29+). Default: ``False`` (runs to completion first)."""

    def __post_init__(self) -> None:
        _check_name("init container name", self.name)


@dataclass(frozen=True, kw_only=True)
class GpuNodes:
    """How GPU nodes are found and what they are tainted with."""

    resource: str = "nvidia.com/gpu"
    """Extended resource name of one GPU. Default: ``"nvidia.com/gpu"``."""
    node_selector: Mapping[str, str] = field(
        default_factory=lambda: {"nvidia.com/gpu.present": "true"}
    )
    """Labels of GPU nodes. Default: ``nvidia.com/gpu.present=true`` (NVIDIA GPU feature
    discovery)."""
    toleration: Toleration | None = field(
        default_factory=lambda: Toleration(key="nvidia.com/gpu", effect="NoSchedule")
    )
    """Toleration of the GPU nodes' taint. Default: ``nvidia.com/gpu`` NoSchedule."""


@dataclass(frozen=True, kw_only=True)
class PodOptions:
    """Pod-level settings shared by every workload kind."""

    node_selector: Mapping[str, str] = field(default_factory=dict)
    """Node labels the pods must run on. Default: none."""
    tolerations: tuple[Toleration, ...] = ()
    """Taints the pods tolerate. Default: none."""
    affinity: Mapping[str, Any] = field(default_factory=dict)
    """Node/pod affinity and anti-affinity as Kubernetes writes it. Default: none."""
    priority_class_name: str | None = None
    """PriorityClass of the pods. Default: the cluster's default."""
    pre_stop: tuple[str, ...] = ()
    """Command run in the main container before it is stopped (e.g. drain connections).
    Default: none."""
    volumes: tuple[Volume, ...] = ()
    """Extra volumes (beyond ``writable_paths``). Default: none."""
    mounts: tuple[Mount, ...] = ()
    """Mounts of those volumes in the main container. Default: none."""
    init_containers: tuple[InitContainer, ...] = ()
    """Init containers and native sidecars, in start order. Default: none."""
    gpus: int = 0
    """GPUs of the main container: requests and limits of ``gpu.resource``, plus the GPU
    nodes' selector and toleration. Default: ``0``."""
    gpu: GpuNodes = field(default_factory=GpuNodes)
    """Where GPUs are. Default: ``GpuNodes()`` (NVIDIA)."""

    def __post_init__(self) -> None:
        if isinstance(self.gpus, bool) or not isinstance(self.gpus, int) or self.gpus < 0:
            raise ValueError(f"gpus={self.gpus!r} must be a whole number of GPUs (0 or more)")
        names = [v.name for v in self.volumes]
        if len(set(names)) != len(names):
            raise ValueError(f"volumes: a name is used twice in {names}")


def check_pod_options(
    options: PodOptions,
    resources: Resources,
    kubernetes_minor: int,
    extra_volumes: tuple[str, ...] = (),
) -> None:
    """Problems the API server (or the scheduler) would reject, raised at synth."""
    known = {v.name for v in options.volumes} | set(extra_volumes)
    for mount in options.mounts + tuple(m for c in options.init_containers for m in c.mounts):
        if mount.volume not in known:
            listed = ", ".join(sorted(known)) or "none"
            raise ValueError(
                f"mounts: volume {mount.volume!r} (mounted at {mount.path}) is not declared in "
                f"volumes (declared: {listed})"
            )
    sidecars = [c.name for c in options.init_containers if c.sidecar]
    if sidecars and kubernetes_minor < NATIVE_SIDECAR_MINOR:
        raise ValueError(
            f"init_containers: sidecar=True ({', '.join(sidecars)}) needs Kubernetes "
            f"1.{NATIVE_SIDECAR_MINOR}+ (native sidecars); this environment runs "
            f"1.{kubernetes_minor}"
        )
    if options.gpus and (resources.cpu_limit is None or resources.memory_limit is None):
        raise ValueError(
            f"gpus={options.gpus} needs cpu_limit and memory_limit in resources: GPU nodes are "
            "shared by their GPU pods, and an unlimited pod starves the others"
        )


def apply_pod_options(spec: dict[str, Any], main: dict[str, Any], options: PodOptions) -> None:
    """Add ``options`` to a pod spec rendered by ``render_pod_spec`` (``main`` is its main
    container)."""
    if options.volumes:
        spec["volumes"] = [*spec.get("volumes", []), *(v.render() for v in options.volumes)]
    if options.mounts:
        main["volumeMounts"] = [
            *main.get("volumeMounts", []),
            *(m.render() for m in options.mounts),
        ]
    if options.pre_stop:
        main["lifecycle"] = {"preStop": {"exec": {"command": list(options.pre_stop)}}}
    if options.gpus:
        resources = main["resources"]
        resources["requests"][options.gpu.resource] = str(options.gpus)
        resources["limits"][options.gpu.resource] = str(options.gpus)
    node_selector = dict(options.node_selector)
    tolerations = [t.render() for t in options.tolerations]
    if options.gpus:
        node_selector = {**options.gpu.node_selector, **node_selector}
        if options.gpu.toleration is not None:
            tolerations.append(options.gpu.toleration.render())
    if node_selector:
        spec["nodeSelector"] = dict(sorted(node_selector.items()))
    if tolerations:
        spec["tolerations"] = tolerations
    if options.affinity:
        spec["affinity"] = plain(options.affinity)
    if options.priority_class_name:
        spec["priorityClassName"] = options.priority_class_name
    if options.init_containers:
        spec["initContainers"] = [_init_container(c, main) for c in options.init_containers]


def _init_container(init: InitContainer, main: dict[str, Any]) -> dict[str, Any]:
    # The main container's writable paths (emptyDirs) are writable for init containers too.
    writable = tuple(m["mountPath"] for m in main.get("volumeMounts", []) if not m.get("readOnly"))
    rendered = render_container(
        init.name,
        Container(
            image=init.image,
            resources=init.resources,
            command=init.command,
            args=init.args,
            writable_paths=(),
        ),
    )
    mounts = [m for m in main.get("volumeMounts", []) if m["mountPath"] in writable]
    mounts += [m.render() for m in init.mounts]
    if mounts:
        rendered["volumeMounts"] = mounts
    if init.sidecar:
        rendered["restartPolicy"] = "Always"
    return rendered
