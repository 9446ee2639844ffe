"""PC: policy coverage: Services, Ingresses and ServiceMonitors that reach real pods.

A Service without a selector has endpoints managed by hand (kube-linter#746) and an
ExternalName Service points outside the cluster: neither selects pods, and neither is
reported. Argo Rollouts' canary and stable Services select the Rollout's pods like any other.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from gitops.findings import Severity
from gitops.k8s.graph import ObjectGraph, SelectorError, map_selector, selector_text
from gitops.k8s.manifests import Manifest
from gitops.k8s.pods import containers, get
from gitops.rules.registry import Violation, rule

FAMILY = "policy-coverage"
MONITORING_GROUP = "monitoring.coreos.com"


def _pod_selecting(service: Manifest) -> bool:
    """Is this a core Service that selects pods by label?"""
    spec = service.body.get("spec")
    return (
        service.group == ""
        and isinstance(spec, dict)
        and spec.get("type") != "ExternalName"
        and isinstance(spec.get("selector"), dict)
        and bool(spec["selector"])
    )


@rule(
    "PC008", "service-selects-nothing", family=FAMILY, severity=Severity.WARNING, kinds=["Service"]
)
def service_selects_nothing(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A Service's selector matches no workload in its namespace.

    Why: The Service has no endpoints: every connection to it is refused, and Ingresses in
    front of it answer 503. Usually a label typo or a selector left over from a rename.
    Services without a selector (manual Endpoints) and ExternalName Services are not
    reported.
    Fix: Make spec.selector match the pod template labels of the workload.
    """
    if not _pod_selecting(manifest):
        return
    selector = map_selector(manifest.body["spec"]["selector"])
    try:
        if graph.selection(manifest):
            return
        problem = f'matches no workload in namespace "{manifest.namespace}"'
    except SelectorError as error:
        problem = f"is invalid: {error}"
    yield Violation(
        message=f"selector {selector_text(selector)} {problem}", path=("spec", "selector")
    )


BETA_INGRESS_VERSIONS = ("extensions/v1beta1", "networking.k8s.io/v1beta1")
"""apiVersions whose backends name the Service with serviceName and servicePort."""


@dataclass(frozen=True)
class _Backend:
    service: str
    port: Any
    path: tuple[str | int, ...]
    legacy: bool = False
    """Written with serviceName in an apiVersion that has no such field."""


def _backends(ingress: Manifest) -> list[_Backend]:
    """Service backends of an Ingress (networking.k8s.io/v1 or the v1beta1 shape)."""
    spec = ingress.body.get("spec")
    if not isinstance(spec, dict):
        return []
    found: list[tuple[Any, tuple[str | int, ...]]] = [
        (spec.get(field), ("spec", field)) for field in ("defaultBackend", "backend")
    ]
    rules = spec.get("rules")
    for i in range(len(rules) if isinstance(rules, list) else 0):
        paths = get(ingress, ("spec", "rules", i, "http", "paths"))
        for j, item in enumerate(paths if isinstance(paths, list) else []):
            if isinstance(item, dict):
                found.append((item.get("backend"), ("spec", "rules", i, "http", "paths", j)))
    backends: list[_Backend] = []
    for backend, path in found:
        if not isinstance(backend, dict):
            continue
        service = backend.get("service")
        if isinstance(service, dict) and service.get("name"):
            port = service.get("port")
            port = port.get("number", port.get("name")) if isinstance(port, dict) else None
            backends.append(_Backend(str(service["name"]), port, (*path, "backend", "service")))
        elif backend.get("serviceName") and not isinstance(backend.get("resource"), dict):
            legacy = ingress.api_version not in BETA_INGRESS_VERSIONS
            name, port = str(backend["serviceName"]), backend.get("servicePort")
            backends.append(_Backend(name, port, (*path, "backend", "serviceName"), legacy))
    return backends


@rule(
    "PC009", "ingress-backend-missing", family=FAMILY, severity=Severity.WARNING, kinds=["Ingress"]
)
def ingress_backend_missing(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """An Ingress routes to a Service that does not exist, or to a port it does not have.

    Why: The ingress controller answers 503 (or 404) for that host and path, and nothing in
    the sync says so. The default backend is checked like every rule's backend; resource
    backends are not Services and are skipped. A networking.k8s.io/v1 backend written with
    the v1beta1 fields serviceName and servicePort names no Service at all (the API server
    rejects it; kube-score ingress_issue363).
    Fix: Point the backend at an existing Service of the Ingress's namespace, and use one of
    that Service's port numbers or port names.
    """
    for backend in _backends(manifest):
        if backend.legacy:
            yield Violation(
                message=f'backend names Service "{backend.service}" with serviceName, a '
                f"v1beta1 field that {manifest.api_version} does not have, so it routes nowhere",
                path=backend.path,
                fix="Write the backend as service: {name: ..., port: {number: ...}} (or port "
                "name), the networking.k8s.io/v1 shape.",
            )
            continue
        service = graph.get("Service", backend.service, manifest.namespace)
        if service is None or service.group != "":
            yield Violation(
                message=f'backend Service "{backend.service}" is not defined in namespace '
                f'"{manifest.namespace}"',
                path=backend.path,
            )
            continue
        ports = get(service, ("spec", "ports"))
        ports = [p for p in ports if isinstance(p, dict)] if isinstance(ports, list) else []
        if backend.port is None or (not ports and get(service, ("spec", "type")) == "ExternalName"):
            continue
        key = "name" if isinstance(backend.port, str) else "port"
        if not any(p.get(key) == backend.port for p in ports):
            offered = ", ".join(str(p.get("name") or p.get("port")) for p in ports) or "none"
            yield Violation(
                message=f'backend Service "{backend.service}" has no port {backend.port!r} '
                f"(its ports: {offered})",
                path=backend.path,
            )


@rule(
    "PC010",
    "service-monitor-selects-nothing",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=["ServiceMonitor"],
)
def service_monitor_selects_nothing(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A ServiceMonitor's selector and namespaceSelector match no Service.

    Why: Prometheus scrapes nothing for it, so dashboards go blank and alerts built on
    those metrics never fire. namespaceSelector follows the Prometheus Operator: any: true
    is every namespace, matchNames lists them, and without either only the ServiceMonitor's
    own namespace is searched (kube-linter#1256). An empty selector matches every Service.
    Fix: Make spec.selector match the labels of the Service (not of the pods), and
    namespaceSelector name the Service's namespace when it differs.
    """
    spec = manifest.body.get("spec")
    if manifest.group != MONITORING_GROUP or not isinstance(spec, dict):
        return
    selector = spec.get("selector")
    selector = selector if isinstance(selector, dict) else {}
    scope = spec.get("namespaceSelector")
    scope = scope if isinstance(scope, dict) else {}
    namespaces: list[str] | None = [manifest.namespace or "default"]
    if scope.get("any") is True:
        namespaces = None
    elif isinstance(scope.get("matchNames"), list) and scope["matchNames"]:
        namespaces = [str(n) for n in scope["matchNames"]]
    where = (
        "any namespace"
        if namespaces is None
        else "namespace " + ", ".join(f'"{n}"' for n in namespaces)
    )
    try:
        found = [
            s for s in graph.objects_selected_by("Service", namespaces, selector) if s.group == ""
        ]
        if found:
            return
        problem = f"matches no Service in {where}"
    except SelectorError as error:
        problem = f"is invalid: {error}"
    yield Violation(
        message=f"selector {selector_text(selector)} {problem}", path=("spec", "selector")
    )


@rule(
    "PC014",
    "service-target-port-not-in-container",
    family=FAMILY,
    severity=Severity.ERROR,
    kinds=["Service"],
)
def service_target_port_not_in_container(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A Service's named targetPort is not a port name of any container it selects.

    Why: Kubernetes resolves a named targetPort in each pod; when no container declares the
    name, the Service has no endpoints for that port and every connection fails, although
    the selector matches. A numeric targetPort is not reported: containerPort is
    informational, and traffic reaches a process listening on an undeclared port.
    Fix: Name the container port (ports[].name) as the Service's targetPort, or use the
    port number.
    """
    if not _pod_selecting(manifest):
        return
    try:
        selected = graph.selection(manifest)
    except SelectorError:
        return
    if not selected:
        return  # service-selects-nothing reports it
    names = _selected_port_names(selected, graph)
    ports = get(manifest, ("spec", "ports"))
    for i, port in enumerate(ports if isinstance(ports, list) else []):
        target = port.get("targetPort") if isinstance(port, dict) else None
        if isinstance(target, str) and target not in names:
            owners = ", ".join(f'{w.kind} "{w.name}"' for w in selected)
            yield Violation(
                message=f'targetPort "{target}" is not a container port name in {owners}',
                path=("spec", "ports", i, "targetPort"),
            )


def _selected_port_names(selected: Sequence[Manifest], graph: ObjectGraph) -> frozenset[str]:
    """Container port names of the selected workloads; worked out once per selection
    (Services with one selector share the graph's list of what it selects)."""
    return graph.per_selection(
        "coverage_services.port_names",
        selected,
        lambda workloads: frozenset(name for w in workloads for name in _port_names(w)),
    )


def _port_names(workload: Manifest) -> set[str]:
    """Container port names of a workload; init containers count only as native sidecars
    (restartPolicy: Always), which keep running and serve."""
    names: set[str] = set()
    for ref in containers(workload):
        if ref.init and ref.container.get("restartPolicy") != "Always":
            continue
        ports = ref.container.get("ports")
        for port in ports if isinstance(ports, list) else []:
            if isinstance(port, dict) and isinstance(port.get("name"), str):
                names.add(port["name"])
    return names


RULES = (
    service_selects_nothing,
    ingress_backend_missing,
    service_monitor_selects_nothing,
    service_target_port_not_in_container,
)
