"""An SLO's rule groups (recording rules, one burn-rate alert per window pair), which go into
the workload's PrometheusRule next to its other alerts.

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

Every group is named after the workload and the SLO (``<workload>-slo-<name>.sli``,
``.period``, ``.alerts``), so the names stay unique in the workload's PrometheusRule; the
operator loads each group as it would from a PrometheusRule of its own. The SLOs' records
for ``gitops slo`` are a JSON list in the object's ``gitops.dev/slo`` annotation.

Cost: a render builds these for every workload and env, so what depends only on the SLO (the
burn-rate arithmetic, annotation texts, the selectors' own matchers) is computed once per SLO
and only the workload's namespace and pod matchers are filled in per workload. The user's
selectors are parsed when the SLO is built; the expressions built from them here are not
parsed again at synth (it would double the render cost of an SLO): the tests parse every
shape this module generates, and ``gitops check`` parses every rendered one (PQ001).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
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
    """This workload's series: its namespace, and the names its kind gives its pods
    (``<name>-<hash>-<suffix>`` for a Deployment or Rollout)."""
    return (
        ("namespace", "=", target.namespace),
        ("pod", "=~", target.pod_name_pattern()),
    )


@lru_cache(maxsize=1024)
def _own(selector: str, suffix: str) -> tuple[str, str]:
    """The metric name (plus ``suffix``) of ``selector`` and its own matchers as PromQL."""
    parsed = parse_selector(selector)
    own = ", ".join(f"{name}{op}{quote(value)}" for name, op, value in parsed.matchers)
    return parsed.metric + suffix, own


def _matchers_text(scope: Matchers) -> str:
    return ", ".join(f"{name}{op}{quote(value)}" for name, op, value in scope)


def _rate(selector: str, scope: str, window: str, suffix: str = "") -> str:
    """``rate(<selector>{<scope>, <its own matchers>}[window])``; ``scope`` is PromQL text."""
    metric, own = _own(selector, suffix)
    matchers = f"{scope}, {own}" if scope and own else scope or own
    return f"rate({metric}{{{matchers}}}[{window}])" if matchers else f"rate({metric}[{window}])"


def sli_queries(slo: SLO, scope: Matchers, window: str) -> tuple[str, str]:
    """PromQL for the rate of bad events and of all events over ``window``, by namespace."""
    return _sli_queries(slo, _matchers_text(scope), window)


def _sli_queries(slo: SLO, scope: str, window: str) -> tuple[str, str]:
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
    le = ", ".join(filter(None, (scope, _matchers_text((("le", "=", sli.threshold),)))))
    good = f"sum by (namespace) ({_rate(sli.histogram, le, window, '_bucket')})"
    return f"{total}\n-\n{good}", total


@dataclass(frozen=True)
class RuleContext:
    """What an SLO's rules need besides the SLO: the workload, and the env's settings."""

    target: WorkloadRef
    labels: Mapping[str, str]
    """Labels the env's Prometheus ``ruleSelector`` wants on the PrometheusRule."""
    runbook_base: str | None


def group_prefix(target: WorkloadRef, slo: SLO) -> str:
    """``<workload>-slo-<name>``: the start of the names of the SLO's rule groups."""
    return f"{target.name}-slo-{slo.name}"


def alert_name(target: WorkloadRef, slo: SLO) -> str:
    return "".join(p.capitalize() for p in f"{target.name}-{slo.name}".split("-")) + "BudgetBurn"


@lru_cache(maxsize=256)
def alert_windows(slo: SLO) -> tuple[str, ...]:
    """Every window an alert reads, and the 5m base of the period SLI, shortest first."""
    seconds = {parse_duration(BASE_WINDOW)}
    for window in slo.windows:
        seconds |= {window.long_seconds, window.short_seconds}
    return tuple(prometheus_duration(s) for s in sorted(seconds))


@dataclass(frozen=True)
class _AlertShape:
    """What one window's alert says that depends on the SLO alone."""

    window: BurnWindow
    limit: str
    burn_rate: str
    summary: str
    """The summary after the workload's name."""
    description: str
    budget_spent: str


@lru_cache(maxsize=256)
def _alert_shapes(slo: SLO) -> tuple[_AlertShape, ...]:
    period = slo.period_seconds
    shapes = []
    for window in slo.windows:
        factor = burn_factor(window, period)
        shown = decimal_text(factor, places=4) if factor.denominator != 1 else str(factor)
        exhaustion = human_duration(exhaustion_seconds(window, period))
        percent = decimal_text(window.budget_percent)
        spent = f"{percent}% of the {slo.period} budget in {window.long}"
        above = decimal_text(threshold(window, period, slo.objective_ratio), places=6)
        shapes.append(
            _AlertShape(
                window=window,
                limit=promql_number(threshold(window, period, slo.objective_ratio)),
                burn_rate=shown,
                summary=f" SLO {slo.name} ({slo.objective}% over {slo.period}): "
                f"error budget burning {shown}x over {window.long}",
                description=(
                    f"The error ratio is above {above} "
                    f"over both {window.long} and {window.short}: a burn rate of {shown}x, "
                    f"which spends {spent} and the whole budget in {exhaustion}."
                    + (f" {slo.description}" if slo.description else "")
                ),
                budget_spent=spent,
            )
        )
    return tuple(shapes)


@lru_cache(maxsize=256)
def _numbers(slo: SLO) -> tuple[str, str]:
    """The error budget and the objective as exact PromQL numbers."""
    return promql_number(1 - slo.objective_ratio), promql_number(slo.objective_ratio)


def slo_groups(slo: SLO, ctx: RuleContext) -> list[dict[str, Any]]:
    """The SLO's three rule groups: ``.sli`` (error ratio over every window), ``.period``
    (the period SLI as a ratio of sums, remaining budget, objective) and ``.alerts``."""
    target, ns = ctx.target, ctx.target.namespace
    scope = _matchers_text(workload_matchers(target))
    sel = f"{{namespace={quote(ns)}, slo={quote(slo.name)}}}"
    labels = {"slo": slo.name}
    recordings: list[dict[str, Any]] = []

    def record(name: str, expr: str) -> None:
        recordings.append({"record": name, "expr": expr, "labels": dict(labels)})

    guarded = {w.long for w in slo.windows} if slo.min_events is not None else set()
    for window in alert_windows(slo):
        errors, total = _sli_queries(slo, scope, window)
        if window == BASE_WINDOW:  # the period SLI sums these
            record(f"namespace_slo:sli_errors:rate{window}", errors)
            record(f"namespace_slo:sli_total:rate{window}", total)
            ratio = (
                f"namespace_slo:sli_errors:rate{window}{sel}\n/\n"
                f"namespace_slo:sli_total:rate{window}{sel}"
            )
        else:
            ratio = f"(\n{errors}\n)\n/\n{total}"
            if window in guarded:  # the minimum-traffic guard reads it
                record(f"namespace_slo:sli_total:rate{window}", total)
        record(f"namespace_slo:sli_error:ratio_rate{window}", ratio)
    period = slo.period
    budget, objective = _numbers(slo)
    ratio = f"namespace_slo:sli_error:ratio_rate{period}"
    period_rules = [
        {
            "record": f"namespace_slo:sli_{what}:avg_rate{period}",
            "expr": f"avg_over_time(namespace_slo:sli_{what}:rate{BASE_WINDOW}{sel}[{period}])",
            "labels": dict(labels),
        }
        for what in ("errors", "total")
    ]
    period_rules += [
        {
            "record": ratio,
            "expr": f"namespace_slo:sli_errors:avg_rate{period}{sel}\n/\n"
            f"namespace_slo:sli_total:avg_rate{period}{sel}",
            "labels": dict(labels),
        },
        {
            "record": f"namespace_slo:error_budget_remaining:ratio{period}",
            "expr": f"1 - {ratio}{sel} / {budget}",
            "labels": dict(labels),
        },
        {
            "record": "namespace_slo:objective:ratio",
            "expr": f"vector({objective})",
            "labels": {"namespace": ns, **labels},
        },
    ]
    prefix = group_prefix(target, slo)
    return [
        {"name": f"{prefix}.sli", "rules": recordings},
        {"name": f"{prefix}.period", "interval": "5m", "rules": period_rules},
        {"name": f"{prefix}.alerts", "rules": _alerts(slo, ctx, sel)},
    ]


def runbook(slo: SLO, ctx: RuleContext) -> str | None:
    if slo.runbook_url:
        return slo.runbook_url
    if ctx.runbook_base:
        return f"{ctx.runbook_base.rstrip('/')}/{ctx.target.app}/{slo.name}"
    return None


def _alerts(slo: SLO, ctx: RuleContext, sel: str) -> list[dict[str, Any]]:
    name, url = alert_name(ctx.target, slo), runbook(slo, ctx)
    alerts = []
    for shape in _alert_shapes(slo):
        window = shape.window
        expr = (
            f"namespace_slo:sli_error:ratio_rate{window.long}{sel} > {shape.limit}\nand\n"
            f"namespace_slo:sli_error:ratio_rate{window.short}{sel} > {shape.limit}\n"
        )
        if slo.min_events is not None:
            expr += (
                f"and\nnamespace_slo:sli_total:rate{window.long}{sel} * {window.long_seconds} "
                f">= {slo.min_events}\n"
            )
        annotations = {
            "summary": ctx.target.name + shape.summary,
            "description": shape.description,
            "budget_spent": shape.budget_spent,
        }
        if url:
            annotations["runbook_url"] = url
        alerts.append(
            {
                "alert": name,
                "expr": expr,
                "for": window.for_,
                "labels": {
                    "slo": slo.name,
                    "severity": window.severity,
                    "window": window.name,
                    "burn_rate": shape.burn_rate,
                },
                "annotations": annotations,
            }
        )
    return alerts


@lru_cache(maxsize=256)
def _record_fields(slo: SLO) -> tuple[tuple[str, Any], ...]:
    return (
        ("name", slo.name),
        ("objective", decimal_text(slo.objective_ratio * 100)),
        ("period", slo.period),
        ("description", slo.description),
        ("sli", "latency" if isinstance(slo.sli, LatencySLI) else "ratio"),
        (
            "windows",
            [
                {
                    "severity": w.severity,
                    "budget_percent": decimal_text(w.budget_percent),
                    "long": w.long,
                    "short": w.short,
                    "for": w.for_,
                }
                for w in slo.windows
            ],
        ),
    )


def slo_record(slo: SLO, ctx: RuleContext) -> dict[str, Any]:
    """What ``gitops slo`` reads about the SLO (JSON data)."""
    errors, total = _sli_queries(slo, _matchers_text(workload_matchers(ctx.target)), BASE_WINDOW)
    return {
        **dict(_record_fields(slo)),
        "workload": ctx.target.name,
        "errors_query": " ".join(errors.split()),
        "total_query": " ".join(total.split()),
    }


def with_slos(
    rule: dict[str, Any] | None, slos: tuple[SLO, ...], ctx: RuleContext
) -> dict[str, Any] | None:
    """The workload's PrometheusRule (``rule``, its alerts; or a new one named after the
    workload when it has none) with every SLO's rule groups added, and the SLOs' records as
    compact, key-sorted JSON (deterministic bytes) in its ``gitops.dev/slo`` annotation."""
    if not slos:
        return rule
    target = ctx.target
    if rule is None:
        rule = {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "PrometheusRule",
            "metadata": metadata(target.name, target.namespace, {**target.labels(), **ctx.labels}),
            "spec": {"groups": []},
        }
    for slo in slos:
        rule["spec"]["groups"] += slo_groups(slo, ctx)
    records = [slo_record(slo, ctx) for slo in slos]
    annotations = rule["metadata"].setdefault("annotations", {})
    annotations[SLO_ANNOTATION] = json.dumps(records, sort_keys=True, separators=(",", ":"))
    return rule
