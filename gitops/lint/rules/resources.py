"""RS: resources: the requests the scheduler plans with and the limits the kernel enforces.

Requirement rules (RS001-RS004, RS006) apply to main containers and native sidecars (init
containers with ``restartPolicy: Always``), which run as long as the pod does. Ordinary init
containers are skipped there: they run one at a time before the main containers, and their
requests count only when larger than the main containers' sum (users asked kube-score to
skip them: kube-score#470, #533). Rules about values the API server rejects (RS005, RS007)
check every container. A pod-level ``spec.resources`` (Kubernetes 1.32+) satisfies the
requirement rules for the resources it sets.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from gitops.findings import Severity
from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import Manifest
from gitops.k8s.pods import WORKLOAD_KINDS, ContainerRef, Path, containers, is_sidecar, pod_template
from gitops.k8s.quantity import parse_quantity, quantity_problem
from gitops.rules.registry import Violation, rule

FAMILY = "resources"
SECTIONS = ("requests", "limits")
OVERCOMMITTABLE = ("cpu", "memory", "ephemeral-storage")
"""Resources whose request may be below the limit; any other (extended resources such as
nvidia.com/gpu, hugepages-*) must have request == limit when both are set."""


def _section(resources: Any, name: str) -> Mapping[str, Any]:
    value = resources.get(name) if isinstance(resources, dict) else None
    return value if isinstance(value, dict) else {}


def _pod_resources(manifest: Manifest) -> Any:
    template = pod_template(manifest)
    return template.spec.get("resources") if template else None


def _long_running(manifest: Manifest) -> list[ContainerRef]:
    return [ref for ref in containers(manifest) if not ref.init or is_sidecar(ref)]


def _sets(resources: Any, section: str, resource: str, implied: bool = False) -> bool:
    """Does ``resources`` set ``section``.``resource``? With ``implied``, a request left
    unset while the limit is set counts as set (the API server copies the limit into it)."""
    if resource in _section(resources, section):
        return True
    return implied and section == "requests" and resource in _section(resources, "limits")


def _malformed(resources: Any) -> bool:
    """Present but not a mapping (resources, or its requests or limits)? The API server rejects
    it and SC002 reports the type; "no cpu request" would misdescribe it."""
    if resources is None:
        return False
    if not isinstance(resources, dict):
        return True
    return any(
        resources.get(s) is not None and not isinstance(resources[s], dict) for s in SECTIONS
    )


def _missing(
    manifest: Manifest, section: str, resource: str, implied: bool = False
) -> Iterator[ContainerRef]:
    """Long-running containers that set no ``section``.``resource`` (nor does the pod)."""
    pod = _pod_resources(manifest)
    if _malformed(pod) or _sets(pod, section, resource, implied):
        return
    for ref in _long_running(manifest):
        own = ref.container.get("resources")
        if not _malformed(own) and not _sets(own, section, resource, implied):
            yield ref


@dataclass(frozen=True)
class RequestOptions:
    limit_counts_as_request: bool = False
    """Accept a limit without a request: the API server copies the limit into the request.
    Default: ``False``, since the copy silently reserves the whole limit on the node."""


def _missing_request(
    manifest: Manifest, resource: str, what: str, options: RequestOptions
) -> Iterator[Violation]:
    for ref in _missing(manifest, "requests", resource, options.limit_counts_as_request):
        limit = _section(ref.container.get("resources"), "limits").get(resource)
        implied = (
            f"; Kubernetes copies its limit ({limit}) into the request, reserving all of it "
            "on the node"
            if limit is not None
            else ""
        )
        yield Violation(
            message=f'container "{ref.name}" has no {what} request{implied}',
            path=(*ref.path, "resources", "requests"),
            container=ref.name,
        )


@rule(
    "RS001",
    "missing-cpu-request",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=WORKLOAD_KINDS,
    options=RequestOptions(),
)
def missing_cpu_request(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A container has no CPU request.

    Why: The scheduler places pods by their requests: a container without a CPU request is
    placed as if it needed no CPU, lands on busy nodes, and under contention gets the
    smallest CPU share; a pod with no requests at all is BestEffort and evicted first. A
    CPU limit without a request is copied into the request by the API server: the pod then
    reserves its whole limit, which wastes nodes and is rarely what the author meant (the
    ``limit_counts_as_request`` option accepts it).
    Fix: Set resources.requests.cpu to the container's typical usage (in this repo, the
    cpu_request of Resources in apps/<app>.py or the env overlay).
    """
    return _missing_request(manifest, "cpu", "cpu", options)


@rule(
    "RS002",
    "missing-memory-request",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=WORKLOAD_KINDS,
    options=RequestOptions(),
)
def missing_memory_request(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A container has no memory request.

    Why: Memory requests decide placement and eviction order: a container without one is
    placed on nodes that cannot hold it and is among the first evicted under memory
    pressure. A memory limit without a request is copied into the request by the API server,
    so the pod reserves its whole limit (the ``limit_counts_as_request`` option accepts it).
    Fix: Set resources.requests.memory to the container's steady-state usage (in this repo,
    the memory_request of Resources in apps/<app>.py or the env overlay).
    """
    return _missing_request(manifest, "memory", "memory", options)


@rule(
    "RS003", "missing-memory-limit", family=FAMILY, severity=Severity.WARNING, kinds=WORKLOAD_KINDS
)
def missing_memory_limit(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A container has no memory limit.

    Why: Memory cannot be throttled. A container without a limit that leaks or spikes grows
    until the node runs short, and then the kernel OOM-kills whatever it picks or the
    kubelet evicts neighbours, often another team's pods. With a limit only the offending
    container is killed and restarted.
    Fix: Set resources.limits.memory above the container's peak usage (in this repo, the
    memory_limit of Resources in apps/<app>.py or the env overlay).
    """
    for ref in _missing(manifest, "limits", "memory"):
        yield Violation(
            message=f'container "{ref.name}" has no memory limit',
            path=(*ref.path, "resources", "limits"),
            container=ref.name,
        )


CPU_LIMIT_POLICIES = ("require", "ignore", "forbid")


@dataclass(frozen=True)
class CpuLimitOptions:
    policy: str = "ignore"
    """``require`` a CPU limit on every container, ``forbid`` CPU limits, or ``ignore`` the
    question. Default: ``"ignore"``."""

    def __post_init__(self) -> None:
        if self.policy not in CPU_LIMIT_POLICIES:
            valid = ", ".join(CPU_LIMIT_POLICIES)
            raise ValueError(f"unknown cpu limit policy {self.policy!r}; use one of: {valid}")


@rule(
    "RS004",
    "cpu-limit-against-policy",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=WORKLOAD_KINDS,
    options=CpuLimitOptions(),
)
def cpu_limit_against_policy(
    manifest: Manifest, graph: ObjectGraph, options: CpuLimitOptions
) -> Iterator[Violation]:
    """A container's CPU limit goes against the team's CPU limit policy.

    Why: Both policies are sound, so the rule enforces the team's choice and by default
    (policy "ignore") takes no side. "forbid": a CPU limit is a CFS quota, and a
    multi-threaded process that spends its quota early in a 100 ms period is throttled for
    the rest of it even on an idle node, which shows as latency spikes; CPU is compressible,
    so with requests set a neighbour without a limit can only take idle CPU, never CPU that
    another pod requested. "require": limits make performance predictable (production
    behaves like the load test), bound a runaway process, and are mandatory where a
    ResourceQuota covers limits.cpu. The construct library sets a CPU limit by default and
    lets an app drop it (cpu_limit=None), so neither strict policy fits every app of this repo.
    Fix: Under "require", set resources.limits.cpu; under "forbid", remove it (in this repo,
    the cpu_limit of Resources in apps/<app>.py; None removes it).
    """
    if options.policy == "ignore":
        return
    if options.policy == "require":
        for ref in _missing(manifest, "limits", "cpu"):
            yield Violation(
                message=f'container "{ref.name}" has no cpu limit (policy: require)',
                path=(*ref.path, "resources", "limits"),
                container=ref.name,
            )
        return
    for ref in _long_running(manifest):
        limit = _section(ref.container.get("resources"), "limits").get("cpu")
        if limit is not None:
            yield Violation(
                message=f'container "{ref.name}" has cpu limit {limit} (policy: forbid)',
                path=(*ref.path, "resources", "limits", "cpu"),
                container=ref.name,
            )


def _sized(manifest: Manifest) -> Iterator[tuple[str, Any, Path, str | None]]:
    """(who, resources, path) for the pod-level resources and every container's."""
    template = pod_template(manifest)
    if template is not None and "resources" in template.spec:
        yield "pod", template.spec["resources"], (*template.path, "spec", "resources"), None
    for ref in containers(manifest):
        if "resources" in ref.container:
            path = (*ref.path, "resources")
            yield f'container "{ref.name}"', ref.container["resources"], path, ref.name


@rule(
    "RS005", "request-exceeds-limit", family=FAMILY, severity=Severity.ERROR, kinds=WORKLOAD_KINDS
)
def request_exceeds_limit(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A container requests more of a resource than its limit allows.

    Why: The API server rejects such a pod, so its controller cannot create a single replica:
    the rollout stalls and a scale-up adds nothing. Extended resources (nvidia.com/gpu) and
    huge pages cannot be overcommitted, so for them any difference between request and limit
    is rejected.
    Fix: Lower the request or raise the limit (in this repo, Resources in apps/<app>.py or
    the env overlay); for extended resources, set both to the same value.
    """
    for who, resources, path, container in _sized(manifest):
        requests, limits = _section(resources, "requests"), _section(resources, "limits")
        for name in sorted(set(requests) & set(limits), key=str):
            try:
                request, limit = parse_quantity(requests[name]), parse_quantity(limits[name])
            except (ValueError, TypeError):
                continue  # RS007 reports it
            if not (request.is_finite() and limit.is_finite()):
                continue  # RS007 reports it
            said = f"{who} requests {name} {requests[name]}"
            if name in OVERCOMMITTABLE and request > limit:
                message = f"{said}, more than its limit {limits[name]}"
            elif name not in OVERCOMMITTABLE and request != limit:
                message = f"{said} but limits it to {limits[name]}; {name} cannot be overcommitted"
            else:
                continue
            yield Violation(
                message=message,
                path=(*path, "requests", name),
                container=container,
            )


@rule(
    "RS006",
    "missing-ephemeral-storage",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=WORKLOAD_KINDS,
    enabled=False,
)
def missing_ephemeral_storage(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A container has no ephemeral-storage limit (or request).

    Why: Logs, emptyDir volumes and writes to the container's filesystem use the node's disk.
    Without a request the scheduler ignores disk; without a limit one container can fill
    the disk, and the kubelet then evicts pods under disk pressure, not necessarily the one
    that filled it. Off in the recommended preset (on in strict): many clusters bound disk
    per emptyDir (sizeLimit) and by log rotation, and the construct library leaves it unset.
    Fix: Set resources.requests and resources.limits for ephemeral-storage (in this repo,
    ephemeral_storage_request and ephemeral_storage_limit of Resources in apps/<app>.py).
    """
    no_limit = {ref.path for ref in _missing(manifest, "limits", "ephemeral-storage")}
    for ref in _missing(manifest, "requests", "ephemeral-storage"):
        if ref.path in no_limit:
            continue  # reported below, with the limit
        limit = _section(ref.container.get("resources"), "limits").get("ephemeral-storage")
        yield Violation(
            message=f'container "{ref.name}" has no ephemeral-storage request; Kubernetes '
            f"copies its limit ({limit}) into the request, reserving all of it on the node",
            path=(*ref.path, "resources", "requests"),
            container=ref.name,
        )
    no_request = {ref.path for ref in _missing(manifest, "requests", "ephemeral-storage")}
    for ref in _missing(manifest, "limits", "ephemeral-storage"):
        what = "request or limit" if ref.path in no_request else "limit"
        yield Violation(
            message=f'container "{ref.name}" has no ephemeral-storage {what}',
            path=(*ref.path, "resources", "limits"),
            container=ref.name,
        )


@rule(
    "RS007",
    "invalid-resource-quantity",
    family=FAMILY,
    severity=Severity.ERROR,
    kinds=WORKLOAD_KINDS,
)
def invalid_resource_quantity(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A resource request or limit is not a valid Kubernetes quantity.

    Why: The API server rejects a malformed quantity (512MB, 1.5 cores) or a negative one,
    so no pod is created; the JSON schema only says "string or number" and lets them through.
    Memory written with the milli suffix (512m, meaning 0.512 bytes) is accepted and then
    stops the container from starting.
    Fix: Write quantities as Kubernetes does: cpu as 500m or 2, memory and storage as 512Mi
    or 1Gi (binary) or 512M (decimal).
    """
    for who, resources, path, container in _sized(manifest):
        for section in ("requests", "limits"):
            for name, value in sorted(
                _section(resources, section).items(), key=lambda kv: str(kv[0])
            ):
                problem = quantity_problem(str(name), value)
                if problem:
                    yield Violation(
                        message=f"{who} {section}.{name} {problem}",
                        path=(*path, section, name),
                        container=container,
                    )


RULES = (
    missing_cpu_request,
    missing_memory_request,
    missing_memory_limit,
    cpu_limit_against_policy,
    request_exceeds_limit,
    missing_ephemeral_storage,
    invalid_resource_quantity,
)
