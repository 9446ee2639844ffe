"""Canary analysis on an SLO's SLI: an Argo Rollouts AnalysisTemplate, run in the background
from the canary's first ``setWeight``.

The query is the SLO's error ratio restricted to the canary's pods: the ServiceMonitor (or
PodMonitor) copies the ``rollouts-pod-template-hash`` pod label onto every series as
``rollouts_pod_template_hash``, and the Rollout passes the new ReplicaSet's hash as the
``canary-hash`` argument. The success condition is derived from the objective::

    error_ratio <= (1 - objective / 100) x max_burn_rate

and it guards the empty result and NaN (no traffic yet) first, so no data never crashes the
analysis: it is inconclusive (neither condition holds) or a failure, as ``no_data`` says.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from gitops.constructs.app import WorkloadRef
from gitops.constructs.meta import metadata
from gitops.constructs.slo import SLO, CanaryAnalysis
from gitops.constructs.slo_rules import sli_queries
from gitops.k8s.burn_rate import decimal_text

HASH_ARG = "canary-hash"
HASH_LABEL = "rollouts_pod_template_hash"
POD_HASH_LABEL = "rollouts-pod-template-hash"
"""Pod label Argo Rollouts sets; the monitors copy it to series as ``HASH_LABEL``."""
DEFAULT_PROMETHEUS = "http://prometheus-operated.monitoring.svc:9090"


def template_name(target: WorkloadRef) -> str:
    return f"{target.name}-slo"


def max_error_ratio(slo: SLO, analysis: CanaryAnalysis) -> Fraction:
    """``(1 - objective) x max_burn_rate``: the canary's largest passing error ratio."""
    return (1 - slo.objective_ratio) * Fraction(Decimal(str(analysis.max_burn_rate)))


def conditions(limit: str, no_data: str) -> dict[str, str]:
    """successCondition (and, when no data is inconclusive, failureCondition) for ``limit``."""
    data = "len(result) > 0 && !isNaN(result[0])"
    found = {"successCondition": f"{data} && result[0] <= {limit}"}
    if no_data == "inconclusive":
        found["failureCondition"] = f"{data} && result[0] > {limit}"
    return found


def canary_query(slo: SLO, target: WorkloadRef, window: str) -> str:
    scope = (
        ("namespace", "=", target.namespace),
        (HASH_LABEL, "=", f"{{{{args.{HASH_ARG}}}}}"),
    )
    errors, total = sli_queries(slo, scope, window)
    return f"(\n{errors}\n)\n/\n(\n{total}\n)\n"


def analysis_template(
    target: WorkloadRef, slos: Sequence[SLO], prometheus_url: str | None
) -> dict[str, Any] | None:
    """One AnalysisTemplate with a metric per SLO that takes part; None when none does."""
    metrics = []
    for slo in slos:
        analysis = slo.canary
        if analysis is None:
            continue
        limit = decimal_text(max_error_ratio(slo, analysis), places=9)
        metric: dict[str, Any] = {
            "name": slo.name,
            "interval": analysis.interval,
            "failureLimit": analysis.failure_limit,
            **conditions(limit, analysis.no_data),
            "provider": {
                "prometheus": {
                    "address": prometheus_url or DEFAULT_PROMETHEUS,
                    "query": canary_query(slo, target, analysis.window),
                }
            },
        }
        if analysis.no_data == "inconclusive":
            metric["inconclusiveLimit"] = analysis.inconclusive_limit
        if analysis.count is not None:
            metric["count"] = analysis.count
        metrics.append(metric)
    if not metrics:
        return None
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AnalysisTemplate",
        "metadata": metadata(template_name(target), target.namespace, target.labels()),
        "spec": {"args": [{"name": HASH_ARG}], "metrics": metrics},
    }


def background_analysis(target: WorkloadRef, starting_step: int) -> dict[str, Any]:
    """The Rollout's ``strategy.canary.analysis``: the template from ``starting_step`` on."""
    return {
        "templates": [{"templateName": template_name(target)}],
        "startingStep": starting_step,
        "args": [{"name": HASH_ARG, "valueFrom": {"podTemplateHashValue": "Latest"}}],
    }
