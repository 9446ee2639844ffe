"""PC: policy coverage: PodDisruptionBudgets that protect replicated workloads and still let
nodes drain.

A workload's replica floor is its autoscaler's minimum when a HorizontalPodAutoscaler (or a
KEDA ScaledObject) targets it, else ``spec.replicas`` (1 when unset). Percentages round up,
as the disruption controller rounds them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from gitops.findings import Severity
from gitops.k8s.graph import ObjectGraph, SelectorError, selector_text
from gitops.k8s.manifests import Manifest
from gitops.k8s.pods import REPLICATED_KINDS, get, replicas
from gitops.rules.registry import Violation, rule

FAMILY = "policy-coverage"
POLICY_GROUP = "policy"
_PERCENT = re.compile(r"^(\d+)%$")
AUTOSCALER_MINIMUM = {
    "HorizontalPodAutoscaler": ("minReplicas", 1),
    "ScaledObject": ("minReplicaCount", 0),
}
"""Autoscaler kind -> (field holding its floor, the floor's default)."""


@dataclass(frozen=True)
class ReplicaFloor:
    count: int
    source: str
    """Where the count comes from, for messages: ``replicas 3`` or the autoscaler."""
    path: tuple[str, ...] = ()
    """The workload's ``spec.replicas`` when that is where the count is written."""


def replica_floor(workload: Manifest, graph: ObjectGraph) -> ReplicaFloor | None:
    """The fewest pods a replicated workload runs; None for other kinds or bad values."""
    for autoscaler in graph.autoscalers_of(workload):
        field, default = AUTOSCALER_MINIMUM[autoscaler.kind]
        value = get(autoscaler, ("spec", field))
        value = default if value is None else value
        if isinstance(value, int) and not isinstance(value, bool):
            return ReplicaFloor(value, f'{autoscaler.kind} "{autoscaler.name}" {field} {value}')
        return None
    count = replicas(workload)
    if count is None:
        return None
    written = get(workload, ("spec", "replicas")) is not None
    return ReplicaFloor(count, f"replicas {count}", ("spec", "replicas") if written else ())


@dataclass(frozen=True)
class PdbOptions:
    min_replicas: int = 2
    """Fewest replicas (or autoscaler minimum) at which a workload needs a
    PodDisruptionBudget. 1 asks it of every workload (Polaris semantics); its budget should
    then use maxUnavailable, or it blocks drains (pdb-blocks-all-disruptions). Default: 2."""


@rule(
    "PC003",
    "replicated-workload-without-pdb",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=REPLICATED_KINDS,
    options=PdbOptions(),
)
def replicated_workload_without_pdb(
    manifest: Manifest, graph: ObjectGraph, options: PdbOptions
) -> Iterator[Violation]:
    """A workload runs 2 or more replicas and no PodDisruptionBudget selects its pods.

    Why: Without a budget a node drain (an upgrade, the cluster autoscaler) may evict every
    replica at once, and the service is down although it runs several copies. Counted from
    the HorizontalPodAutoscaler's minReplicas when one targets the workload; min_replicas
    sets the threshold.
    Fix: Add a PodDisruptionBudget selecting the pods with maxUnavailable: 1; the App
    construct in this repo renders one whenever replicas or minReplicas are 2 or more.
    """
    floor = replica_floor(manifest, graph)
    if floor is None or floor.count < max(options.min_replicas, 1):
        return
    if graph.selected_by(manifest, "PodDisruptionBudget"):
        return
    yield Violation(
        message=f"runs at least {floor.count} pod{'' if floor.count == 1 else 's'} "
        f'({floor.source}) and no PodDisruptionBudget in namespace "{manifest.namespace}" '
        "selects them",
        path=floor.path,
    )


@rule(
    "PC004",
    "pdb-blocks-all-disruptions",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=["PodDisruptionBudget"],
)
def pdb_blocks_all_disruptions(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A PodDisruptionBudget allows no pod to be evicted.

    Why: maxUnavailable 0, minAvailable 100%, or a minAvailable at least the number of pods
    it selects (counted from replicas, or from the HorizontalPodAutoscaler's minReplicas,
    kube-linter pdb-min-available semantics) means every drain waits forever: node upgrades
    stall and the cluster autoscaler cannot remove the node. This includes the common
    minAvailable: 1 on a single-replica workload (kube-score#376); maxUnavailable: 1 there
    lets the drain proceed and is not reported.
    Fix: Use maxUnavailable: 1 (or a minAvailable below the replica floor), and run 2 or
    more replicas where an eviction must not cause downtime.
    """
    spec = manifest.body.get("spec")
    if manifest.group != POLICY_GROUP or not isinstance(spec, dict):
        return
    if "maxUnavailable" in spec:
        budget = _percent_or_int(spec["maxUnavailable"])
        if budget is not None and budget[0] == 0:
            yield Violation(
                message=f"maxUnavailable is {spec['maxUnavailable']}: no pod may ever be evicted",
                path=("spec", "maxUnavailable"),
            )
        return
    value = _percent_or_int(spec.get("minAvailable"))
    if value is None:
        return
    amount, percent = value
    path = ("spec", "minAvailable")
    if percent and amount >= 100:
        yield Violation(message=f"minAvailable is {amount}%: no pod may ever be evicted", path=path)
        return
    try:
        selected = graph.selection(manifest)
    except SelectorError:
        return
    floors, total = _floors(selected, graph)
    if not floors or any(f is None for f in floors):
        return  # selects nothing (pdb-selects-nothing), or pods of unknown count (DaemonSet)
    required = math.ceil(total * amount / 100) if percent else amount
    if total and required >= total:
        counted = "; ".join(
            f'{w.kind} "{w.name}" {f.source}' for w, f in zip(selected, floors, strict=True) if f
        )
        yield Violation(
            message=f"minAvailable {spec['minAvailable']} keeps all {total} selected pods "
            f"({counted}) up: no pod may ever be evicted",
            path=path,
        )


@rule(
    "PC005",
    "pdb-selects-nothing",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=["PodDisruptionBudget"],
)
def pdb_selects_nothing(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A PodDisruptionBudget's selector matches no workload in its namespace.

    Why: The budget protects nothing: the workload it was written for can lose every pod in
    one drain, and no scanner notices (devantler-tech/platform#3596). In policy/v1 an empty
    selector selects every pod of the namespace; in policy/v1beta1 it selects none.
    Fix: Make spec.selector match the pod template labels of the workload, in its namespace.
    """
    if manifest.group != POLICY_GROUP:
        return
    selector = get(manifest, ("spec", "selector"))
    try:
        if graph.selection(manifest):
            return
        problem = f'selects no workload in namespace "{manifest.namespace}"'
    except SelectorError as error:
        problem = f"is invalid: {error}"
    yield Violation(
        message=f"selector {selector_text(selector)} {problem}", path=("spec", "selector")
    )


def _floors(
    selected: Sequence[Manifest], graph: ObjectGraph
) -> tuple[list[ReplicaFloor | None], int]:
    """The replica floor of each selected workload, and their sum; worked out once per
    selection (budgets with one selector share the graph's list of what it selects)."""

    def build(workloads: Sequence[Manifest]) -> tuple[list[ReplicaFloor | None], int]:
        floors = [
            ReplicaFloor(1, "a Pod") if w.kind == "Pod" else replica_floor(w, graph)
            for w in workloads
        ]
        return floors, sum(f.count for f in floors if f is not None)

    return graph.per_selection("coverage_disruption.floors", selected, build)


def _percent_or_int(value: Any) -> tuple[int, bool] | None:
    """(amount, is_percent) of an IntOrString budget field; None when malformed."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value, False
    match = _PERCENT.match(value) if isinstance(value, str) else None
    return (int(match.group(1)), True) if match else None


RULES = (replicated_workload_without_pdb, pdb_blocks_all_disruptions, pdb_selects_nothing)
