"""The SLO construct: generated rules, alerts, canary analysis, dashboard and validation."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from gitops.constructs import (
    SLO,
    CanaryAnalysis,
    LatencySLI,
    Metrics,
    RatioSLI,
    WebService,
    WebServiceProps,
    Worker,
    WorkerProps,
)
from gitops.constructs.environment import Environment, Features, Monitoring
from gitops.constructs.rollout import Canary, Pause, SetWeight
from gitops.k8s.promql import analysis_queries, parse_error, prometheus_rules, without_templates
from tests.constructs.helpers import build

IMAGE = "ghcr.io/acme/demo:1.0.0"
ERRORS = 'http_requests_total{code=~"5.."}'
AVAILABILITY = SLO(
    name="availability", objective=99.9, sli=RatioSLI(errors=ERRORS, total="http_requests_total")
)
LATENCY = SLO(
    name="latency",
    objective=99,
    sli=LatencySLI(histogram="http_request_duration_seconds", threshold="0.5"),
)
CANARY_ENV = Environment(
    name="test",
    cluster="test-cluster",
    kubernetes_version="1.31",
    features=Features(canary=True),
    monitoring=Monitoring(
        labels={"release": "kube-prometheus-stack"},
        runbook_base="https://runbooks.example.com/slo/",
        prometheus_url="http://prometheus.monitoring.svc:9090",
    ),
)


def web(
    *slos: SLO, canary: Canary | None = None, env: Environment = CANARY_ENV
) -> dict[tuple[str, str], dict[str, Any]]:
    return build(
        lambda chart: WebService(
            chart,
            "web",
            WebServiceProps(image=IMAGE, metrics=Metrics(), slos=slos, canary=canary),
        ),
        env,
    )


def alerts(rule: dict[str, Any], slo: str | None = None) -> list[dict[str, Any]]:
    """The alerts of ``rule``; with ``slo``, only that SLO's burn-rate alerts."""
    return [
        e.rule  # type: ignore[misc]
        for e in prometheus_rules(rule)
        if "alert" in e.rule and (slo is None or e.rule["labels"].get("slo") == slo)
    ]


def records(rule: dict[str, Any], slo: str) -> dict[str, str]:
    """``slo``'s recording rules in ``rule``: name -> expression."""
    return {
        e.rule["record"]: e.rule["expr"]
        for e in prometheus_rules(rule)
        if "record" in e.rule and e.rule["labels"]["slo"] == slo
    }


def test_golden_30d_alerts() -> None:
    rule = web(AVAILABILITY)[("PrometheusRule", "demo")]
    assert rule["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    got = [
        (a["labels"]["severity"], a["labels"]["window"], a["labels"]["burn_rate"], a["for"],
         re.findall(r"> (\S+)", a["expr"]))
        for a in alerts(rule, "availability")
    ]  # fmt: skip
    assert got == [
        ("page", "1h/5m", "14.4", "2m", ["0.0144", "0.0144"]),
        ("page", "6h/30m", "6", "15m", ["0.006", "0.006"]),
        ("ticket", "1d/2h", "3", "1h", ["0.003", "0.003"]),
        ("ticket", "3d/6h", "1", "3h", ["0.001", "0.001"]),
    ]
    first = alerts(rule, "availability")[0]
    assert first["alert"] == "DemoAvailabilityBudgetBurn"
    assert first["labels"]["slo"] == "availability"
    assert first["expr"] == (
        'namespace_slo:sli_error:ratio_rate1h{namespace="demo", slo="availability"} > 0.0144\n'
        "and\n"
        'namespace_slo:sli_error:ratio_rate5m{namespace="demo", slo="availability"} > 0.0144\n'
    )
    notes = first["annotations"]
    assert notes["runbook_url"] == "https://runbooks.example.com/slo/demo/availability"
    assert notes["budget_spent"] == "2% of the 30d budget in 1h"
    assert "whole budget in 2d2h" in notes["description"]
    assert notes["summary"].startswith("demo SLO availability (99.9% over 30d)")


def test_golden_28d_alerts_are_exact() -> None:
    slo = SLO(name="availability", objective=99.9, period="28d", sli=AVAILABILITY.sli)
    rule = web(slo)[("PrometheusRule", "demo")]
    got = [
        (a["labels"]["burn_rate"], re.findall(r"> (\S+(?: / \S+)?)", a["expr"])[0])
        for a in alerts(rule, "availability")
    ]
    assert got == [
        ("13.44", "0.01344"),
        ("5.6", "0.0056"),
        ("2.8", "0.0028"),
        ("0.9333", "(7 / 7500)"),
    ]
    assert "namespace_slo:sli_error:ratio_rate28d" in records(rule, "availability")


def test_period_sli_is_a_ratio_of_sums() -> None:
    recorded = records(web(AVAILABILITY)[("PrometheusRule", "demo")], "availability")
    errors = recorded["namespace_slo:sli_errors:avg_rate30d"]
    total = recorded["namespace_slo:sli_total:avg_rate30d"]
    assert (
        errors
        == 'avg_over_time(namespace_slo:sli_errors:rate5m{namespace="demo", slo="availability"}[30d])'
    )
    assert (
        total
        == 'avg_over_time(namespace_slo:sli_total:rate5m{namespace="demo", slo="availability"}[30d])'
    )
    ratio = recorded["namespace_slo:sli_error:ratio_rate30d"]
    assert "sli_errors:avg_rate30d" in ratio and "sli_total:avg_rate30d" in ratio
    # never an average of ratios
    assert not any("avg_over_time(namespace_slo:sli_error:ratio" in e for e in recorded.values())
    assert recorded["namespace_slo:error_budget_remaining:ratio30d"].endswith("/ 0.001")


def test_every_window_recorded_with_namespace_kept() -> None:
    recorded = records(web(AVAILABILITY)[("PrometheusRule", "demo")], "availability")
    for name in ("sli_errors", "sli_total"):
        expr = recorded[f"namespace_slo:{name}:rate5m"]
        assert expr.startswith("sum by (namespace) (") and 'namespace="demo"' in expr
    for window in ("30m", "1h", "2h", "6h", "1d", "3d"):
        expr = recorded[f"namespace_slo:sli_error:ratio_rate{window}"]
        assert expr.count("sum by (namespace) (") == 2 and expr.count('namespace="demo"') == 2
        assert expr.count(f"[{window}]") == 2


def test_min_traffic_guard() -> None:
    slo = SLO(name="availability", objective=99.9, sli=AVAILABILITY.sli, min_events=100)
    first = alerts(web(slo)[("PrometheusRule", "demo")], "availability")[0]
    assert first["expr"].endswith(
        'and\nnamespace_slo:sli_total:rate1h{namespace="demo", slo="availability"} * 3600 >= 100\n'
    )


def test_never_firing_alert_is_an_error_naming_slo_and_alert() -> None:
    with pytest.raises(ValueError) as caught:
        SLO(name="availability", objective=90, sli=AVAILABILITY.sli)
    message = str(caught.value)
    assert "SLO 'availability' alert page 1h/5m could never fire" in message
    assert "burn factor 14.4 x error budget 0.1 = 1.44 >= 1" in message


def test_latency_threshold_must_be_a_declared_bucket() -> None:
    with pytest.raises(
        ValueError, match=r"threshold .0.3. is not a bucket boundary .*\(buckets: 0.005"
    ):
        LatencySLI(histogram="http_request_duration_seconds", threshold="0.3")
    LatencySLI(histogram="h", threshold="0.3", buckets=("0.1", "0.3", "1"))
    LatencySLI(histogram="h", threshold="0.3", native=True)


def test_latency_rules_count_slow_requests() -> None:
    recorded = records(web(LATENCY)[("PrometheusRule", "demo")], "latency")
    errors = recorded["namespace_slo:sli_errors:rate5m"]
    assert "http_request_duration_seconds_count{" in errors
    assert 'le="0.5"}[5m]' in errors and "\n-\n" in errors


@pytest.mark.parametrize(
    ("sli", "message"),
    [
        (lambda: RatioSLI(errors="sum(x)", total="x"), "must be a metric selector"),
        (lambda: RatioSLI(errors='x{code=~"5.."', total="x"), "not valid PromQL"),
        (lambda: RatioSLI(errors='x{namespace="a"}', total="x"), "selects a namespace"),
        (lambda: RatioSLI(total="x"), "exactly one of errors= or good="),
    ],
)
def test_selectors_are_parsed(sli: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sli()


@pytest.mark.parametrize(
    ("field", "value"), [("objective", 100), ("objective", 0), ("period", "30")]
)
def test_slo_values_are_validated(field: str, value: Any) -> None:
    with pytest.raises(ValueError):
        SLO(**{"name": "a", "objective": 99.9, "sli": AVAILABILITY.sli, field: value})


CANARY = Canary(steps=(Pause("1m"), SetWeight(10), Pause("5m"), SetWeight(50)))


def test_canary_runs_background_analysis_from_first_set_weight() -> None:
    objects = web(AVAILABILITY, LATENCY, canary=CANARY)
    analysis = objects[("Rollout", "demo")]["spec"]["strategy"]["canary"]["analysis"]
    assert analysis == {
        "templates": [{"templateName": "demo-slo"}],
        "startingStep": 1,
        "args": [{"name": "canary-hash", "valueFrom": {"podTemplateHashValue": "Latest"}}],
    }
    template = objects[("AnalysisTemplate", "demo-slo")]
    assert [m["name"] for m in template["spec"]["metrics"]] == ["availability", "latency"]
    query = template["spec"]["metrics"][0]["provider"]["prometheus"]["query"]
    assert 'rollouts_pod_template_hash="{{args.canary-hash}}"' in query
    assert template["spec"]["metrics"][0]["provider"]["prometheus"]["address"] == (
        "http://prometheus.monitoring.svc:9090"
    )
    monitor = objects[("ServiceMonitor", "demo")]
    assert monitor["spec"]["podTargetLabels"] == ["rollouts-pod-template-hash"]


def test_no_data_is_inconclusive_by_default_and_failure_when_asked() -> None:
    metric = web(AVAILABILITY, canary=CANARY)[("AnalysisTemplate", "demo-slo")]["spec"]["metrics"][
        0
    ]
    guard = "len(result) > 0 && !isNaN(result[0])"
    assert metric["successCondition"] == f"{guard} && result[0] <= 0.001"
    assert metric["failureCondition"] == f"{guard} && result[0] > 0.001"
    assert metric["inconclusiveLimit"] == 5 and metric["failureLimit"] == 2
    strict = SLO(
        name="availability",
        objective=99.9,
        sli=AVAILABILITY.sli,
        canary=CanaryAnalysis(no_data="failure", max_burn_rate=2, count=10),
    )
    metric = web(strict, canary=CANARY)[("AnalysisTemplate", "demo-slo")]["spec"]["metrics"][0]
    assert metric["successCondition"] == f"{guard} && result[0] <= 0.002"
    assert "failureCondition" not in metric and "inconclusiveLimit" not in metric
    assert metric["count"] == 10
    with pytest.raises(ValueError, match="no_data"):
        CanaryAnalysis(no_data="ignore")


def test_no_analysis_without_canary_or_when_opted_out() -> None:
    assert not any(kind == "AnalysisTemplate" for kind, _ in web(AVAILABILITY))
    opted_out = SLO(name="a", objective=99.9, sli=AVAILABILITY.sli, canary=None)
    objects = web(opted_out, canary=CANARY)
    assert ("AnalysisTemplate", "demo-slo") not in objects
    assert "analysis" not in objects[("Rollout", "demo")]["spec"]["strategy"]["canary"]


def test_every_generated_expression_parses() -> None:
    objects = web(AVAILABILITY, LATENCY, canary=CANARY)
    native = SLO(
        name="native",
        objective=99.5,
        period="7d",
        sli=LatencySLI(histogram="http_request_duration_seconds", threshold="0.3", native=True),
        min_events=10,
    )
    good = SLO(
        name="good",
        objective=99.95,
        period="28d",
        sli=RatioSLI(good='x_total{ok="1"}', total="x_total"),
    )
    exprs = []
    for body in [*objects.values(), *web(native, good, canary=CANARY).values()]:
        if body["kind"] == "PrometheusRule":
            exprs += [e.rule["expr"] for e in prometheus_rules(body)]
        if body["kind"] == "AnalysisTemplate":
            exprs += [without_templates(q) for q, _ in analysis_queries(body)]
        if body["kind"] == "ConfigMap" and body["metadata"]["name"].endswith("-slo-dashboard"):
            dashboard = json.loads(next(iter(body["data"].values())))
            exprs += [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    assert len(exprs) > 80
    assert [(e, parse_error(e)) for e in exprs if parse_error(e)] == []


def test_fixed_alerts_keep_namespace_and_follow_the_slo() -> None:
    rules = web(AVAILABILITY, LATENCY)[("PrometheusRule", "demo")]
    by_name = {a["alert"]: a for a in alerts(rules)}
    error = by_name["DemoHighErrorRatio"]
    assert error["expr"].count("sum by (namespace) (") == 2
    assert error["expr"].rstrip().endswith("> 0.0144")
    assert by_name["DemoHighLatencyP99"]["expr"].rstrip().endswith("> 0.5")
    assert all(
        "namespace" in a["expr"].split("(")[0] or "by (namespace" in a["expr"]
        for a in by_name.values()
    )
    without = web()[("PrometheusRule", "demo")]
    assert alerts(without)[0]["expr"].rstrip().endswith("> 0.05")


def test_dashboard_is_deterministic_and_labelled_for_the_sidecar() -> None:
    first = web(AVAILABILITY, LATENCY)[("ConfigMap", "demo-slo-dashboard")]
    again = web(AVAILABILITY, LATENCY)[("ConfigMap", "demo-slo-dashboard")]
    assert first == again
    assert first["metadata"]["labels"]["grafana_dashboard"] == "1"
    text = first["data"]["demo-slo.json"]
    assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":")) + "\n"
    titles = [p["title"] for p in json.loads(text)["panels"]]
    assert "availability: error budget remaining" in titles


def test_monitors_replace_scrape_annotations() -> None:
    objects = web(AVAILABILITY)
    template = objects[("Deployment", "demo")]["spec"]["template"]["metadata"]
    assert "prometheus.io/scrape" not in template.get("annotations", {})
    monitor = objects[("ServiceMonitor", "demo")]
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert monitor["spec"]["selector"]["matchLabels"]["gitops.dev/scrape"] == "true"
    assert objects[("Service", "demo")]["metadata"]["labels"]["gitops.dev/scrape"] == "true"
    both = build(
        lambda chart: WebService(
            chart,
            "web",
            WebServiceProps(image=IMAGE, metrics=Metrics(port=9090, annotations_too=True)),
        ),
        CANARY_ENV,
    )
    annotations = both[("Deployment", "demo")]["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == "9090"
    assert [p["name"] for p in both[("Service", "demo")]["spec"]["ports"]] == ["http", "metrics"]
    assert both[("ServiceMonitor", "demo")]["spec"]["endpoints"][0]["port"] == "metrics"
    from gitops.constructs.pod import Probe

    worker = build(
        lambda chart: Worker(
            chart,
            "worker",
            WorkerProps(image=IMAGE, liveness=Probe.tcp(9100), metrics=Metrics(port=9100)),
        ),
        CANARY_ENV,
    )
    assert worker[("PodMonitor", "demo")]["spec"]["podMetricsEndpoints"][0]["port"] == "metrics"


def test_custom_windows_choose_the_alerts() -> None:
    from gitops.constructs import BurnWindow

    only_page = SLO(
        name="availability",
        objective=99.5,
        period="7d",
        sli=AVAILABILITY.sli,
        windows=(BurnWindow("page", 2.5, "1h", "5m", "2m"),),
    )
    rule = web(only_page)[("PrometheusRule", "demo")]
    (alert,) = alerts(rule, "availability")
    # 2.5% x 168h / 1h = 4.2; x 0.5% = 0.021
    assert alert["labels"]["burn_rate"] == "4.2"
    assert alert["expr"].count("> 0.021\n") == 2
    with pytest.raises(ValueError, match="short window must be shorter"):
        BurnWindow("page", 2, "5m", "1h", "2m")
    with pytest.raises(ValueError, match="longer than the period"):
        SLO(name="a", objective=99.9, period="7d", sli=AVAILABILITY.sli,
            windows=(BurnWindow("ticket", 10, "14d", "1d", "1h"),))  # fmt: skip


def test_slo_rule_groups_join_the_workload_rule() -> None:
    objects = web(AVAILABILITY, LATENCY)
    rules = [key for key in objects if key[0] == "PrometheusRule"]
    assert rules == [("PrometheusRule", "demo")]
    rule = objects[("PrometheusRule", "demo")]
    groups = [g["name"] for g in rule["spec"]["groups"]]
    assert groups == [
        "demo.rules",
        *(f"demo-slo-{slo}.{part}" for slo in ("availability", "latency")
          for part in ("sli", "period", "alerts")),
    ]  # fmt: skip
    assert len(set(groups)) == len(groups)
    assert rule["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    recorded = json.loads(rule["metadata"]["annotations"]["gitops.dev/slo"])
    assert [(r["name"], r["sli"], r["workload"]) for r in recorded] == [
        ("availability", "ratio", "demo"),
        ("latency", "latency", "demo"),
    ]
    # Each SLO's rules carry its own label, so the two sets never mix.
    assert set(records(rule, "latency")) == set(records(rule, "availability"))
    assert {a["labels"]["slo"] for a in alerts(rule) if "slo" in a["labels"]} == {
        "availability",
        "latency",
    }


def test_slo_rules_without_fixed_alerts_still_render() -> None:
    objects = build(
        lambda chart: WebService(
            chart,
            "web",
            WebServiceProps(image=IMAGE, metrics=Metrics(), alerts=None, slos=(AVAILABILITY,)),
        ),
        CANARY_ENV,
    )
    rule = objects[("PrometheusRule", "demo")]
    assert [g["name"] for g in rule["spec"]["groups"]] == [
        "demo-slo-availability.sli",
        "demo-slo-availability.period",
        "demo-slo-availability.alerts",
    ]
    assert rule["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert len(alerts(rule, "availability")) == 4
    assert "gitops.dev/slo" in rule["metadata"]["annotations"]


@pytest.mark.parametrize(
    ("namespace", "name"),
    [
        ("demo", "demo"),
        # the uid is cut at 40 characters
        ("a-rather-long-namespace-name", "a-rather-long-workload-name"),
        # names that would need escaping get a dashboard of their own
        ('odd"ns', "x.y"),
    ],
)
def test_dashboard_from_the_shared_template_equals_one_built_alone(
    namespace: str, name: str
) -> None:
    from gitops.constructs.app import WorkloadRef
    from gitops.constructs.slo_dashboard import _build, dashboard_json

    target = WorkloadRef("apps/v1", "Deployment", name, namespace, "demo", {"app": name})
    native = SLO(
        name="native",
        objective=99.5,
        period="7d",
        sli=LatencySLI(histogram="h", threshold="0.3", native=True),
    )
    for slos in ((AVAILABILITY,), (AVAILABILITY, LATENCY, native)):
        uid = f"slo-{namespace}-{name}"[:40]
        assert dashboard_json(target, slos) == _build(namespace, name, uid, slos)
    parsed = json.loads(dashboard_json(target, (AVAILABILITY,)))
    assert parsed["title"] == f"SLOs: {namespace}/{name}"
    expr = parsed["panels"][0]["targets"][0]["expr"]
    assert parse_error(expr) is None and f"namespace={json.dumps(namespace)}" in expr
