"""HorizontalPodAutoscaler (autoscaling/v2) with resource and pods metrics and scaling behavior."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from constructs import Construct

from gitops.constructs.app import GitopsConstruct, WorkloadRef
from gitops.constructs.meta import metadata


@dataclass(frozen=True, kw_only=True)
class ScalingPolicy:
    """At most ``value`` pods (``Pods``) or percent of current replicas (``Percent``) per period."""

    type: Literal["Pods", "Percent"]
    value: int
    period_seconds: int = 60
    """Window the policy applies over. Default: ``60``."""


@dataclass(frozen=True, kw_only=True)
class ScalingRules:
    """How fast replicas may change in one direction."""

    stabilization_window_seconds: int
    """Look-back window; the most conservative recommendation within it wins."""
    policies: tuple[ScalingPolicy, ...]
    """Rate limits; with several, the one allowing the largest change applies."""


@dataclass(frozen=True, kw_only=True)
class PodsMetric:
    """A per-pod custom metric (from a metrics adapter), scaled on its average value."""

    name: str
    """Metric name, e.g. ``http_requests_per_second``."""
    average_value: str
    """Target average per pod, a quantity such as ``"100"`` or ``"500m"``."""


@dataclass(frozen=True, kw_only=True)
class Autoscaling:
    """Autoscaling of a workload between ``min_replicas`` and ``max_replicas``."""

    min_replicas: int = 2
    """Lower bound; 2 or more keeps a replica through a disruption. Default: ``2``."""
    max_replicas: int = 10
    """Upper bound. Default: ``10``."""
    cpu_utilization: int | None = 70
    """Target average CPU, percent of requests; ``None``: not on CPU. Default: ``70``."""
    memory_utilization: int | None = None
    """Target average memory as a percent of requests. Default: unset."""
    pods_metrics: tuple[PodsMetric, ...] = ()
    """Custom per-pod metrics to scale on. Default: none."""
    scale_up: ScalingRules = field(
        default_factory=lambda: ScalingRules(
            stabilization_window_seconds=0,
            policies=(ScalingPolicy(type="Pods", value=4, period_seconds=60),),
        )
    )
    """Default: at most 4 pods per 60 s, no stabilization (react to load at once)."""
    scale_down: ScalingRules = field(
        default_factory=lambda: ScalingRules(
            stabilization_window_seconds=300,
            policies=(ScalingPolicy(type="Percent", value=50, period_seconds=60),),
        )
    )
    """Default: 300 s stabilization, then at most half the pods per 60 s (avoids flapping)."""

    def __post_init__(self) -> None:
        if self.min_replicas < 1 or self.max_replicas < self.min_replicas:
            raise ValueError(
                f"autoscaling bounds {self.min_replicas}-{self.max_replicas} are invalid: "
                "need 1 <= min_replicas <= max_replicas"
            )
        if (
            self.cpu_utilization is None
            and self.memory_utilization is None
            and not (self.pods_metrics)
        ):
            raise ValueError("autoscaling needs at least one metric")


def _rules(rules: ScalingRules) -> dict[str, Any]:
    return {
        "stabilizationWindowSeconds": rules.stabilization_window_seconds,
        "selectPolicy": "Max",
        "policies": [
            {"type": p.type, "value": p.value, "periodSeconds": p.period_seconds}
            for p in rules.policies
        ],
    }


def horizontal_pod_autoscaler(target: WorkloadRef, props: Autoscaling) -> dict[str, Any]:
    metrics: list[dict[str, Any]] = []
    for resource, utilization in (
        ("cpu", props.cpu_utilization),
        ("memory", props.memory_utilization),
    ):
        if utilization is not None:
            metrics.append(
                {
                    "type": "Resource",
                    "resource": {
                        "name": resource,
                        "target": {"type": "Utilization", "averageUtilization": utilization},
                    },
                }
            )
    for metric in props.pods_metrics:
        metrics.append(
            {
                "type": "Pods",
                "pods": {
                    "metric": {"name": metric.name},
                    "target": {"type": "AverageValue", "averageValue": metric.average_value},
                },
            }
        )
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": metadata(target.name, target.namespace, target.labels()),
        "spec": {
            "scaleTargetRef": {
                "apiVersion": target.api_version,
                "kind": target.kind,
                "name": target.name,
            },
            "minReplicas": props.min_replicas,
            "maxReplicas": props.max_replicas,
            "metrics": metrics,
            "behavior": {"scaleUp": _rules(props.scale_up), "scaleDown": _rules(props.scale_down)},
        },
    }


class Autoscaler(GitopsConstruct):
    """A HorizontalPodAutoscaler for a workload built outside the gitops workload constructs."""

    def __init__(
        self, scope: Construct, id: str, target: WorkloadRef, props: Autoscaling | None = None
    ) -> None:
        super().__init__(scope, id)
        self.emit(horizontal_pod_autoscaler(target, props or Autoscaling()))
