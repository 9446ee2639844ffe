"""Workloads: ``WebService`` (Deployment or canary Rollout behind a Service) and ``Worker``.

A workload construct emits everything the workload needs to run safely: its ServiceAccount
and RBAC, ConfigMap, NetworkPolicy, PodDisruptionBudget, HorizontalPodAutoscaler, Ingress and
alerts. Its defaults pass the gitops linter with no findings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from constructs import Construct

from gitops.constructs.alerts import Alerts
from gitops.constructs.autoscaling import Autoscaling, horizontal_pod_autoscaler
from gitops.constructs.disruption import Disruption
from gitops.constructs.ingress import Ingress, ingress_manifest
from gitops.constructs.meta import metadata
from gitops.constructs.monitors import SCRAPE_LABEL, pod_monitor, service_monitor
from gitops.constructs.network import Peer
from gitops.constructs.pod import Probe
from gitops.constructs.pod_workload import PodProps, PodWorkload
from gitops.constructs.rollout import Canary, canary_strategy, first_set_weight
from gitops.constructs.slo import SLO
from gitops.constructs.slo_canary import analysis_template, background_analysis
from gitops.constructs.slo_dashboard import dashboard_config_map
from gitops.constructs.slo_rules import RuleContext, slo_prometheus_rule

HTTP_PORT_NAME = "http"
METRICS_PORT_NAME = "metrics"


def _default_readiness() -> Probe:
    return Probe.http("/readyz", period_seconds=5)


def _default_liveness() -> Probe:
    return Probe.http("/livez", initial_delay_seconds=10, period_seconds=10)


@dataclass(frozen=True, kw_only=True)
class WorkloadProps(PodProps):
    """What WebService and Worker add to every pod workload's ``PodProps``: replicas and
    autoscaling, the rolling update, the PDB and SLOs; ``WebServiceProps`` and ``WorkerProps``
    add the rest."""

    replicas: int = 2
    """Replicas when not autoscaling; 2 or more survives a node drain. Default: ``2``."""
    autoscaling: Autoscaling | None = None
    """Autoscaling bounds and metrics; replaces ``replicas``. Default: none."""
    disruption: Disruption = field(default_factory=Disruption)
    """PodDisruptionBudget, emitted when the workload runs 2+ replicas and the environment has
    ``features.pdb``. Default: ``Disruption()`` (one pod at a time)."""
    max_surge: int | str = 1
    """Extra pods during a rolling update. Default: ``1``."""
    max_unavailable: int | str = 0
    """Pods that may be unavailable during a rolling update. Default: ``0`` (no capacity dip)."""
    revision_history_limit: int = 5
    """Old ReplicaSets kept for rollback. Default: ``5``."""
    slos: tuple[SLO, ...] = ()
    """Service level objectives: each renders recording rules, burn-rate alerts and a
    dashboard panel row, and judges canary rollouts. Default: none."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.replicas < 0:
            raise ValueError("replicas must be >= 0")
        names = [slo.name for slo in self.slos]
        if len(names) != len(set(names)):
            raise ValueError(f"SLO names {names} must be unique within a workload")


@dataclass(frozen=True, kw_only=True)
class WebServiceProps(WorkloadProps):
    """An HTTP service: pods behind a Service, optionally public through an Ingress."""

    port: int = 8080
    """Container port serving HTTP, named ``http``. Default: ``8080``."""
    service_port: int = 80
    """Port of the Service in front of the pods. Default: ``80``."""
    readiness: Probe = field(default_factory=_default_readiness)
    """When a pod receives traffic. Default: GET ``/readyz`` on ``http`` every 5 s."""
    liveness: Probe = field(default_factory=_default_liveness)
    """When a pod is restarted. Default: GET ``/livez`` on ``http`` every 10 s after 10 s."""
    startup: Probe | None = None
    """Holds liveness off during slow starts. Default: none."""
    ingress: Ingress | None = None
    """Public HTTPS entry. Default: none."""
    canary: Canary | None = None
    """Deliver through an Argo Rollouts canary instead of a rolling update. Default: none."""
    alerts: Alerts | None = field(default_factory=Alerts)
    """Alert rules; ``None`` for none. Default: ``Alerts()``."""


@dataclass(frozen=True, kw_only=True)
class WorkerProps(WorkloadProps):
    """A background worker: pods with no Service."""

    liveness: Probe
    """When a pod is restarted (required: nothing else notices a stuck worker)."""
    readiness: Probe | None = None
    """Readiness probe; a worker gets no traffic, so none is needed. Default: none."""
    startup: Probe | None = None
    """Holds liveness off during slow starts. Default: none."""
    alerts: Alerts | None = field(
        default_factory=lambda: Alerts(error_ratio=None, p99_latency_seconds=None)
    )
    """Alert rules. Default: crash looping and memory near limit."""


class _Workload(PodWorkload):
    monitored = True

    def _replicated(self, props: WorkloadProps) -> bool:
        low = props.autoscaling.min_replicas if props.autoscaling else props.replicas
        return low >= 2

    def _template(
        self,
        props: WorkloadProps,
        ports: Mapping[str, int],
        readiness: Probe | None,
        liveness: Probe | None,
        startup: Probe | None,
    ) -> dict[str, Any]:
        return self._pod_template(
            props, ports, readiness, liveness, startup, spread=self._replicated(props)
        )

    def _workload(
        self, props: WorkloadProps, template: dict[str, Any], strategy: dict[str, Any]
    ) -> None:
        spec: dict[str, Any] = {
            "selector": {"matchLabels": dict(self.target.selector)},
            "revisionHistoryLimit": props.revision_history_limit,
            "template": template,
            "strategy": strategy,
        }
        if props.autoscaling is None:
            # Under an HPA a static count would fight the autoscaler on every sync.
            spec["replicas"] = props.replicas
        self._object(props, spec)

    def _companions(self, props: WorkloadProps, ingress_from: tuple[Peer, ...]) -> None:
        if props.autoscaling:
            self.emit(horizontal_pod_autoscaler(self.target, props.autoscaling))
        self._disruption_budget(props.disruption, self._replicated(props))
        self._network_policy(props, ingress_from)

    def _observability(
        self, props: WorkloadProps, alerts: Alerts | None, monitor: dict[str, Any] | None
    ) -> None:
        """Monitor, alerts, SLO rules and the SLO dashboard, labelled for the env's Prometheus."""
        if monitor is not None:
            self.emit(monitor)
        self._alerts(alerts, props.slos)
        monitoring = self.env.monitoring
        context = RuleContext(self.target, monitoring.labels, monitoring.runbook_base)
        for slo in props.slos:
            self.emit(slo_prometheus_rule(slo, context))
        if props.slos:
            self.emit(dashboard_config_map(self.target, props.slos))

    def _rolling_update(self, props: WorkloadProps) -> dict[str, Any]:
        return {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxSurge": props.max_surge, "maxUnavailable": props.max_unavailable},
        }

    def _ports(self, props: WorkloadProps, ports: dict[str, int]) -> dict[str, int]:
        if props.metrics and props.metrics.port not in ports.values():
            ports[METRICS_PORT_NAME] = props.metrics.port
        return ports


class WebService(_Workload):
    """An HTTP service: Deployment (or canary Rollout), Service, and everything around them."""

    def __init__(self, scope: Construct, id: str, props: WebServiceProps) -> None:
        super().__init__(scope, id)
        self.props = props
        if props.canary:
            self._setup(props, "Rollout", "argoproj.io/v1alpha1")
        else:
            self._setup(props, "Deployment", "apps/v1")
        ports = self._ports(props, {HTTP_PORT_NAME: props.port})
        template = self._template(props, ports, props.readiness, props.liveness, props.startup)
        self.service_name = self.name
        self.emit(self._service(self.name, ports if props.metrics else None))
        backend = self.name
        if props.canary:
            canary, stable = f"{self.name}-canary", f"{self.name}-stable"
            self.emit(self._service(canary))
            self.emit(self._service(stable))
            backend = stable
            template_body = analysis_template(
                self.target, props.slos, self.env.monitoring.prometheus_url
            )
            analysis = None
            if template_body is not None:
                self.emit(template_body)
                analysis = background_analysis(self.target, first_set_weight(props.canary))
            strategy = canary_strategy(
                props.canary, canary, stable, self.name if props.ingress else None, analysis
            )
        else:
            strategy = self._rolling_update(props)
        self._workload(props, template, strategy)
        ingress_from: tuple[Peer, ...] = ()
        if props.ingress:
            self.emit(ingress_manifest(self.target, props.ingress, backend, HTTP_PORT_NAME))
            ingress_from = (props.ingress.controller_peer(HTTP_PORT_NAME),)
        self._companions(props, ingress_from)
        monitor = None
        if props.metrics:
            port = _port_name(ports, props.metrics.port)
            monitor = service_monitor(self.target, props.metrics, port, self.env.monitoring.labels)
        self._observability(props, props.alerts, monitor)

    def _service(self, name: str, scraped: Mapping[str, int] | None = None) -> dict[str, Any]:
        """A Service; ``scraped`` (the pod's ports) makes it the one the ServiceMonitor
        selects, with the metrics port when that is not the HTTP port."""
        service_ports = [
            {
                "name": HTTP_PORT_NAME,
                "port": self.props.service_port,
                "targetPort": HTTP_PORT_NAME,
                "protocol": "TCP",
            }
        ]
        labels = dict(self.labels)
        if scraped is not None and self.props.metrics is not None:
            labels[SCRAPE_LABEL] = "true"
            port = _port_name(scraped, self.props.metrics.port)
            if port != HTTP_PORT_NAME:
                service_ports.append(
                    {
                        "name": port,
                        "port": self.props.metrics.port,
                        "targetPort": port,
                        "protocol": "TCP",
                    }
                )
        return {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": metadata(name, self.namespace, labels),
            "spec": {
                "type": "ClusterIP",
                "selector": dict(self.target.selector),
                "ports": service_ports,
            },
        }


class Worker(_Workload):
    """A background worker: a Deployment with no Service, restarted when its liveness fails."""

    def __init__(self, scope: Construct, id: str, props: WorkerProps) -> None:
        super().__init__(scope, id)
        self.props = props
        self._setup(props, "Deployment", "apps/v1")
        ports = self._ports(props, {})
        template = self._template(props, ports, props.readiness, props.liveness, props.startup)
        self._workload(props, template, self._rolling_update(props))
        self._companions(props, ())
        monitor = None
        if props.metrics:
            port = _port_name(ports, props.metrics.port)
            monitor = pod_monitor(self.target, props.metrics, port, self.env.monitoring.labels)
        self._observability(props, props.alerts, monitor)


def _port_name(ports: Mapping[str, int], number: int) -> str:
    """The name of the pod port ``number`` (``_ports`` always declares the metrics port)."""
    return next(name for name, port in ports.items() if port == number)
