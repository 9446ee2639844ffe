"""PodDisruptionBudget for replicated workloads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from constructs import Construct

from gitops.constructs.app import GitopsConstruct, WorkloadRef
from gitops.constructs.meta import metadata

# unhealthyPodEvictionPolicy is served (beta, on by default) from Kubernetes 1.27.
_EVICTION_POLICY_MINOR = 27


@dataclass(frozen=True, kw_only=True)
class Disruption:
    """How many pods voluntary disruptions (node drains, upgrades) may take down at once."""

    max_unavailable: int | str = 1
    """Pods (or a percentage such as ``"25%"``) that may be down at once; must allow at least
    one, or node drains block forever. Default: ``1``."""
    evict_unhealthy_pods: bool = True
    """Let drains evict pods that are not Ready even when the budget is used up, so a crash-
    looping pod cannot block maintenance (``unhealthyPodEvictionPolicy: AlwaysAllow``, on
    Kubernetes 1.27+). Default: ``True``."""

    def __post_init__(self) -> None:
        value = self.max_unavailable
        if value in (0, "0", "0%"):
            raise ValueError("max_unavailable 0 blocks every node drain; allow at least 1 pod")


def pod_disruption_budget(
    target: WorkloadRef, props: Disruption, kubernetes_minor: int
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "maxUnavailable": props.max_unavailable,
        "selector": {"matchLabels": dict(target.selector)},
    }
    if props.evict_unhealthy_pods and kubernetes_minor >= _EVICTION_POLICY_MINOR:
        spec["unhealthyPodEvictionPolicy"] = "AlwaysAllow"
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": metadata(target.name, target.namespace, target.labels()),
        "spec": spec,
    }


class DisruptionBudget(GitopsConstruct):
    """A PodDisruptionBudget for a workload built outside the gitops workload constructs."""

    def __init__(
        self, scope: Construct, id: str, target: WorkloadRef, props: Disruption | None = None
    ) -> None:
        super().__init__(scope, id)
        self.emit(pod_disruption_budget(target, props or Disruption(), self.env.kubernetes_minor))
