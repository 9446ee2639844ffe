"""PC: policy coverage: a workload's own selector and governing Service, and alerting for what
it serves."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from gitops.findings import Severity
from gitops.k8s.graph import (
    ObjectGraph,
    SelectorError,
    check_selector,
    map_selector,
    selector_matches,
    selector_text,
)
from gitops.k8s.manifests import Manifest
from gitops.k8s.pods import WORKLOAD_KINDS, get, pod_template
from gitops.rules.registry import Violation, rule

FAMILY = "policy-coverage"
MONITORING_GROUP = "monitoring.coreos.com"
MAP_SELECTOR_KINDS = frozenset({"ReplicationController", "DeploymentConfig"})
"""Kinds whose selector is a plain label map that defaults to the template's labels."""
JOB_SPEC: dict[str, tuple[str, ...]] = {
    "Job": ("spec",),
    "CronJob": ("spec", "jobTemplate", "spec"),
}
GENERATED_JOB_LABELS = frozenset(
    {
        "controller-uid",
        "batch.kubernetes.io/controller-uid",
        "job-name",
        "batch.kubernetes.io/job-name",
    }
)
"""Labels the API server adds to a Job's selector and template unless manualSelector is set."""
SELECTOR_KINDS = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Rollout"}
    | MAP_SELECTOR_KINDS
    | set(JOB_SPEC)
)
APP_LABELS = ("app.kubernetes.io/name", "app.kubernetes.io/part-of")
SLO_LABELS = ("slo", "sloth_slo")
"""Alert labels that mark an SLO burn-rate alert (this tool's SLO construct, Sloth)."""
SLO_FIX = (
    "give the workload an SLO: slos=(SLO(name=\"availability\", objective=99.9, "
    "sli=RatioSLI(errors='http_requests_total{code=~\"5..\"}', total=\"http_requests_total\")),) "
    "in its WebServiceProps (gitops.constructs), which renders burn-rate alerts"
)
_NAME_RUN = re.compile(r"[a-z0-9][a-z0-9.-]*")


@rule(
    "PC011",
    "selector-template-mismatch",
    family=FAMILY,
    severity=Severity.ERROR,
    kinds=SELECTOR_KINDS,
)
def selector_template_mismatch(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A workload's selector does not select its own pod template.

    Why: The API server rejects such a Deployment, StatefulSet, DaemonSet, ReplicaSet,
    Rollout, Job or CronJob (and one with an empty selector), so the sync fails; the
    selector is also immutable, so fixing it later means deleting the object. A missing
    selector is left to schema validation. A ReplicationController's selector defaults to
    the template labels; the labels the API server generates for a Job (controller-uid,
    job-name) are ignored unless manualSelector is true.
    Fix: Make the selector's matchLabels a subset of the pod template's labels, using a
    stable label such as app.kubernetes.io/name.
    """
    template = pod_template(manifest)
    spec_path = JOB_SPEC.get(manifest.kind, ("spec",))
    spec = get(manifest, spec_path)
    if template is None or not isinstance(spec, dict):
        return  # e.g. a Rollout with workloadRef borrows another object's template
    raw, path = spec.get("selector"), (*spec_path, "selector")
    if raw is None or (manifest.kind in MAP_SELECTOR_KINDS and not raw):
        return  # required in apps/v1 (schema validation reports it), defaulted elsewhere
    selector: Any = raw
    if manifest.kind in MAP_SELECTOR_KINDS and isinstance(raw, dict):
        selector = map_selector(raw)
    elif manifest.kind in JOB_SPEC and spec.get("manualSelector") is not True:
        selector = _without_generated_labels(raw)
    labels = dict(template.labels)
    try:
        check_selector(selector)
        if not (selector.get("matchLabels") or selector.get("matchExpressions")):
            if manifest.kind not in JOB_SPEC:  # a Job's generated labels make it non-empty
                yield Violation(message="selector is empty", path=path)
            return
        if selector_matches(selector, labels):
            return
        shown_labels = selector_text(map_selector(labels))
        problem = f"does not select the pod template labels {shown_labels}"
    except SelectorError as error:
        problem = f"is invalid: {error}"
    shown = selector_text(selector) if isinstance(selector, dict) else repr(raw)
    yield Violation(message=f"selector {shown} {problem}", path=path)


def _without_generated_labels(selector: Any) -> Any:
    if not isinstance(selector, dict) or not isinstance(selector.get("matchLabels"), dict):
        return selector
    match_labels = {
        k: v for k, v in selector["matchLabels"].items() if k not in GENERATED_JOB_LABELS
    }
    return {**selector, "matchLabels": match_labels}


@dataclass
class _Alerts:
    """What the alerting PrometheusRules of one namespace are about."""

    app_labels: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    slo_app_labels: set[str] = field(default_factory=set)
    """App labels of the PrometheusRules that hold SLO burn-rate alerts."""
    slo_names: set[str] = field(default_factory=set)
    """Names mentioned in alert expressions, with every prefix that ends before a dash (a
    pod name ``web-5d8f-x2x9`` or a regex ``web-[a-z0-9]+`` mentions ``web``)."""


def _alert_index(graph: ObjectGraph) -> dict[str | None, _Alerts]:
    index: dict[str | None, _Alerts] = defaultdict(_Alerts)
    for prometheus_rule in graph.of_kind("PrometheusRule"):
        entries = [
            entry
            for group in _list(get(prometheus_rule, ("spec", "groups")))
            if isinstance(group, dict)
            for entry in _list(group.get("rules"))
            if isinstance(entry, dict) and entry.get("alert")
        ]
        if prometheus_rule.group != MONITORING_GROUP or not entries:
            continue
        alerts = index[prometheus_rule.namespace]
        app_labels = {
            str(prometheus_rule.labels[k]) for k in APP_LABELS if k in prometheus_rule.labels
        }
        alerts.app_labels |= app_labels
        for entry in entries:
            names = set()
            for run in _NAME_RUN.findall(str(entry.get("expr") or "")):
                parts = run.strip(".-").split("-")
                names |= {"-".join(parts[: i + 1]) for i in range(len(parts))}
            alerts.names |= names
            labels = entry.get("labels")
            if isinstance(labels, dict) and any(labels.get(k) for k in SLO_LABELS):
                alerts.slo_app_labels |= app_labels
                alerts.slo_names |= names
    return index


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


@rule(
    "PC015",
    "workload-without-alert-rule",
    family=FAMILY,
    severity=Severity.INFO,
    strict_severity=Severity.WARNING,
    kinds=WORKLOAD_KINDS,
)
def workload_without_alert_rule(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A workload behind a Service has no alerting PrometheusRule, or no SLO, for its app.

    Why: A workload that serves traffic can fail (errors, latency, crash loops) without
    anyone being paged. A PrometheusRule counts for the workload when it is in the same
    namespace, has at least one alert, and either carries the workload's
    app.kubernetes.io/name or app.kubernetes.io/part-of value as its own label, or names the
    workload in an alert expression (for example pod=~"web-.*"). Info in the recommended
    preset, a warning in strict. A workload that has alerts but no SLO burn-rate alert (an
    alert labelled slo, as the SLO construct renders, or sloth_slo) is reported too: fixed
    thresholds either page on noise or miss a slow burn that spends the month's error
    budget in days.
    Fix: Add a PrometheusRule with alerts on the app's error ratio, latency and restarts in
    its namespace; the App construct in this repo renders one, labelled with the app's name.
    For the SLO, set slos=(SLO(...),) on the workload's props.
    """
    namespace = manifest.namespace
    if namespace is None or not graph.selected_by(manifest, "Service"):
        return
    alerts = graph.cached("coverage:alerts", _alert_index).get(namespace)
    if alerts is not None:
        template = pod_template(manifest)
        sources = (manifest.labels, template.labels if template else {})
        mine = {str(labels[k]) for labels in sources for k in APP_LABELS if k in labels}
        if mine & alerts.app_labels or manifest.name in alerts.names:
            if mine & alerts.slo_app_labels or manifest.name in alerts.slo_names:
                return
            yield Violation(
                message=f'{manifest.kind} "{manifest.name}" has alerts but no SLO burn-rate '
                f'alert in namespace "{namespace}"',
                fix=SLO_FIX,
            )
            return
    yield Violation(
        message=f'no PrometheusRule in namespace "{namespace}" alerts on {manifest.kind} '
        f'"{manifest.name}"',
        fix=f"{SLO_FIX}; without an SLO, Alerts() on the workload renders fixed-threshold alerts",
    )


@rule(
    "PC016",
    "statefulset-headless-service-missing",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=["StatefulSet"],
)
def statefulset_headless_service_missing(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A StatefulSet's serviceName names no headless Service that selects its pods.

    Why: The governing Service gives each pod its stable DNS name (web-0.web.ns.svc), which
    is what peers, clients and replicas use to find one another. When the Service does not
    exist in the StatefulSet's namespace, is not headless (clusterIP: None) or does not
    select the pods, those names never resolve: replicas cannot join their cluster, although
    every pod runs. kube-score reports the same (statefulset-has-servicename). A StatefulSet
    without serviceName is left to the validator.
    Fix: Define a Service of that name in the same namespace, with clusterIP: None and a
    selector matching the pod template's labels, or point serviceName at the one that exists.
    """
    name = get(manifest, ("spec", "serviceName"))
    if not isinstance(name, str) or not name:
        return
    path = ("spec", "serviceName")
    service = graph.get("Service", name, manifest.namespace)
    if service is None or service.group != "":
        yield Violation(
            message=f'serviceName "{name}" names no Service in namespace "{manifest.namespace}"',
            path=path,
        )
        return
    if get(service, ("spec", "clusterIP")) != "None":
        yield Violation(
            message=f'Service "{name}" is not headless (clusterIP: None), so the pods get no '
            "stable DNS names",
            path=path,
        )
    raw = get(service, ("spec", "selector"))
    template = pod_template(manifest)
    labels = template.labels if template else {}
    if not isinstance(raw, dict) or not raw:
        return  # a Service without a selector has hand-made endpoints
    selector = map_selector(raw)
    if not selector_matches(selector, labels):
        yield Violation(
            message=f'Service "{name}" selects {selector_text(selector)}, which does not match '
            "the pod template's labels",
            path=path,
        )


RULES = (
    selector_template_mismatch,
    workload_without_alert_rule,
    statefulset_headless_service_missing,
)
