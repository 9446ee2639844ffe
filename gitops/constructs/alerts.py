"""Per-workload alerts as a prometheus-operator PrometheusRule.

Four alerts cover what pages an SRE for a web service: too many 5xx responses, slow p99
latency, crash looping, and memory close to the limit (the OOM kill that follows). Each
threshold is a prop; ``None`` drops that alert.

Series are selected by ``namespace`` and a ``pod`` regex that matches only this workload's
pods, in the shape its kind's controller names them (``WorkloadRef.pod_name_pattern``:
Deployment ``<name>-<template-hash>-<suffix>``, StatefulSet ``<name>-<ordinal>``, DaemonSet
``<name>-<suffix>`` ...): those two labels are present both on scraped
application metrics and on kube-state-metrics and cAdvisor series, whatever relabelling the
Prometheus setup uses. Every expression aggregates ``by (namespace)`` at least, so
Alertmanager can route on it.

When the workload has SLOs, the error-ratio threshold is the SLO's fastest page threshold (for
99.9% over 30d: 14.4 x 0.1% = 0.0144, not a fixed 5%, a 50x burn that pages only when the
budget is gone in 14 hours), and the p99 threshold is a latency SLO's threshold when its
objective is 99% or more.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from constructs import Construct

from gitops.constructs.app import GitopsConstruct, WorkloadRef
from gitops.constructs.meta import metadata
from gitops.constructs.slo import SLO, LatencySLI, RatioSLI
from gitops.k8s.burn_rate import promql_number, threshold

_DURATION = re.compile(r"^\d+[smhd]$")


@dataclass(frozen=True, kw_only=True)
class Alerts:
    """Alert thresholds for one workload."""

    error_ratio: float | None = 0.05
    """Fire when 5xx responses exceed this share of requests over 5m. Default: ``0.05``."""
    p99_latency_seconds: float | None = 1.0
    """Fire when p99 request latency exceeds this over 5m. Default: ``1.0``."""
    crash_looping: bool = True
    """Fire when a container waits in CrashLoopBackOff. Default: ``True``."""
    memory_near_limit: float | None = 0.9
    """Fire when working-set memory exceeds this share of the limit. Default: ``0.9``."""
    for_duration: str = "5m"
    """How long a condition must hold before firing. Default: ``"5m"``."""
    requests_metric: str = "http_requests_total"
    """Counter of handled requests. Default: ``"http_requests_total"``."""
    status_label: str = "code"
    """Label of that counter holding the HTTP status. Default: ``"code"``."""
    latency_metric: str = "http_request_duration_seconds"
    """Histogram of request latency (``_bucket`` is appended). Default:
    ``"http_request_duration_seconds"``."""
    runbook_url: str | None = None
    """Runbook link added to every alert. Default: none."""
    rule_labels: Mapping[str, str] = field(default_factory=dict)
    """Labels on the PrometheusRule, for the Prometheus ``ruleSelector``. Default: none."""

    def __post_init__(self) -> None:
        for name in ("error_ratio", "memory_near_limit"):
            value = getattr(self, name)
            if value is not None and not 0 < value < 1:
                raise ValueError(f"{name} {value} must be a ratio between 0 and 1")
        if self.p99_latency_seconds is not None and self.p99_latency_seconds <= 0:
            raise ValueError("p99_latency_seconds must be positive")
        if not _DURATION.fullmatch(self.for_duration):
            raise ValueError(f"for_duration {self.for_duration!r} must look like 5m")


def eval_number(text: str) -> float:
    """A number as ``promql_number`` prints it: ``0.0144`` or ``(7 / 7500)``."""
    if text.startswith("("):
        numerator, denominator = text.strip("()").split("/")
        return int(numerator) / int(denominator)
    return float(text)


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[-.]", name) if part)


def slo_thresholds(slos: tuple[SLO, ...]) -> tuple[str | None, str | None]:
    """The error ratio and p99 latency thresholds the workload's SLOs imply, when they do."""
    error_ratio = latency = None
    for slo in slos:
        if isinstance(slo.sli, RatioSLI) and slo.sli.errors and error_ratio is None:
            page = [w for w in slo.windows if w.severity == "page"] or list(slo.windows)
            fastest = max(threshold(w, slo.period_seconds, slo.objective_ratio) for w in page)
            error_ratio = promql_number(fastest)
        if isinstance(slo.sli, LatencySLI) and slo.objective >= 99 and latency is None:
            latency = slo.sli.threshold
    return error_ratio, latency


def prometheus_rule(
    target: WorkloadRef,
    props: Alerts,
    container: str,
    slos: tuple[SLO, ...] = (),
    rule_labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    ns = target.namespace
    slo_error_ratio, slo_latency = slo_thresholds(slos)
    pods = f'namespace="{ns}", pod=~"{target.pod_name_pattern()}"'
    prefix = _camel(target.name)
    labels = {"app": target.name}
    rules: list[dict[str, Any]] = []

    def alert(name: str, expr: str, severity: str, summary: str, description: str) -> None:
        annotations = {"summary": summary, "description": description}
        if props.runbook_url:
            annotations["runbook_url"] = props.runbook_url
        rules.append(
            {
                "alert": f"{prefix}{name}",
                "expr": expr,
                "for": props.for_duration,
                "labels": {**labels, "severity": severity},
                "annotations": annotations,
            }
        )

    if props.error_ratio is not None:
        requests = props.requests_metric
        limit = slo_error_ratio or f"{props.error_ratio:g}"
        shown = f"{float(eval_number(limit)):.2%}".replace(".00%", "%")
        alert(
            "HighErrorRatio",
            f'sum by (namespace) (rate({requests}{{{pods}, {props.status_label}=~"5.."}}[5m]))'
            f"\n  /\nsum by (namespace) (rate({requests}{{{pods}}}[5m]))\n  > {limit}\n",
            "critical",
            f"{target.name}: more than {shown} of requests fail",
            "{{ $value | humanizePercentage }} of requests returned 5xx over the last 5 minutes.",
        )
    if props.p99_latency_seconds is not None:
        latency = slo_latency or f"{props.p99_latency_seconds:g}"
        alert(
            "HighLatencyP99",
            f"histogram_quantile(0.99,\n  sum by (namespace, le) (rate({props.latency_metric}"
            f"_bucket{{{pods}}}[5m]))\n) > {latency}\n",
            "warning",
            f"{target.name}: p99 latency above {latency}s",
            "p99 latency is {{ $value | humanizeDuration }} over the last 5 minutes.",
        )
    if props.crash_looping:
        alert(
            "CrashLooping",
            f"max by (namespace, pod, container) (\n  kube_pod_container_status_waiting_reason"
            f'{{{pods}, reason="CrashLoopBackOff"}}\n) >= 1\n',
            "critical",
            f"{target.name}: a container is crash looping",
            "{{ $labels.pod }}/{{ $labels.container }} is in CrashLoopBackOff.",
        )
    if props.memory_near_limit is not None:
        alert(
            "MemoryNearLimit",
            f"max by (namespace, pod, container) (container_memory_working_set_bytes"
            f'{{{pods}, container="{container}"}})\n  /\nmax by (namespace, pod, container) ('
            f'kube_pod_container_resource_limits{{{pods}, container="{container}", '
            f'resource="memory"}})\n  > {props.memory_near_limit:g}\n',
            "warning",
            f"{target.name}: memory above {props.memory_near_limit:.0%} of its limit",
            "{{ $labels.pod }} uses {{ $value | humanizePercentage }} of its memory limit; "
            "the next step is an OOM kill.",
        )
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": metadata(
            target.name, ns, {**target.labels(), **(rule_labels or {}), **props.rule_labels}
        ),
        "spec": {"groups": [{"name": f"{target.name}.rules", "rules": rules}]},
    }


class AlertRules(GitopsConstruct):
    """A PrometheusRule for a workload built outside the gitops workload constructs."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        target: WorkloadRef,
        container: str,
        props: Alerts | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.emit(prometheus_rule(target, props or Alerts(), container))
