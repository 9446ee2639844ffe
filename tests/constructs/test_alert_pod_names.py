"""Each kind's alerts select its pods by the names its controller really gives them, in the
workload's namespace, and every expression parses with the real PromQL parser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import promql_parser
import pytest

from gitops.constructs import (
    Alerts,
    DaemonSet,
    DaemonSetProps,
    Probe,
    StatefulSet,
    StatefulSetProps,
    WebService,
    WebServiceProps,
    Worker,
    WorkerProps,
)
from gitops.constructs.alerts import prometheus_rule
from gitops.constructs.app import WorkloadRef
from tests.constructs.helpers import ENV, build

IMAGE = "ghcr.io/acme/demo:1.2.3"

# (kind, workload name, pods it owns, pods of neighbours it must not match)
CASES = [
    (
        "Deployment",
        "web",
        ["web-7d9c5b8f6d-x2x4q", "web-5f8b9c-bcdfz", "web-6b5-wz2q9"],
        [
            "web-api-7d9c5b8f6d-x2x4q",
            "web",
            "webx-7d9c5b8f6d-x2x4q",
            "web-7d9c5b8f6d",
            # a StatefulSet web-api's and a Job web-api's pods: not hashes of this alphabet
            "web-api-0",
            "web-api-x2x4q",
            "web-7d9c5b8f6d-abcde",
            "web-7d9c5b8f6d7-x2x4q",
        ],
    ),
    (
        "StatefulSet",
        "web",
        ["web-0", "web-1", "web-12"],
        ["web-api-0", "web-7d9c5b8f6d-x2x4q", "web-", "web-x", "web-0-1", "other-web-0"],
    ),
    (
        "DaemonSet",
        "node-agent",
        ["node-agent-x2x4q", "node-agent-7bq9z"],
        ["node-agent-exporter-x2x4q", "node-agent-x2x4", "node-agent-7d9c5b8f6d-x2x4q"],
    ),
    (
        "Job",
        "migrate",
        ["migrate-x2x4q"],
        ["migrate-v2-x2x4q", "migrate-29012345-x2x4q", "migrate"],
    ),
    (
        "CronJob",
        "report",
        ["report-29012345-x2x4q", "report-1-bcdfz"],
        ["report-x2x4q", "report-weekly-29012345-x2x4q", "report-29012345"],
    ),
]


def _ref(kind: str, name: str) -> WorkloadRef:
    return WorkloadRef(
        api_version="apps/v1",
        kind=kind,
        name=name,
        namespace="shop",
        app=name,
        selector={"app.kubernetes.io/name": name},
    )


WRAPPERS = (
    promql_parser.AggregateExpr,
    promql_parser.ParenExpr,
    promql_parser.UnaryExpr,
    promql_parser.SubqueryExpr,
)


def _selectors(node: Any) -> Iterator[promql_parser.VectorSelector]:
    """Every vector selector of a parsed expression."""
    if isinstance(node, promql_parser.VectorSelector):
        yield node
    elif isinstance(node, promql_parser.MatrixSelector):
        yield node.vector_selector
    elif isinstance(node, promql_parser.BinaryExpr):
        yield from _selectors(node.lhs)
        yield from _selectors(node.rhs)
    elif isinstance(node, WRAPPERS):
        yield from _selectors(node.expr)
    elif isinstance(node, promql_parser.Call):
        for arg in node.args:
            yield from _selectors(arg)


def _matchers(expr: str) -> list[dict[str, tuple[str, str]]]:
    """Per selector of ``expr``: label -> (operator, value)."""
    found = []
    for selector in _selectors(promql_parser.parse(expr)):
        found.append({m.name: (str(m.op), m.value) for m in selector.matchers.matchers})
    assert found, expr
    return found


def _pod_regexes(rule: dict[str, Any]) -> set[str]:
    regexes = set()
    for entry in rule["spec"]["groups"][0]["rules"]:
        for matchers in _matchers(entry["expr"]):
            assert matchers["namespace"] == ("MatchOp.Equal", "shop"), entry["expr"]
            op, value = matchers["pod"]
            assert op == "MatchOp.Re"
            regexes.add(value)
    return regexes


@pytest.mark.parametrize(("kind", "name", "own", "others"), CASES)
def test_alerts_select_the_pods_the_controller_names(
    kind: str, name: str, own: list[str], others: list[str]
) -> None:
    rule = prometheus_rule(_ref(kind, name), Alerts(), name)
    (regex,) = _pod_regexes(rule)
    for pod in own:
        # Prometheus anchors label regexes at both ends.
        assert re.fullmatch(regex, pod), (regex, pod)
    for pod in others:
        assert not re.fullmatch(regex, pod), (regex, pod)


def _rules(objects: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
    return objects[("PrometheusRule", "demo")]


def test_construct_alerts_match_their_pods_and_parse() -> None:
    """The constructs' own alerts, end to end: a StatefulSet's select ``demo-0``, a
    DaemonSet's ``demo-x2x4q``, a Worker's ``demo-<hash>-<suffix>``, never each other's."""
    probe = Probe.tcp("db")
    built = {
        "StatefulSet": build(
            lambda c: StatefulSet(
                c,
                "db",
                StatefulSetProps(image=IMAGE, ports={"db": 5432}, readiness=probe, liveness=probe),
            )
        ),
        "DaemonSet": build(
            lambda c: DaemonSet(c, "agent", DaemonSetProps(image=IMAGE, liveness=probe))
        ),
        "Deployment": build(
            lambda c: Worker(c, "worker", WorkerProps(image=IMAGE, liveness=probe))
        ),
    }
    pods = {"StatefulSet": "demo-0", "DaemonSet": "demo-x2x4q", "Deployment": "demo-6b7f9-x2x4q"}
    for kind, objects in built.items():
        rule = _rules(objects)
        namespace = objects[(kind, "demo")]["metadata"]["namespace"]
        for entry in rule["spec"]["groups"][0]["rules"]:
            for matchers in _matchers(entry["expr"]):
                assert matchers["namespace"] == ("MatchOp.Equal", namespace)
                regex = matchers["pod"][1]
                for other, pod in pods.items():
                    assert bool(re.fullmatch(regex, pod)) == (other == kind), (kind, regex, pod)
        # Labelled for the environment's Prometheus, like every workload's rules.
        for key, value in ENV.monitoring.labels.items():
            assert rule["metadata"]["labels"][key] == value


def test_web_service_alerts_unchanged_shape() -> None:
    objects = build(lambda c: WebService(c, "web", WebServiceProps(image=IMAGE)))
    regexes = {
        m["pod"][1]
        for e in _rules(objects)["spec"]["groups"][0]["rules"]
        for m in _matchers(e["expr"])
    }
    assert regexes == {"demo-[bcdfghjklmnpqrstvwxz2456789]{1,10}-[bcdfghjklmnpqrstvwxz2456789]{5}"}
