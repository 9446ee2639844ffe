"""``gitops slo``: every SLO of every env, read from rendered/: objective, period, the error
budget as time, each alert's burn factor and how long the budget lasts at that burn, and the
PromQL to read what is left. Also an OpenSLO v1 export for other SLO tools.

The SLOs come from the ``gitops.dev/slo`` records the SLO construct writes on each workload's
PrometheusRule, so this needs no Node.js and shows what is committed, not what would render.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from gitops.commands.choices import SLO_FORMATS
from gitops.errors import ConfigError, ExitCode, SourceError
from gitops.k8s.burn_rate import (
    SLO_ANNOTATION,
    BurnWindow,
    budget_seconds,
    burn_factor,
    decimal_text,
    exhaustion_seconds,
    human_duration,
    objective_fraction,
    parse_duration,
    promql_number,
    threshold,
)
from gitops.k8s.manifests import load
from gitops.k8s.promql import quote
from gitops.settings import RENDERED_DIR, Settings

FORMATS = SLO_FORMATS


@dataclass(frozen=True)
class SloView:
    env: str
    app: str
    namespace: str
    record: dict[str, Any]
    path: str

    @property
    def objective(self) -> Fraction:
        return objective_fraction(self.record["objective"])

    @property
    def period(self) -> int:
        return parse_duration(self.record["period"])

    @property
    def windows(self) -> list[BurnWindow]:
        return [
            BurnWindow(
                w["severity"], Fraction(w["budget_percent"]), w["long"], w["short"], w["for"]
            )
            for w in self.record["windows"]
        ]

    def remaining_query(self) -> str:
        selector = f"{{namespace={quote(self.namespace)}, slo={quote(self.record['name'])}}}"
        return f"namespace_slo:error_budget_remaining:ratio{self.record['period']}{selector}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "env": self.env,
            "app": self.app,
            "namespace": self.namespace,
            "workload": self.record["workload"],
            "slo": self.record["name"],
            "sli": self.record["sli"],
            "objective": self.record["objective"],
            "period": self.record["period"],
            "budget": human_duration(budget_seconds(self.objective, self.period)),
            "budget_seconds": decimal_text(budget_seconds(self.objective, self.period)),
            "remaining_budget_query": self.remaining_query(),
            "alerts": [
                {
                    "severity": w.severity,
                    "window": w.name,
                    "burn_factor": decimal_text(burn_factor(w, self.period)),
                    "error_ratio_threshold": promql_number(
                        threshold(w, self.period, self.objective)
                    ),
                    "budget_exhausted_in": human_duration(exhaustion_seconds(w, self.period)),
                }
                for w in self.windows
            ],
        }


def collect(settings: Settings, envs: Sequence[str], apps: Sequence[str]) -> list[SloView]:
    rendered = settings.rendered_dir
    if not rendered.is_dir():
        raise SourceError(f"{RENDERED_DIR}/ does not exist", fix="run 'gitops synth' first")
    files = sorted(str(p) for p in rendered.glob("*/*/prometheusrule.*.yaml"))
    found: list[SloView] = []
    for manifest in load(files).manifests:
        raw = manifest.annotations.get(SLO_ANNOTATION)
        if manifest.kind != "PrometheusRule" or raw is None:
            continue
        rel = Path(manifest.path).relative_to(rendered)
        env, app = rel.parts[0], rel.parts[1]
        try:
            records = json.loads(raw)
            # A list of the workload's SLOs; one record alone from renders before they shared
            # the workload's PrometheusRule.
            records = records if isinstance(records, list) else [records]
            for record in records:
                objective_fraction(record["objective"])
        except (ValueError, KeyError, TypeError) as exc:
            raise SourceError(
                f"{RENDERED_DIR}/{rel}:{manifest.line}: annotation {SLO_ANNOTATION} is not a "
                f"list of SLO records ({exc})",
                fix="run 'gitops synth' to render it again",
            ) from None
        namespace = manifest.namespace or app
        found += [SloView(env, app, namespace, r, f"{RENDERED_DIR}/{rel}") for r in records]
    for what, wanted, known in (
        ("environment", envs, {v.env for v in found}),
        ("app", apps, {v.app for v in found}),
    ):
        unknown = sorted(set(wanted) - known)
        if unknown:
            raise ConfigError(
                f"no SLO in rendered/ for {what} {', '.join(unknown)}",
                fix=f"use one with SLOs: {', '.join(sorted(known)) or '(none rendered)'}",
            )
    return sorted(
        (v for v in found if (not envs or v.env in envs) and (not apps or v.app in apps)),
        key=lambda v: (v.env, v.app, v.record["workload"], v.record["name"]),
    )


def text_report(views: Sequence[SloView]) -> str:
    lines = []
    for view in views:
        data = view.as_dict()
        lines.append(
            f"{data['env']}/{data['app']} {data['workload']} SLO {data['slo']} ({data['sli']}): "
            f"{data['objective']}% over {data['period']}, error budget {data['budget']}"
        )
        for alert in data["alerts"]:
            lines.append(
                f"  {alert['severity']:<7}{alert['window']:<8}burn {alert['burn_factor']}x "
                f"(error ratio > {alert['error_ratio_threshold']}): budget gone in "
                f"{alert['budget_exhausted_in']}"
            )
        lines.append(f"  remaining budget: {data['remaining_budget_query']}")
    return "\n".join(lines) + "\n" if lines else "no SLOs in rendered/\n"


def markdown_report(views: Sequence[SloView]) -> str:
    lines = [
        "| Env | App | SLO | Objective | Period | Error budget "
        "| Alerts (burn factor: budget gone in) |",
        "|---|---|---|---|---|---|---|",
    ]
    for view in views:
        data = view.as_dict()
        alerts = "<br>".join(
            f"{a['severity']} {a['window']} {a['burn_factor']}x: {a['budget_exhausted_in']}"
            for a in data["alerts"]
        )
        lines.append(
            f"| {data['env']} | {data['app']} | {data['slo']} ({data['sli']}) | "
            f"{data['objective']}% | {data['period']} | {data['budget']} | {alerts} |"
        )
    return "\n".join(lines) + "\n"


def openslo_documents(views: Sequence[SloView]) -> list[dict[str, Any]]:
    """OpenSLO v1 SLOs with inline ratio indicators, rolling windows, Occurrences budgeting."""
    documents = []
    for view in views:
        record = view.record
        name = f"{view.env}-{view.app}-{record['name']}"

        def source(query: str) -> dict[str, Any]:
            return {"metricSource": {"type": "Prometheus", "spec": {"query": query}}}

        documents.append(
            {
                "apiVersion": "openslo/v1",
                "kind": "SLO",
                "metadata": {
                    "name": name,
                    "displayName": f"{view.app} {record['name']} ({view.env})",
                    "labels": {"env": [view.env], "namespace": [view.namespace]},
                },
                "spec": {
                    "description": record.get("description") or f"{record['name']} of {view.app}",
                    "service": view.app,
                    "indicator": {
                        "metadata": {"name": f"{name}-sli"},
                        "spec": {
                            "ratioMetric": {
                                "counter": False,
                                "bad": source(record["errors_query"]),
                                "total": source(record["total_query"]),
                            }
                        },
                    },
                    "timeWindow": [{"duration": record["period"], "isRolling": True}],
                    "budgetingMethod": "Occurrences",
                    "objectives": [
                        {
                            "displayName": record["name"],
                            "target": float(view.objective),
                        }
                    ],
                },
            }
        )
    return documents


def run_slo(
    settings: Settings,
    *,
    envs: Sequence[str],
    apps: Sequence[str],
    output_format: str,
    echo: Callable[[str], None],
) -> int:
    views = collect(settings, envs, apps)
    if output_format == "json":
        echo(json.dumps({"slos": [v.as_dict() for v in views]}, indent=2, sort_keys=True) + "\n")
    elif output_format == "markdown":
        echo(markdown_report(views))
    elif output_format == "openslo":
        echo(
            yaml.safe_dump_all(
                openslo_documents(views), sort_keys=False, explicit_start=True, width=10**6
            )
        )
    else:
        echo(text_report(views))
    return ExitCode.OK
