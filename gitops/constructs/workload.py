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

from gitops.constructs.alerts import Alerts, prometheus_rule
from gitops.constructs.app import GitopsConstruct, Suppress, WorkloadRef
from gitops.constructs.autoscaling import Autoscaling, horizontal_pod_autoscaler
from gitops.constructs.disruption import Disruption, pod_disruption_budget
from gitops.constructs.ingress import Ingress, ingress_manifest
from gitops.constructs.meta import metadata, selector_labels, standard_labels
from gitops.constructs.monitors import SCRAPE_LABEL, pod_monitor, service_monitor
from gitops.constructs.network import NetworkAccess, Peer, merge_peers, network_policy
from gitops.constructs.pod import (
    CONFIG_HASH_ANNOTATION,
    Container,
    Metrics,
    Probe,
    Resources,
    SecretEnv,
    config_hash,
    render_container,
    render_pod_spec,
)
from gitops.constructs.rbac import Rbac, rbac_manifests
from gitops.constructs.rollout import Canary, canary_strategy, first_set_weight
from gitops.constructs.slo import SLO
from gitops.constructs.slo_canary import analysis_template, background_analysis
from gitops.constructs.slo_dashboard import dashboard_config_map
from gitops.constructs.slo_rules import RuleContext, with_slos
from gitops.k8s.image_ref import pinning_problem

HTTP_PORT_NAME = "http"
METRICS_PORT_NAME = "metrics"


def _default_readiness() -> Probe:
    return Probe.http("/readyz", period_seconds=5)


def _default_liveness() -> Probe:
    return Probe.http("/livez", initial_delay_seconds=10, period_seconds=10)


@dataclass(frozen=True, kw_only=True)
class WorkloadProps:
    """What every workload has; ``WebServiceProps`` and ``WorkerProps`` add the rest."""

    image: str
    """Image reference pinned by tag or digest, usually ``env.image(app)``."""
    name: str | None = None
    """Workload name (object names, selector). Default: the app's name."""
    replicas: int = 2
    """Replicas when not autoscaling; 2 or more survives a node drain. Default: ``2``."""
    autoscaling: Autoscaling | None = None
    """Autoscaling bounds and metrics; replaces ``replicas``. Default: none."""
    resources: Resources = field(default_factory=Resources)
    """Requests and limits. Default: ``Resources()`` (100m/128Mi requests, 500m/256Mi limits)."""
    env: Mapping[str, str] = field(default_factory=dict)
    """Literal environment variables. Default: none."""
    config: Mapping[str, str] = field(default_factory=dict)
    """Config values: written to a ConfigMap ``<name>-config`` and read into env vars of the same
    names; a change rolls the pods. Default: none."""
    secret_env: tuple[SecretEnv, ...] = ()
    """Env vars read from externally managed Secrets (``secretKeyRef``). Default: none."""
    command: tuple[str, ...] = ()
    """Entrypoint override. Default: the image's."""
    args: tuple[str, ...] = ()
    """Arguments. Default: the image's."""
    metrics: Metrics | None = None
    """Prometheus scraping (pod annotations, NetworkPolicy access). Default: none."""
    network: NetworkAccess = field(default_factory=NetworkAccess)
    """Declared ingress sources and egress dependencies. Default: DNS only."""
    rbac: Rbac = field(default_factory=Rbac)
    """Kubernetes API access; the token is mounted only when access is declared. Default: none."""
    disruption: Disruption = field(default_factory=Disruption)
    """PodDisruptionBudget, emitted when the workload runs 2+ replicas and the environment has
    ``features.pdb``. Default: ``Disruption()`` (one pod at a time)."""
    max_surge: int | str = 1
    """Extra pods during a rolling update. Default: ``1``."""
    max_unavailable: int | str = 0
    """Pods that may be unavailable during a rolling update. Default: ``0`` (no capacity dip)."""
    run_as_user: int = 10001
    """Non-root UID (and GID, fsGroup) the pod runs as. Default: ``10001``."""
    writable_paths: tuple[str, ...] = ("/tmp",)
    """Paths backed by emptyDir, since the root filesystem is read-only. Default: ``("/tmp",)``."""
    termination_grace_period_seconds: int = 30
    """Seconds for a clean shutdown before SIGKILL. Default: ``30``."""
    revision_history_limit: int = 5
    """Old ReplicaSets kept for rollback. Default: ``5``."""
    suppress: Suppress | None = None
    """Lint rules to silence on this workload, with the reason. Default: none."""
    slos: tuple[SLO, ...] = ()
    """Service level objectives: each renders recording rules, burn-rate alerts and a
    dashboard panel row, and judges canary rollouts. Default: none."""

    def __post_init__(self) -> None:
        problem = pinning_problem(self.image)
        if problem:
            raise ValueError(f"image {self.image!r} {problem}; pin a release tag or a digest")
        if self.replicas < 0:
            raise ValueError("replicas must be >= 0")
        if self.run_as_user <= 0:
            raise ValueError("run_as_user must be a non-root UID (> 0)")
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


class _Workload(GitopsConstruct):
    def _setup(self, props: WorkloadProps, kind: str, api_version: str) -> None:
        self.name = props.name or self.chart.app_name
        self.target = WorkloadRef(
            api_version=api_version,
            kind=kind,
            name=self.name,
            namespace=self.namespace,
            app=self.chart.app_name,
            selector=selector_labels(self.name),
        )
        self.labels = standard_labels(self.name, self.chart.app_name)
        for body in rbac_manifests(self.target, props.rbac):
            self.emit(body)

    def _replicated(self, props: WorkloadProps) -> bool:
        low = props.autoscaling.min_replicas if props.autoscaling else props.replicas
        return low >= 2

    def _pod_template(
        self,
        props: WorkloadProps,
        ports: Mapping[str, int],
        readiness: Probe | None,
        liveness: Probe | None,
        startup: Probe | None,
    ) -> dict[str, Any]:
        annotations: dict[str, str] = {}
        config_map = None
        if props.config:
            config_map = f"{self.name}-config"
            self.emit(
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": metadata(config_map, self.namespace, self.labels),
                    "data": dict(sorted(props.config.items())),
                }
            )
            annotations[CONFIG_HASH_ANNOTATION] = config_hash(props.config)
        if props.metrics and props.metrics.annotations_too:
            annotations.update(props.metrics.annotations())
        container = render_container(
            self.name,
            Container(
                image=props.image,
                ports=ports,
                resources=props.resources,
                readiness=readiness,
                liveness=liveness,
                startup=startup,
                env=props.env,
                config_map=config_map,
                config_keys=tuple(sorted(props.config)),
                secret_env=props.secret_env,
                command=props.command,
                args=props.args,
                writable_paths=props.writable_paths,
            ),
        )
        spec = render_pod_spec(
            container,
            service_account=self.name,
            automount_token=props.rbac.needs_token,
            run_as_user=props.run_as_user,
            writable_paths=props.writable_paths,
            selector=self.target.selector,
            spread=self._replicated(props),
            termination_grace_period_seconds=props.termination_grace_period_seconds,
        )
        meta: dict[str, Any] = {"labels": {**self.labels, **self.target.selector}}
        if annotations:
            meta["annotations"] = annotations
        return {"metadata": meta, "spec": spec}

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
        annotations = props.suppress.annotations() if props.suppress else None
        self.emit(
            {
                "apiVersion": self.target.api_version,
                "kind": self.target.kind,
                "metadata": metadata(self.name, self.namespace, self.labels, annotations),
                "spec": spec,
            }
        )

    def _companions(self, props: WorkloadProps, ingress_from: tuple[Peer, ...]) -> None:
        if props.autoscaling:
            self.emit(horizontal_pod_autoscaler(self.target, props.autoscaling))
        if self._replicated(props) and self.env.features.pdb:
            self.emit(
                pod_disruption_budget(self.target, props.disruption, self.env.kubernetes_minor)
            )
        scraper: tuple[Peer, ...] = ()
        if props.metrics:
            scraper = (
                Peer(namespace=props.metrics.scraper_namespace, ports=(props.metrics.port,)),
            )
        access = NetworkAccess(
            ingress_from=merge_peers(props.network.ingress_from, ingress_from, scraper),
            egress_to=props.network.egress_to,
            dns=props.network.dns,
        )
        self.emit(network_policy(self.target, access))

    def _observability(self, props: WorkloadProps, monitor: dict[str, Any] | None) -> None:
        """Monitor, alerts, SLO rules and the SLO dashboard, labelled for the env's Prometheus."""
        labels = self.env.monitoring.labels
        if monitor is not None:
            self.emit(monitor)
        alerts = getattr(props, "alerts", None)
        rule = None
        if alerts:
            rule = prometheus_rule(self.target, alerts, self.name, props.slos, labels)
        # The SLOs' rule groups join the alerts in one PrometheusRule: one object and file less
        # per SLO, and the same rule groups for Prometheus.
        context = RuleContext(self.target, labels, self.env.monitoring.runbook_base)
        rule = with_slos(rule, props.slos, context)
        if rule is not None:
            self.emit(rule)
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
        template = self._pod_template(props, ports, props.readiness, props.liveness, props.startup)
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
        self._observability(props, monitor)

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
        template = self._pod_template(props, ports, props.readiness, props.liveness, props.startup)
        self._workload(props, template, self._rolling_update(props))
        self._companions(props, ())
        monitor = None
        if props.metrics:
            port = _port_name(ports, props.metrics.port)
            monitor = pod_monitor(self.target, props.metrics, port, self.env.monitoring.labels)
        self._observability(props, monitor)


def _port_name(ports: Mapping[str, int], number: int) -> str:
    """The name of the pod port ``number`` (``_ports`` always declares the metrics port)."""
    return next(name for name, port in ports.items() if port == number)
