"""PR: probes, the kubelet's only view of whether a container can serve and is alive.

A readiness probe decides whether a pod gets Service traffic, a liveness probe whether the
kubelet restarts the container. Missing or broken probes drop requests on every rollout;
careless liveness probes turn a slow dependency into a restart storm.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gitops.findings import Severity
from gitops.k8s.fields import canonical_json
from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import Manifest
from gitops.k8s.pods import (
    RUN_TO_COMPLETION_KINDS,
    WORKLOAD_KINDS,
    ContainerRef,
    containers,
    pod_template,
)
from gitops.rules.registry import Violation, rule

FAMILY = "probes"
PROBES = ("readinessProbe", "livenessProbe", "startupProbe")
HANDLERS = ("httpGet", "tcpSocket", "grpc", "exec")
LONG_RUNNING_KINDS = WORKLOAD_KINDS - RUN_TO_COMPLETION_KINDS
_TIMING_DEFAULTS = {
    "initialDelaySeconds": 0,
    "periodSeconds": 10,
    "timeoutSeconds": 1,
    "failureThreshold": 3,
    "successThreshold": 1,
}


def _quoted(noun: str, names: Sequence[str]) -> str:
    """``Service "a"`` or ``Services "a", "b"``."""
    listed = ", ".join(f'"{n}"' for n in names)
    return f"{noun} {listed}" if len(names) == 1 else f"{noun}s {listed}"


def _runs_to_completion(manifest: Manifest) -> bool:
    """A bare Pod that is never restarted is a one-off task, like a Job."""
    template = pod_template(manifest)
    return (
        manifest.kind == "Pod"
        and template is not None
        and template.spec.get("restartPolicy") in ("Never", "OnFailure")
    )


def _declared_ports(ref: ContainerRef) -> list[Mapping[str, Any]]:
    ports = ref.container.get("ports")
    return [p for p in ports if isinstance(p, dict)] if isinstance(ports, list) else []


def _serving_containers(
    main: list[ContainerRef], services: Sequence[Manifest]
) -> tuple[dict[int, list[str]], list[str]]:
    """Container index -> Services routing to it, and the Services whose port matches no
    container (a numeric targetPort that no container declares, or no ports at all)."""
    serving: dict[int, list[str]] = {}
    listed: set[tuple[int, str]] = set()
    unmatched: list[str] = []
    unlisted: set[str] = set()
    declared = [_declared_ports(ref) for ref in main]
    for service in services:
        spec = service.body.get("spec")
        ports = spec.get("ports") if isinstance(spec, dict) else None
        name = service.name
        matched = False
        for port in ports if isinstance(ports, list) else []:
            if not isinstance(port, dict):
                continue
            target = port.get("targetPort", port.get("port"))
            key = "name" if isinstance(target, str) else "containerPort"
            for index, container_ports in enumerate(declared):
                if any(p.get(key) == target for p in container_ports):
                    matched = True
                    if (index, name) not in listed:
                        listed.add((index, name))
                        serving.setdefault(index, []).append(name)
        if not matched and name not in unlisted:
            unlisted.add(name)
            unmatched.append(name)
    return serving, unmatched


def _serving(
    manifest: Manifest, graph: ObjectGraph, main: list[ContainerRef], services: Sequence[Manifest]
) -> tuple[dict[int, list[str]], list[str]]:
    """``_serving_containers`` of the Services selecting the workload (``services``), worked
    out once per pod class (which decides those Services) and the containers' declared port
    names and numbers (all it reads of the containers)."""
    pod_class = graph.pod_class(manifest)
    signature = tuple(
        tuple((p.get("name"), p.get("containerPort")) for p in _declared_ports(ref)) for ref in main
    )
    key = (pod_class, signature)
    try:
        hash(key)
    except TypeError:  # a malformed port name or number that is a mapping or a list
        return _serving_containers(main, services)
    known: dict[Any, tuple[dict[int, list[str]], list[str]]]
    known = graph.cached("probes.serving", lambda g: {})
    found = known.get(key)
    if found is None:
        found = known[key] = _serving_containers(main, services)
    return found


@dataclass(frozen=True)
class ReadinessOptions:
    services_only: bool = True
    """Ask a readiness probe only of containers a Service in the input sends traffic to. Set
    false to ask it of every long-running container (kube-linter, Polaris, Checkov and
    Kubescape semantics), e.g. when Services live in files that are not linted. Default: True."""


@rule(
    "PR001",
    "missing-readiness-probe",
    family=FAMILY,
    severity=Severity.ERROR,
    kinds=LONG_RUNNING_KINDS,
    options=ReadinessOptions(),
)
def missing_readiness_probe(
    manifest: Manifest, graph: ObjectGraph, options: ReadinessOptions
) -> Iterator[Violation]:
    """A container that a Service sends traffic to has no readiness probe.

    Why: Without one the container counts as ready the moment it starts: every rollout and
    restart routes requests to a process that is not listening yet, and a hung pod keeps
    getting traffic. An error because this drops requests on every deploy. Workloads that no
    Service selects are skipped (as kube-score does: a queue worker has no traffic to gate),
    and so are Jobs, CronJobs, run-once Pods and init containers. In a pod with several
    containers the rule asks it of the containers that declare a Service's targetPort; when
    no container declares it, one readiness probe anywhere in the pod is enough.
    With services_only false every long-running container needs one, Service or not.
    Fix: Add a readinessProbe that fails while the container cannot serve (in this repo, the
    readiness prop of the workload construct in apps/<app>.py).
    """
    if _runs_to_completion(manifest):
        return
    services = graph.selected_by(manifest, "Service")
    if not services and options.services_only:
        return
    main = containers(manifest, init=False)
    with_readiness = sum(1 for ref in main if "readinessProbe" in ref.container)
    if with_readiness == len(main):
        return  # nothing to report, whichever Services route where
    serving, unmatched = _serving(manifest, graph, main, services) if services else ({}, [])
    any_readiness = with_readiness > 0
    for index, ref in enumerate(main):
        if "readinessProbe" in ref.container:
            continue
        routed = serving.get(index) or (unmatched if not any_readiness else [])
        if routed:
            yield Violation(
                message=f'container "{ref.name}" has no readinessProbe, yet '
                f"{_quoted('Service', routed)} {'sends' if len(routed) == 1 else 'send'} "
                "it traffic",
                path=ref.path,
                container=ref.name,
            )
        elif not services:
            yield Violation(
                message=f'container "{ref.name}" has no readinessProbe',
                path=ref.path,
                container=ref.name,
            )


@rule(
    "PR002",
    "missing-liveness-probe",
    family=FAMILY,
    severity=Severity.INFO,
    strict_severity=Severity.WARNING,
    kinds=LONG_RUNNING_KINDS,
)
def missing_liveness_probe(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A long-running container has no liveness probe.

    Why: A process that deadlocks without exiting is never restarted. That holds for queue
    workers as much as for servers, so unlike PR001 this applies to every long-running
    workload, whether a Service selects it or not. It is advice (info; warning in strict)
    because a wrong liveness probe is worse than none: one that checks dependencies or
    times out under load restarts healthy pods in a cascade (kube-score#248), and a process
    that exits on fatal errors is already restarted by its restart policy.
    Fix: Add a livenessProbe on a cheap check of the process itself (not its dependencies)
    that gives up later than the readiness probe; or suppress this rule with a reason when
    the process exits on failure.
    """
    if _runs_to_completion(manifest):
        return
    for ref in containers(manifest, init=False):
        if "livenessProbe" not in ref.container:
            yield Violation(
                message=f'container "{ref.name}" has no livenessProbe',
                path=ref.path,
                container=ref.name,
            )


@dataclass(frozen=True)
class ProbePortOptions:
    numeric_ports_must_be_declared: bool = False
    """Also report a numeric probe port that no ``ports[].containerPort`` lists (kube-linter's
    liveness-port, readiness-port and startup-port semantics). Default: False."""


def _probe_ports(ref: ContainerRef) -> Iterator[tuple[str, str, Any]]:
    """(probe field, handler, port) for every probe of the container that names a port."""
    for probe_key in PROBES:
        probe = ref.container.get(probe_key)
        if not isinstance(probe, dict):
            continue
        for handler in ("httpGet", "tcpSocket", "grpc"):
            action = probe.get(handler)
            if isinstance(action, dict) and action.get("port") is not None:
                yield probe_key, handler, action["port"]


@rule(
    "PR003",
    "probe-port-not-declared",
    family=FAMILY,
    severity=Severity.ERROR,
    kinds=WORKLOAD_KINDS,
    options=ProbePortOptions(),
)
def probe_port_not_declared(
    manifest: Manifest, graph: ObjectGraph, options: ProbePortOptions
) -> Iterator[Violation]:
    """A probe names a port that the container does not declare.

    Why: A named probe port resolves only through the container's own ports[].name. When no
    name matches, the probe fails every time: a readiness probe never passes (the pod never
    gets traffic and the rollout stalls), a liveness or startup probe restarts the container
    forever. Like the kubelet, a name matches whatever the port's protocol. A numeric port
    works whether declared or not (containerPort is informational), so by default it is not
    reported; kube-linter reports it, which misfires on health ports set through flags
    (kube-linter#1086). Set numeric_ports_must_be_declared to get kube-linter's semantics.
    Fix: Use a port name that the container's ports list declares, or declare the port.
    """
    for ref in containers(manifest):
        declared = _declared_ports(ref)
        names = [str(p["name"]) for p in declared if p.get("name")]
        numbers = [p["containerPort"] for p in declared if p.get("containerPort") is not None]
        for probe_key, handler, port in _probe_ports(ref):
            where = f'container "{ref.name}" {probe_key} {handler}'
            path = (*ref.path, probe_key, handler, "port")
            listed = ", ".join(names) or "none"
            if isinstance(port, str) and port.isdigit():
                message = (
                    f'{where} port "{port}" is a string, which Kubernetes reads as a port name '
                    f"and rejects (a name needs a letter); write {port} without quotes"
                )
            elif isinstance(port, str) and port not in names:
                message = f'{where} port "{port}" matches no ports[].name (declared: {listed})'
            elif (
                isinstance(port, int)
                and options.numeric_ports_must_be_declared
                and port not in numbers
            ):
                ports = ", ".join(str(n) for n in numbers) or "none"
                message = f"{where} port {port} is not a declared containerPort (declared: {ports})"
            else:
                continue
            yield Violation(message=message, path=path, container=ref.name)


def _port_number(port: Any, ref: ContainerRef) -> Any:
    for declared in _declared_ports(ref):
        if isinstance(port, str) and declared.get("name") == port:
            return declared.get("containerPort", port)
    return port


def _canonical_probe(probe: Mapping[str, Any], ref: ContainerRef) -> tuple[str, str] | None:
    """(what the probe does, canonical JSON of handler and timing with API defaults)."""
    handler = next((h for h in HANDLERS if isinstance(probe.get(h), dict)), None)
    if handler is None:
        return None
    action = dict(probe[handler])
    if "port" in action:
        action["port"] = _port_number(action["port"], ref)
    if handler == "httpGet":
        action.setdefault("path", "/")
        action["scheme"] = str(action.get("scheme") or "HTTP").upper()
    timing = {key: probe.get(key, default) for key, default in _TIMING_DEFAULTS.items()}
    command = action.get("command")
    words = command if isinstance(command, list) else [command] if command else []
    check = [handler, str(action.get("path") or " ".join(map(str, words)))]
    if "port" in action:
        check.append(f"port {action['port']}")
    summary = (
        f"{' '.join(c for c in check if c)}, period {timing['periodSeconds']}s, "
        f"failureThreshold {timing['failureThreshold']}"
    )
    return summary, canonical_json({handler: action, **timing})


@rule(
    "PR004",
    "liveness-identical-to-readiness",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=WORKLOAD_KINDS,
)
def liveness_identical_to_readiness(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A container's liveness probe is identical to its readiness probe.

    Why: Identical probes fail at the same moment, so when a dependency slows down the kubelet
    restarts every replica instead of only taking them out of rotation until it recovers.
    Identical means the same check and the same timing, with API defaults filled in and
    named ports resolved. The same check with slower liveness timing is not reported: the
    pod leaves rotation first and is restarted only if it stays unhealthy, a common and
    deliberate pattern (kube-score also compares whole probes).
    Fix: Make the liveness probe check only the process itself (not its dependencies), or
    at least give it a longer period or failure threshold than the readiness probe.
    """
    for ref in containers(manifest):
        readiness = ref.container.get("readinessProbe")
        liveness = ref.container.get("livenessProbe")
        if not isinstance(readiness, dict) or not isinstance(liveness, dict):
            continue
        ready, live = _canonical_probe(readiness, ref), _canonical_probe(liveness, ref)
        if ready is not None and ready == live:
            yield Violation(
                message=f'container "{ref.name}" livenessProbe is identical to its '
                f"readinessProbe ({ready[0]})",
                path=(*ref.path, "livenessProbe"),
                container=ref.name,
            )


RULES = (
    missing_readiness_probe,
    missing_liveness_probe,
    probe_port_not_declared,
    liveness_identical_to_readiness,
)
