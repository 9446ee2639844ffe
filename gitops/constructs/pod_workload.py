"""What every pod-running construct shares: ``PodProps`` and ``PodWorkload``, the base of
``WebService``, ``Worker``, ``Job``, ``CronJob``, ``StatefulSet`` and ``DaemonSet``.

A pod workload gets its own ServiceAccount and RBAC, its ConfigMap, a restricted pod template
(see ``gitops.constructs.pod``) with the ``pod`` options (``gitops.constructs.pod_options``),
a NetworkPolicy, and (for the kinds that have them) a PodDisruptionBudget and alerts; each
kind adds its own object around the template.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gitops.constructs.alerts import Alerts, prometheus_rule
from gitops.constructs.app import GitopsConstruct, Suppress, WorkloadRef
from gitops.constructs.disruption import Disruption, pod_disruption_budget
from gitops.constructs.meta import metadata, selector_labels, standard_labels
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
from gitops.constructs.pod_options import PodOptions, apply_pod_options, check_pod_options
from gitops.constructs.rbac import Rbac, rbac_manifests
from gitops.constructs.slo import SLO
from gitops.k8s.image_ref import pinning_problem


@dataclass(frozen=True, kw_only=True)
class PodProps:
    """What every pod-running workload has; each kind's props add the rest."""

    image: str
    """Image reference pinned by tag or digest, usually ``env.image(app)``."""
    name: str | None = None
    """Workload name (object names, selector). Default: the app's name."""
    resources: Resources = field(default_factory=Resources)
    """Requests and limits. Default: ``Resources()`` (100m/128Mi requests, 500m/256Mi limits)."""
    env: Mapping[str, str] = field(default_factory=dict)
    """Literal environment variables. Default: none."""
    config: Mapping[str, str] = field(default_factory=dict)
    """Config values: written to a ConfigMap ``<name>-config`` and read into env vars of the same
    names; a change rolls the pods. Default: none."""
    secret_env: tuple[SecretEnv, ...] = ()
    """Env vars read from externally managed Secrets (``secretKeyRef``), e.g. the Secret of an
    ``ExternalSecret``. Default: none."""
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
    run_as_user: int = 10001
    """Non-root UID (and GID, fsGroup) the pod runs as. Default: ``10001``."""
    writable_paths: tuple[str, ...] = ("/tmp",)
    """Paths backed by emptyDir, since the root filesystem is read-only. Default: ``("/tmp",)``."""
    termination_grace_period_seconds: int = 30
    """Seconds for a clean shutdown before SIGKILL. Default: ``30``."""
    pod: PodOptions = field(default_factory=PodOptions)
    """Placement, GPUs, volumes, init containers and sidecars, preStop. Default: none of them."""
    suppress: Suppress | None = None
    """Lint rules to silence on this workload, with the reason. Default: none."""

    def __post_init__(self) -> None:
        problem = pinning_problem(self.image)
        if problem:
            raise ValueError(f"image {self.image!r} {problem}; pin a release tag or a digest")
        if self.run_as_user <= 0:
            raise ValueError("run_as_user must be a non-root UID (> 0)")


class PodWorkload(GitopsConstruct):
    """Base of the pod-running constructs (not used directly)."""

    name: str
    target: WorkloadRef
    labels: dict[str, str]
    monitored: bool = False
    """The kind emits a prometheus-operator ServiceMonitor/PodMonitor for ``props.metrics``:
    the ``prometheus.io/*`` pod annotations are then written only on ``annotations_too``."""

    def _setup(self, props: PodProps, kind: str, api_version: str) -> None:
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

    def _pod_template(
        self,
        props: PodProps,
        ports: Mapping[str, int],
        readiness: Probe | None,
        liveness: Probe | None,
        startup: Probe | None,
        *,
        spread: bool = False,
        extra_volumes: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """The pod template: ``metadata`` and a restricted ``spec`` with ``props.pod``."""
        check_pod_options(props.pod, props.resources, self.env.kubernetes_minor, extra_volumes)
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
        if props.metrics and (props.metrics.annotations_too or not self.monitored):
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
            spread=spread,
            termination_grace_period_seconds=props.termination_grace_period_seconds,
        )
        apply_pod_options(spec, container, props.pod)
        meta: dict[str, Any] = {"labels": {**self.labels, **self.target.selector}}
        if annotations:
            meta["annotations"] = annotations
        return {"metadata": meta, "spec": spec}

    def _object(self, props: PodProps, spec: dict[str, Any]) -> None:
        """Emit the workload object itself (``kind``/``apiVersion`` from ``self.target``)."""
        annotations = props.suppress.annotations() if props.suppress else None
        self.emit(
            {
                "apiVersion": self.target.api_version,
                "kind": self.target.kind,
                "metadata": metadata(self.name, self.namespace, self.labels, annotations),
                "spec": spec,
            }
        )

    def _network_policy(self, props: PodProps, ingress_from: tuple[Peer, ...] = ()) -> None:
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

    def _disruption_budget(self, disruption: Disruption, replicated: bool) -> None:
        """A PodDisruptionBudget when 2+ pods run and the environment has ``features.pdb``."""
        if replicated and self.env.features.pdb:
            self.emit(pod_disruption_budget(self.target, disruption, self.env.kubernetes_minor))

    def _alerts(self, alerts: Alerts | None, slos: tuple[SLO, ...] = ()) -> None:
        """The workload's PrometheusRule, labelled for the environment's Prometheus."""
        if alerts:
            labels = self.env.monitoring.labels
            self.emit(prometheus_rule(self.target, alerts, self.name, slos, labels))
