"""PQ: PromQL: every expression Prometheus or Argo Rollouts will evaluate parses, and rules
are shaped so people can find and route them.

Expressions go through the real PromQL parser (``promql-parser``, the Rust parser bound for
Python), in PrometheusRules (this repo's and third-party files alike) and in the Prometheus
queries of AnalysisTemplates, where Argo Rollouts' ``{{args.x}}`` placeholders are replaced
by a plain word first.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from gitops.findings import Severity
from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import Manifest
from gitops.k8s.promql import (
    RECORD_NAME,
    analysis_queries,
    parse_error,
    prometheus_rules,
    without_templates,
)
from gitops.rules.registry import Violation, rule

FAMILY = "promql"
MONITORING_GROUP = "monitoring.coreos.com"
ANALYSIS_KINDS = frozenset({"AnalysisTemplate", "ClusterAnalysisTemplate", "AnalysisRun"})


def _rules(manifest: Manifest) -> Iterator[tuple[Mapping[str, Any], tuple[str | int, ...]]]:
    if manifest.kind == "PrometheusRule" and manifest.group == MONITORING_GROUP:
        for entry in prometheus_rules(manifest.body):
            yield entry.rule, entry.path


def _label(entry: Mapping[str, Any]) -> str:
    name = entry.get("alert") or entry.get("record")
    kind = "alert" if entry.get("alert") else "recording rule"
    return f'{kind} "{name}"' if name else "rule"


@rule(
    "PQ001",
    "invalid-promql",
    family=FAMILY,
    severity=Severity.ERROR,
    kinds=("PrometheusRule", *sorted(ANALYSIS_KINDS)),
)
def invalid_promql(manifest: Manifest, graph: ObjectGraph, options: Any) -> Iterator[Violation]:
    """A PromQL expression does not parse.

    Why: Prometheus rejects the whole rule file when one expression is invalid, so none of
    its alerts load (prometheus-operator reports it only in its own logs); an invalid
    AnalysisTemplate query fails every measurement, so the canary aborts. The finding is at
    the rule's expr line and quotes the parser's message. AnalysisTemplate queries are
    parsed with their {{args.x}} placeholders replaced by a plain word.
    Fix: Correct the expression (the message names what the parser expected); try it in the
    Prometheus expression browser first. For SLO rules, fix the selector in the SLO props.
    """
    for entry, path in _rules(manifest):
        expr = entry.get("expr")
        if expr is None:
            continue
        problem = parse_error(str(expr))
        if problem:
            yield Violation(
                message=f"{_label(entry)}: expr is not valid PromQL: {problem}",
                path=(*path, "expr"),
            )
    if manifest.kind in ANALYSIS_KINDS:
        for query, path in analysis_queries(manifest.body):
            problem = parse_error(without_templates(query))
            if problem:
                yield Violation(message=f"query is not valid PromQL: {problem}", path=path)


@rule(
    "PQ002",
    "recording-rule-name",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=("PrometheusRule",),
)
def recording_rule_name(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A recording rule's name does not follow level:metric:operations.

    Why: Prometheus' naming convention for recorded series (level = the labels kept, metric
    = the source metric, operations = what was applied, e.g. namespace:http_requests:rate5m)
    tells a reader what a series holds and keeps it apart from scraped metrics, which never
    contain colons; a recorded name without colons can collide with a real metric.
    Fix: Rename the rule to level:metric:operations, e.g. namespace_slo:sli_errors:rate5m,
    and update the expressions and dashboards that read it.
    """
    for entry, path in _rules(manifest):
        name = entry.get("record")
        if isinstance(name, str) and not RECORD_NAME.fullmatch(name):
            yield Violation(
                message=f'recording rule "{name}" is not named level:metric:operations',
                path=(*path, "record"),
            )


@rule(
    "PQ003",
    "incomplete-alert-rule",
    family=FAMILY,
    severity=Severity.WARNING,
    kinds=("PrometheusRule",),
)
def incomplete_alert_rule(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """An alert has no for duration, severity label or summary annotation.

    Why: Without for, one bad scrape pages someone; without a severity label, Alertmanager
    cannot tell a page from a ticket; without a summary, the page says nothing about what
    broke. Each missing part is named.
    Fix: Give the alert for: (e.g. 5m), labels: {severity: critical|warning|page|ticket} and
    annotations: {summary: ...}.
    """
    for entry, path in _rules(manifest):
        if not entry.get("alert"):
            continue
        labels = entry.get("labels")
        annotations = entry.get("annotations")
        missing = [
            what
            for what, present in (
                ("for", bool(entry.get("for"))),
                ("a severity label", isinstance(labels, Mapping) and labels.get("severity")),
                (
                    "a summary annotation",
                    isinstance(annotations, Mapping) and annotations.get("summary"),
                ),
            )
            if not present
        ]
        if missing:
            yield Violation(
                message=f"{_label(entry)} is missing {', '.join(missing)}",
                path=(*path, "alert"),
            )


RULES = (invalid_promql, recording_rule_name, incomplete_alert_rule)
