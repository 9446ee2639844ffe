"""Argo Rollouts canary delivery, used instead of a Deployment rolling update."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_DURATION = re.compile(r"^\d+[smh]$")


@dataclass(frozen=True)
class SetWeight:
    """Send ``percent`` of traffic (or pods, without traffic routing) to the new version."""

    percent: int

    def __post_init__(self) -> None:
        if not 0 <= self.percent <= 100:
            raise ValueError(f"canary weight {self.percent} must be 0-100")

    def render(self) -> dict[str, Any]:
        return {"setWeight": self.percent}


@dataclass(frozen=True)
class Pause:
    """Wait ``duration`` (``"5m"``, ``"30s"``, ``"1h"``), or until promoted by hand when None."""

    duration: str | None = None

    def __post_init__(self) -> None:
        if self.duration is not None and not _DURATION.fullmatch(self.duration):
            raise ValueError(f"pause duration {self.duration!r} must look like 30s, 5m or 1h")

    def render(self) -> dict[str, Any]:
        return {"pause": {"duration": self.duration} if self.duration else {}}


CanaryStep = SetWeight | Pause


@dataclass(frozen=True, kw_only=True)
class Canary:
    """A canary rollout: traffic shifts to the new version step by step."""

    steps: tuple[CanaryStep, ...] = field(
        default_factory=lambda: (SetWeight(20), Pause("5m"), SetWeight(50), Pause("5m"))
    )
    """Steps in order; after the last one the new version takes all traffic.
    Default: 20%, pause 5m, 50%, pause 5m."""
    max_surge: int | str = "25%"
    """Extra pods allowed during the rollout. Default: ``"25%"``."""
    max_unavailable: int | str = 0
    """Pods allowed to be unavailable during the rollout. Default: ``0``."""

    def __post_init__(self) -> None:
        weights = [s.percent for s in self.steps if isinstance(s, SetWeight)]
        if not weights:
            raise ValueError("a canary needs at least one SetWeight step")
        if weights != sorted(weights):
            raise ValueError(f"canary weights {weights} must not decrease")


def first_set_weight(props: Canary) -> int:
    """Index of the first ``SetWeight`` step: background analysis starts there, as soon as
    the canary takes traffic."""
    return next(i for i, step in enumerate(props.steps) if isinstance(step, SetWeight))


def canary_strategy(
    props: Canary,
    canary_service: str,
    stable_service: str,
    stable_ingress: str | None,
    analysis: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The Rollout's ``strategy``; ``analysis`` is its background analysis, when there is one
    (an AnalysisTemplate on the workload's SLOs, see ``gitops.constructs.slo_canary``)."""
    canary: dict[str, Any] = {
        "canaryService": canary_service,
        "stableService": stable_service,
        "maxSurge": props.max_surge,
        "maxUnavailable": props.max_unavailable,
        "steps": [step.render() for step in props.steps],
    }
    if stable_ingress is not None:
        # With an Ingress, ingress-nginx splits traffic by weight through a canary Ingress the
        # Rollouts controller manages; without one, the weight is approximated by pod counts.
        canary["trafficRouting"] = {"nginx": {"stableIngress": stable_ingress}}
    if analysis is not None:
        canary["analysis"] = analysis
    return {"canary": canary}
