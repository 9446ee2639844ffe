"""The PrometheusRule of one SLO: recording rules, one burn-rate alert per window pair.

Recording rules, all labelled ``slo`` and aggregated ``by (namespace)``:

- ``namespace_slo:sli_error:ratio_rate<w>`` (errors / total) for every alert window, and
  ``namespace_slo:sli_errors:rate5m`` and ``namespace_slo:sli_total:rate5m`` (plus
  ``namespace_slo:sli_total:rate<long>`` for the minimum-traffic guard);
- the period SLI as a ratio of sums, not an average of ratios (which over-weights quiet
  hours): ``namespace_slo:sli_errors:avg_rate<period>`` and ``..._total:avg_rate<period>``
  average the 5m rates, and their quotient ``namespace_slo:sli_error:ratio_rate<period>``
  weighs every request the same;
- ``namespace_slo:error_budget_remaining:ratio<period>`` (1 = untouched, 0 = spent) and
  ``namespace_slo:objective:ratio``.

Each alert fires when the error ratio exceeds ``factor x (1 - objective)`` over both its long
and its short window, printed as an exact number (``0.0144``, ``(7 / 7500)``).

The user's selectors are parsed when the SLO is built; the expressions built from them here
are not parsed again at synth (it would double the render cost of an SLO): the tests parse
every shape this module generates, and ``gitops check`` parses every rendered one (PQ001).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from gitops.constructs.app import WorkloadRef
from gitops.constructs.meta import metadata
from gitops.constructs.slo import SLO, LatencySLI, RatioSLI
from gitops.k8s.burn_rate import (
    SLO_ANNOTATION,
    BurnWindow,
    burn_factor,
    decimal_text,
    exhaustion_seconds,
    human_duration,
    parse_duration,
    prometheus_duration,
    promql_number,
    threshold,
)
from gitops.k8s.promql import parse_selector, quote

BASE_WINDOW = "5m"
Matchers = tuple[tuple[str, str, str], ...]


def workload_matchers(target: WorkloadRef) -> Matchers:
    """This workload's series: its namespace, and pod names ``<name>-<hash>-<suffix>``."""
    return (
        ("namespace", "=", target.namespace),
        ("pod", "=~", f"{target.name}-[a-z0-9]+-[a-z0-9]+"),
    )


def _rate(selector: str, scope: Matchers, window: str, suffix: str = "") -> str:
    parsed = parse_selector(selector)
    return f"rate({replace(parsed, metric=parsed.metric + suffix).render(scope)}[{window}])"


def sli_queries(slo: SLO, scope: Matchers, window: str) -> tuple[str, str]:
    """PromQL for the rate of bad events and of all events over ``window``, by namespace."""
    sli = slo.sli
    if isinstance(sli, RatioSLI):
        total = f"sum by (namespace) ({_rate(sli.total, scope, window)})"
        if sli.errors is not None:
            return f"sum by (namespace) ({_rate(sli.errors, scope, window)})", total
        good = f"sum by (namespace) ({_rate(sli.good or '', scope, window)})"
        return f"{total}\n-\n{good}", total
    assert isinstance(sli, LatencySLI)
    if sli.native:
        hist = f"sum by (namespace) ({_rate(sli.histogram, scope, window)})"
        total = f"histogram_count({hist})"
        return f"{total}\n*\n(1 - histogram_fraction(0, {sli.threshold}, {hist}))", total
    total = f"sum by (namespace) ({_rate(sli.histogram, scope, window, '_count')})"
    le = (*scope, ("le", "=", sli.threshold))
    good = f"sum by (namespace) ({_rate(sli.histogram, le, window, '_bucket')})"
    return f"{total}\n-\n{good}", total


@dataclass(frozen=True)
class RuleContext:
    """What an SLO's rules need besides the SLO: the workload, and the env's settings."""

    target: WorkloadRef
    labels: Mapping[str, str]
    """Labels the env's Prometheus ``ruleSelector`` wants on the PrometheusRule."""
    runbook_base: str | None


def rule_name(target: WorkloadRef, slo: SLO) -> str:
    return f"{target.name}-slo-{slo.name}"


def alert_name(target: WorkloadRef, slo: SLO) -> str:
    return "".join(p.capitalize() for p in f"{target.name}-{slo.name}".split("-")) + "BudgetBurn"


def alert_windows(slo: SLO) -> list[str]:
    """Every window an alert reads, and the 5m base of the period SLI, shortest first."""
    seconds = {parse_duration(BASE_WINDOW)}
    for window in slo.windows:
        seconds |= {window.long_seconds, window.short_seconds}
    return [prometheus_duration(s) for s in sorted(seconds)]


def _series(name: str, ns: str, slo: SLO) -> str:
    return f"{name}{{namespace={quote(ns)}, slo={quote(slo.name)}}}"


def slo_prometheus_rule(slo: SLO, ctx: RuleContext) -> dict[str, Any]:
    target, ns = ctx.target, ctx.target.namespace
    scope = workload_matchers(target)
    slo_labels = {"slo": slo.name}
    recordings: list[dict[str, Any]] = []

    def record(name: str, expr: str, labels: Mapping[str, str] = slo_labels) -> None:
        recordings.append({"record": name, "expr": expr, "labels": dict(labels)})

    guarded = {w.long for w in slo.windows} if slo.min_events is not None else set()
    for window in alert_windows(slo):
        errors, total = sli_queries(slo, scope, window)
        if window == BASE_WINDOW:  # the period SLI sums these
            record(f"namespace_slo:sli_errors:rate{window}", errors)
            record(f"namespace_slo:sli_total:rate{window}", total)
            ratio = (
                f"{_series(f'namespace_slo:sli_errors:rate{window}', ns, slo)}\n/\n"
                f"{_series(f'namespace_slo:sli_total:rate{window}', ns, slo)}"
            )
        else:
            ratio = f"(\n{errors}\n)\n/\n{total}"
            if window in guarded:  # the minimum-traffic guard reads it
                record(f"namespace_slo:sli_total:rate{window}", total)
        record(f"namespace_slo:sli_error:ratio_rate{window}", ratio)
    period, budget = slo.period, 1 - slo.objective_ratio
    period_rules: list[dict[str, Any]] = []
    for what in ("errors", "total"):
        source = _series(f"namespace_slo:sli_{what}:rate{BASE_WINDOW}", ns, slo)
        name = f"namespace_slo:sli_{what}:avg_rate{period}"
        period_rules.append(
            {
                "record": name,
                "expr": f"avg_over_time({source}[{period}])",
                "labels": dict(slo_labels),
            }
        )
    ratio = f"namespace_slo:sli_error:ratio_rate{period}"
    remaining = f"namespace_slo:error_budget_remaining:ratio{period}"
    for name, expr in (
        (
            ratio,
            f"{_series(f'namespace_slo:sli_errors:avg_rate{period}', ns, slo)}\n/\n"
            f"{_series(f'namespace_slo:sli_total:avg_rate{period}', ns, slo)}",
        ),
        (remaining, f"1 - {_series(ratio, ns, slo)} / {promql_number(budget)}"),
    ):
        period_rules.append({"record": name, "expr": expr, "labels": dict(slo_labels)})
    period_rules.append(
        {
            "record": "namespace_slo:objective:ratio",
            "expr": f"vector({promql_number(slo.objective_ratio)})",
            "labels": {"namespace": ns, **slo_labels},
        }
    )
    alerts = [_alert(slo, window, ctx) for window in slo.windows]
    groups = [
        {"name": f"{rule_name(target, slo)}.sli", "rules": recordings},
        {"name": f"{rule_name(target, slo)}.period", "interval": "5m", "rules": period_rules},
        {"name": f"{rule_name(target, slo)}.alerts", "rules": alerts},
    ]
    annotations = {SLO_ANNOTATION: slo_record(slo, ctx)}
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": metadata(
            rule_name(target, slo), ns, {**target.labels(), **ctx.labels}, annotations
        ),
        "spec": {"groups": groups},
    }


def runbook(slo: SLO, ctx: RuleContext) -> str | None:
    if slo.runbook_url:
        return slo.runbook_url
    if ctx.runbook_base:
        return f"{ctx.runbook_base.rstrip('/')}/{ctx.target.app}/{slo.name}"
    return None


def _alert(slo: SLO, window: BurnWindow, ctx: RuleContext) -> dict[str, Any]:
    ns, period = ctx.target.namespace, slo.period_seconds
    factor = burn_factor(window, period)
    limit = promql_number(threshold(window, period, slo.objective_ratio))
    parts = [
        f"{_series(f'namespace_slo:sli_error:ratio_rate{w}', ns, slo)} > {limit}"
        for w in (window.long, window.short)
    ]
    if slo.min_events is not None:
        total = _series(f"namespace_slo:sli_total:rate{window.long}", ns, slo)
        parts.append(f"{total} * {window.long_seconds} >= {slo.min_events}")
    expr = "\n" + "\nand\n".join(parts) + "\n"
    shown_factor = decimal_text(factor, places=4) if factor.denominator != 1 else str(factor)
    exhaustion = human_duration(exhaustion_seconds(window, period))
    spent = f"{decimal_text(window.budget_percent)}% of the {slo.period} budget in {window.long}"
    above = decimal_text(threshold(window, period, slo.objective_ratio), places=6)
    annotations = {
        "summary": f"{ctx.target.name} SLO {slo.name} ({slo.objective}% over {slo.period}): "
        f"error budget burning {shown_factor}x over {window.long}",
        "description": (
            f"The error ratio is above {above} "
            f"over both {window.long} and {window.short}: a burn rate of {shown_factor}x, "
            f"which spends {spent} and the whole budget in {exhaustion}."
            + (f" {slo.description}" if slo.description else "")
        ),
        "budget_spent": spent,
    }
    url = runbook(slo, ctx)
    if url:
        annotations["runbook_url"] = url
    return {
        "alert": alert_name(ctx.target, slo),
        "expr": expr.strip() + "\n",
        "for": window.for_,
        "labels": {
            "slo": slo.name,
            "severity": window.severity,
            "window": window.name,
            "burn_rate": shown_factor,
        },
        "annotations": annotations,
    }


def slo_record(slo: SLO, ctx: RuleContext) -> str:
    """The SLO as compact, key-sorted JSON (deterministic bytes), for ``gitops slo``."""
    errors, total = sli_queries(slo, workload_matchers(ctx.target), BASE_WINDOW)
    record = {
        "name": slo.name,
        "workload": ctx.target.name,
        "objective": decimal_text(slo.objective_ratio * 100),
        "period": slo.period,
        "description": slo.description,
        "sli": "latency" if isinstance(slo.sli, LatencySLI) else "ratio",
        "errors_query": " ".join(errors.split()),
        "total_query": " ".join(total.split()),
        "windows": [
            {
                "severity": w.severity,
                "budget_percent": decimal_text(w.budget_percent),
                "long": w.long,
                "short": w.short,
                "for": w.for_,
            }
            for w in slo.windows
        ],
    }
    return json.dumps(record, sort_keys=True, separators=(",", ":"))
