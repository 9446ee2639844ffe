"""``StatefulSet`` (with its headless Service, volume claim templates and PDB) and
``DaemonSet``: the other long-running kinds, on the same restricted pod template as every
workload (``PodWorkload``). A DaemonSet gets no host access (hostNetwork, hostPath, host
ports): none is offered, so none can slip in; use ``PodOptions`` for tolerations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from constructs import Construct

from gitops.constructs.alerts import Alerts
from gitops.constructs.disruption import Disruption
from gitops.constructs.meta import metadata
from gitops.constructs.pod import Probe, check_port_names
from gitops.constructs.pod_options import Mount
from gitops.constructs.pod_workload import PodProps, PodWorkload
from gitops.k8s.quantity import parse_quantity

ACCESS_MODES = ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod")


@dataclass(frozen=True, kw_only=True)
class VolumeClaim:
    """A PersistentVolumeClaim per pod (a volume claim template), mounted in the main container."""

    name: str
    """Claim template name (the PVCs are ``<name>-<pod>``)."""
    size: str
    """Requested storage, a quantity such as ``"10Gi"``."""
    mount_path: str
    """Where the main container mounts it."""
    storage_class: str | None = None
    """StorageClass; ``None`` for the cluster's default. Default: none."""
    access_modes: tuple[str, ...] = ("ReadWriteOnce",)
    """Access modes. Default: ``("ReadWriteOnce",)``."""

    def __post_init__(self) -> None:
        try:
            parse_quantity(self.size)
        except ValueError:
            raise ValueError(
                f"VolumeClaim {self.name!r}: size {self.size!r} is not a quantity (e.g. 10Gi)"
            ) from None
        unknown = [m for m in self.access_modes if m not in ACCESS_MODES]
        if unknown or not self.access_modes:
            raise ValueError(
                f"VolumeClaim {self.name!r}: access_modes {unknown} not in {ACCESS_MODES}"
            )

    def render(self, labels: Mapping[str, str]) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "accessModes": list(self.access_modes),
            "resources": {"requests": {"storage": self.size}},
        }
        if self.storage_class:
            spec["storageClassName"] = self.storage_class
        return {"metadata": {"name": self.name, "labels": dict(labels)}, "spec": spec}


@dataclass(frozen=True, kw_only=True)
class StatefulSetProps(PodProps):
    """Pods with stable names and their own volumes."""

    readiness: Probe
    """When a pod is ready (also gates the rollout of the next ordinal)."""
    liveness: Probe
    """When a pod is restarted."""
    ports: Mapping[str, int] = field(default_factory=dict)
    """Named container ports, published by the headless Service. Default: none."""
    replicas: int = 3
    """Pods. Default: ``3``."""
    volume_claims: tuple[VolumeClaim, ...] = ()
    """Per-pod PersistentVolumeClaims. Default: none."""
    pod_management_policy: str = "OrderedReady"
    """``OrderedReady`` (one at a time, in order) or ``Parallel``. Default: ``"OrderedReady"``."""
    partition: int = 0
    """Ordinals below this are not updated (staged rollouts). Default: ``0``."""
    disruption: Disruption = field(default_factory=Disruption)
    """PodDisruptionBudget (2+ replicas, env ``features.pdb``). Default: one pod at a time."""
    alerts: Alerts | None = field(
        default_factory=lambda: Alerts(error_ratio=None, p99_latency_seconds=None)
    )
    """Alert rules. Default: crash looping and memory near limit."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.pod_management_policy not in ("OrderedReady", "Parallel"):
            raise ValueError(
                f"pod_management_policy {self.pod_management_policy!r} must be OrderedReady "
                "or Parallel"
            )
        if self.replicas < 0 or self.partition < 0:
            raise ValueError("replicas and partition must be >= 0")
        check_port_names(self.ports)


class StatefulSet(PodWorkload):
    """A StatefulSet, its headless Service, RBAC, NetworkPolicy and PDB."""

    def __init__(self, scope: Construct, id: str, props: StatefulSetProps) -> None:
        super().__init__(scope, id)
        self.props = props
        self._setup(props, "StatefulSet", "apps/v1")
        claims = tuple(c.name for c in props.volume_claims)
        template = self._pod_template(
            props,
            props.ports,
            props.readiness,
            props.liveness,
            None,
            spread=props.replicas >= 2,
            extra_volumes=claims,
        )
        main = template["spec"]["containers"][0]
        mounts = [
            Mount(volume=c.name, path=c.mount_path, read_only=False) for c in props.volume_claims
        ]
        if mounts:
            main["volumeMounts"] = [*main.get("volumeMounts", []), *(m.render() for m in mounts)]
        self.service_name = f"{self.name}-headless"
        self.emit(self._headless_service(props))
        spec: dict[str, Any] = {
            "serviceName": self.service_name,
            "replicas": props.replicas,
            "selector": {"matchLabels": dict(self.target.selector)},
            "podManagementPolicy": props.pod_management_policy,
            "updateStrategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"partition": props.partition},
            },
            "template": template,
        }
        if props.volume_claims:
            spec["volumeClaimTemplates"] = [c.render(self.labels) for c in props.volume_claims]
        self._object(props, spec)
        self._disruption_budget(props.disruption, props.replicas >= 2)
        self._network_policy(props)
        self._alerts(props.alerts)

    def _headless_service(self, props: StatefulSetProps) -> dict[str, Any]:
        return {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": metadata(self.service_name, self.namespace, self.labels),
            "spec": {
                "clusterIP": "None",
                "selector": dict(self.target.selector),
                "ports": [
                    {"name": name, "port": number, "targetPort": name, "protocol": "TCP"}
                    for name, number in props.ports.items()
                ],
            },
        }


@dataclass(frozen=True, kw_only=True)
class DaemonSetProps(PodProps):
    """One pod per node (or per node matching ``pod.node_selector``)."""

    readiness: Probe | None = None
    """When a pod is ready. Default: none (a node agent usually serves no traffic)."""
    liveness: Probe
    """When a pod is restarted (required: nothing else notices a stuck agent)."""
    max_unavailable: int | str = 1
    """Nodes whose pod may be down during an update. Default: ``1``."""
    max_surge: int | str = 0
    """Nodes that run a new pod next to the old one during an update. Default: ``0``."""
    alerts: Alerts | None = field(
        default_factory=lambda: Alerts(error_ratio=None, p99_latency_seconds=None)
    )
    """Alert rules. Default: crash looping and memory near limit."""


class DaemonSet(PodWorkload):
    """A DaemonSet, its RBAC and NetworkPolicy."""

    def __init__(self, scope: Construct, id: str, props: DaemonSetProps) -> None:
        super().__init__(scope, id)
        self.props = props
        self._setup(props, "DaemonSet", "apps/v1")
        template = self._pod_template(props, {}, props.readiness, props.liveness, None)
        self._object(
            props,
            {
                "selector": {"matchLabels": dict(self.target.selector)},
                "updateStrategy": {
                    "type": "RollingUpdate",
                    "rollingUpdate": {
                        "maxUnavailable": props.max_unavailable,
                        "maxSurge": props.max_surge,
                    },
                },
                "template": template,
            },
        )
        self._network_policy(props)
        self._alerts(props.alerts)
