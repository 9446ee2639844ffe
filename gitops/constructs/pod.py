"""Pod building blocks shared by every workload: resources, probes, env, security context.

Defaults are the restricted Pod Security profile (non-root, no privilege escalation, all
capabilities dropped, RuntimeDefault seccomp, read-only root filesystem), explicit requests
and limits, and probes on the named ``http`` port.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from gitops.k8s.quantity import parse_quantity, scale_cpu, scale_memory

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PORT_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
CONFIG_HASH_ANNOTATION = "gitops.dev/config-hash"


@dataclass(frozen=True, kw_only=True)
class Resources:
    """CPU and memory requests and limits of the main container."""

    cpu_request: str = "100m"
    """CPU the scheduler reserves. Default: ``"100m"``."""
    memory_request: str = "128Mi"
    """Memory the scheduler reserves. Default: ``"128Mi"``."""
    cpu_limit: str | None = "500m"
    """CPU ceiling; ``None`` for no CPU limit (no CFS throttling). Default: ``"500m"``."""
    memory_limit: str = "256Mi"
    """Memory ceiling; above it the container is OOM-killed. Default: ``"256Mi"``."""
    ephemeral_storage_request: str | None = None
    """Local disk (logs, emptyDir) the scheduler reserves. Default: unset."""
    ephemeral_storage_limit: str | None = None
    """Local disk ceiling; above it the pod is evicted. Default: unset."""

    def __post_init__(self) -> None:
        pairs = [
            ("cpu", self.cpu_request, self.cpu_limit),
            ("memory", self.memory_request, self.memory_limit),
            ("ephemeral-storage", self.ephemeral_storage_request, self.ephemeral_storage_limit),
        ]
        for what, request, limit in pairs:
            for value in (request, limit):
                if value is not None:
                    parse_quantity(value)
            if (
                request is not None
                and limit is not None
                and (parse_quantity(request) > parse_quantity(limit))
            ):
                raise ValueError(f"{what} request {request} is above its limit {limit}")

    def scaled(self, factor: float) -> Resources:
        """These resources times ``factor`` (an environment's ``resource_scale``)."""
        if factor == 1:
            return self
        return replace(
            self,
            cpu_request=scale_cpu(self.cpu_request, factor),
            memory_request=scale_memory(self.memory_request, factor),
            cpu_limit=None if self.cpu_limit is None else scale_cpu(self.cpu_limit, factor),
            memory_limit=scale_memory(self.memory_limit, factor),
        )

    def render(self) -> dict[str, Any]:
        requests = {"cpu": self.cpu_request, "memory": self.memory_request}
        limits: dict[str, str] = {"memory": self.memory_limit}
        if self.cpu_limit is not None:
            limits["cpu"] = self.cpu_limit
        if self.ephemeral_storage_request is not None:
            requests["ephemeral-storage"] = self.ephemeral_storage_request
        if self.ephemeral_storage_limit is not None:
            limits["ephemeral-storage"] = self.ephemeral_storage_limit
        return {"requests": requests, "limits": limits}


@dataclass(frozen=True, kw_only=True)
class Probe:
    """A container probe. Build one with ``Probe.http``, ``Probe.tcp``, ``Probe.grpc`` or
    ``Probe.command``."""

    handler: Mapping[str, Any]
    """The probe action as Kubernetes writes it (``httpGet``, ``tcpSocket``, ``grpc``, ``exec``)."""
    initial_delay_seconds: int = 0
    """Seconds after start before the first probe. Default: ``0``."""
    period_seconds: int = 10
    """Seconds between probes. Default: ``10``."""
    timeout_seconds: int = 1
    """Seconds before a probe counts as failed. Default: ``1``."""
    failure_threshold: int = 3
    """Consecutive failures before acting. Default: ``3``."""
    success_threshold: int = 1
    """Consecutive successes to count as healthy (must be 1 for liveness). Default: ``1``."""

    @classmethod
    def http(cls, path: str, port: str | int = "http", **timing: int) -> Probe:
        return cls(handler={"httpGet": {"path": path, "port": port}}, **timing)

    @classmethod
    def tcp(cls, port: str | int = "http", **timing: int) -> Probe:
        return cls(handler={"tcpSocket": {"port": port}}, **timing)

    @classmethod
    def grpc(cls, port: int, service: str | None = None, **timing: int) -> Probe:
        grpc: dict[str, Any] = {"port": port}
        if service:
            grpc["service"] = service
        return cls(handler={"grpc": grpc}, **timing)

    @classmethod
    def command(cls, *argv: str, **timing: int) -> Probe:
        return cls(handler={"exec": {"command": list(argv)}}, **timing)

    def render(self) -> dict[str, Any]:
        return {
            **plain(self.handler),
            "initialDelaySeconds": self.initial_delay_seconds,
            "periodSeconds": self.period_seconds,
            "timeoutSeconds": self.timeout_seconds,
            "failureThreshold": self.failure_threshold,
            "successThreshold": self.success_threshold,
        }


@dataclass(frozen=True, kw_only=True)
class SecretEnv:
    """An env var read from a key of an externally managed Secret (never Secret data in git)."""

    name: str
    """Environment variable name, e.g. ``DB_PASSWORD``."""
    secret: str
    """Name of the Secret (created by External Secrets, Sealed Secrets, Vault, ...)."""
    key: str
    """Key inside that Secret."""


@dataclass(frozen=True, kw_only=True)
class Metrics:
    """Prometheus scraping of the workload's pods."""

    port: int = 8080
    """Port serving metrics. Default: ``8080``."""
    path: str = "/metrics"
    """HTTP path of the metrics endpoint. Default: ``"/metrics"``."""
    scraper_namespace: str = "monitoring"
    """Namespace Prometheus runs in, let through the NetworkPolicy. Default: ``"monitoring"``."""
    interval: str = "30s"
    """Scrape interval of the ServiceMonitor or PodMonitor. Default: ``"30s"``."""
    annotations_too: bool = False
    """Also write the ``prometheus.io/*`` pod annotations, for a Prometheus that discovers
    targets by annotation rather than through prometheus-operator monitors.
    Default: ``False`` (the monitor alone)."""

    def annotations(self) -> dict[str, str]:
        return {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": str(self.port),
            "prometheus.io/path": self.path,
        }


@dataclass(frozen=True, kw_only=True)
class Container:
    """Everything about the main container that is not specific to one workload kind."""

    image: str
    ports: Mapping[str, int] = field(default_factory=dict)
    resources: Resources = field(default_factory=Resources)
    readiness: Probe | None = None
    liveness: Probe | None = None
    startup: Probe | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    config_map: str | None = None
    config_keys: tuple[str, ...] = ()
    secret_env: tuple[SecretEnv, ...] = ()
    command: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    writable_paths: tuple[str, ...] = ("/tmp",)


def check_env_names(names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if not _ENV_NAME.fullmatch(name):
            raise ValueError(f"env var name {name!r} must match [A-Za-z_][A-Za-z0-9_]*")
        if name in seen:
            raise ValueError(f"env var {name!r} is set twice")
        seen.add(name)


def check_port_names(ports: Mapping[str, int]) -> None:
    for name, number in ports.items():
        if not _PORT_NAME.fullmatch(name) or len(name) > 15:
            raise ValueError(f"port name {name!r} must be a DNS label of at most 15 characters")
        if not 1 <= number <= 65535:
            raise ValueError(f"port {name} = {number} is outside 1-65535")


def volume_name(path: str) -> str:
    """``/var/cache/nginx`` -> ``var-cache-nginx``: a stable emptyDir name for a writable path."""
    name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")
    return (name or "root")[:63]


def render_container(name: str, spec: Container) -> dict[str, Any]:
    env: list[dict[str, Any]] = [{"name": k, "value": v} for k, v in sorted(spec.env.items())]
    env += [
        {"name": key, "valueFrom": {"configMapKeyRef": {"name": spec.config_map, "key": key}}}
        for key in spec.config_keys
    ]
    env += [
        {"name": s.name, "valueFrom": {"secretKeyRef": {"name": s.secret, "key": s.key}}}
        for s in spec.secret_env
    ]
    check_env_names([e["name"] for e in env])
    check_port_names(spec.ports)
    container: dict[str, Any] = {
        "name": name,
        "image": spec.image,
        "imagePullPolicy": "IfNotPresent",
        "resources": spec.resources.render(),
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "privileged": False,
            "readOnlyRootFilesystem": True,
        },
    }
    if spec.ports:
        container["ports"] = [
            {"name": port_name, "containerPort": number, "protocol": "TCP"}
            for port_name, number in spec.ports.items()
        ]
    if env:
        container["env"] = env
    if spec.command:
        container["command"] = list(spec.command)
    if spec.args:
        container["args"] = list(spec.args)
    for key, probe in (
        ("readinessProbe", spec.readiness),
        ("livenessProbe", spec.liveness),
        ("startupProbe", spec.startup),
    ):
        if probe is not None:
            container[key] = probe.render()
    if spec.writable_paths:
        container["volumeMounts"] = [
            {"name": volume_name(path), "mountPath": path} for path in spec.writable_paths
        ]
    return container


def pod_security_context(run_as_user: int) -> dict[str, Any]:
    """The restricted pod-level securityContext: non-root ``run_as_user`` (also its group and
    the volumes' fsGroup) and the runtime's default seccomp profile."""
    return {
        "runAsNonRoot": True,
        "runAsUser": run_as_user,
        "runAsGroup": run_as_user,
        "fsGroup": run_as_user,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def render_pod_spec(
    container: dict[str, Any],
    *,
    service_account: str,
    automount_token: bool,
    run_as_user: int,
    writable_paths: tuple[str, ...],
    selector: Mapping[str, str],
    spread: bool,
    termination_grace_period_seconds: int,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "serviceAccountName": service_account,
        "automountServiceAccountToken": automount_token,
        "enableServiceLinks": False,
        "terminationGracePeriodSeconds": termination_grace_period_seconds,
        "securityContext": pod_security_context(run_as_user),
        "containers": [container],
    }
    if writable_paths:
        spec["volumes"] = [
            {"name": volume_name(path), "emptyDir": {"sizeLimit": "256Mi"}}
            for path in writable_paths
        ]
    if spread:
        # Replicas on distinct nodes and zones where the cluster allows it: a node or zone
        # failure then costs one replica, not all of them. ScheduleAnyway never blocks scaling.
        spec["topologySpreadConstraints"] = [
            {
                "maxSkew": 1,
                "topologyKey": key,
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": dict(selector)},
            }
            for key in ("kubernetes.io/hostname", "topology.kubernetes.io/zone")
        ]
    return spec


def config_hash(data: Mapping[str, str]) -> str:
    """A short digest of ConfigMap data; as a pod annotation it rolls pods when config changes."""
    canonical = json.dumps(dict(sorted(data.items())), separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def plain(value: Any) -> Any:
    """Deep copy of mappings and sequences into dicts and lists (frozen props stay untouched)."""
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value
