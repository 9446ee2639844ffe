"""PC: policy coverage: autoscalers that point at real workloads and own their replica count.

HorizontalPodAutoscalers and KEDA ScaledObjects name their target by ``scaleTargetRef``
(kind and name, in their own namespace); the target may be an Argo Rollout.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitops.findings import Severity
from gitops.k8s.graph import AUTOSCALER_KINDS, ObjectGraph
from gitops.k8s.manifests import Manifest
from gitops.k8s.pods import REPLICATED_KINDS, WORKLOAD_KINDS, get
from gitops.rules.registry import Violation, rule

FAMILY = "policy-coverage"


@rule(
    "PC007",
    "hpa-target-missing",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=tuple(AUTOSCALER_KINDS),
)
def hpa_target_missing(manifest: Manifest, graph: ObjectGraph, options: Any) -> Iterator[Violation]:
    """An autoscaler's scaleTargetRef names no object of that kind in its namespace.

    Why: The autoscaler then scales nothing: the workload it was meant for keeps its static
    replica count and falls over under load, while the HPA only reports a condition nobody
    reads. Usually a typo in the name, a wrong kind (Deployment after a move to a Rollout),
    or the target in another namespace. A target of a custom kind that no object in the
    input has is assumed to be made elsewhere (by an operator) and is not reported.
    Fix: Make scaleTargetRef's kind and name match the workload, in the autoscaler's
    namespace.
    """
    if manifest.group != AUTOSCALER_KINDS[manifest.kind]:
        return
    ref = get(manifest, ("spec", "scaleTargetRef"))
    if not isinstance(ref, dict) or not ref.get("name"):
        yield Violation(message="scaleTargetRef names no target", path=("spec",))
        return
    default_kind = "Deployment" if manifest.kind == "ScaledObject" else ""
    kind, name = str(ref.get("kind") or default_kind), str(ref["name"])
    if kind not in WORKLOAD_KINDS and not graph.of_kind(kind):
        return  # a custom kind none of the input defines: made elsewhere (an operator)
    if graph.get(kind, name, manifest.namespace) is None:
        yield Violation(
            message=f'scaleTargetRef {kind or "<no kind>"} "{name}" is not defined in '
            f'namespace "{manifest.namespace}"',
            path=("spec", "scaleTargetRef", "name"),
        )


@rule(
    "PC012",
    "hpa-min-above-max",
    family=FAMILY,
    severity=Severity.ERROR,
    kinds=["HorizontalPodAutoscaler"],
)
def hpa_min_above_max(manifest: Manifest, graph: ObjectGraph, options: Any) -> Iterator[Violation]:
    """A HorizontalPodAutoscaler's minReplicas is greater than its maxReplicas.

    Why: The API server rejects the object, so the sync of the whole app fails; with a
    per-environment overlay this often hits only production, where maxReplicas was lowered
    or minReplicas raised. minReplicas defaults to 1.
    Fix: Make minReplicas less than or equal to maxReplicas (check the environment's values).
    """
    low = get(manifest, ("spec", "minReplicas"))
    high = get(manifest, ("spec", "maxReplicas"))
    low = 1 if low is None else low
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)):
        return
    if low > high:
        path = ("spec", "minReplicas") if "minReplicas" in manifest.body["spec"] else ("spec",)
        yield Violation(message=f"minReplicas {low} is greater than maxReplicas {high}", path=path)


@rule(
    "PC013",
    "replicas-set-under-hpa",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=REPLICATED_KINDS,
)
def replicas_set_under_hpa(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A workload that an autoscaler scales also sets spec.replicas.

    Why: The autoscaler changes spec.replicas in the cluster; Argo CD sees a diff and, on
    every sync (or at once with self-heal), writes the static value back: pods are killed
    under load and recreated moments later (kube-score
    deployment-targeted-by-hpa-does-not-have-replicas-configured).
    Fix: Remove spec.replicas and let the autoscaler's minReplicas set the floor; the
    Workload construct in this repo omits replicas when autoscaling is on.
    """
    replicas = get(manifest, ("spec", "replicas"))
    autoscalers = graph.autoscalers_of(manifest)
    if replicas is None or not autoscalers:
        return
    owner = autoscalers[0]
    yield Violation(
        message=f'spec.replicas is {replicas} while {owner.kind} "{owner.name}" scales it',
        path=("spec", "replicas"),
    )


RULES = (hpa_target_missing, hpa_min_above_max, replicas_set_under_hpa)
