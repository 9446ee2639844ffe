"""Defaults of the other constructs: Worker, autoscaling, network, alerts, namespace, resources."""

from __future__ import annotations

import pytest

from gitops.constructs import (
    Alerts,
    Autoscaler,
    Autoscaling,
    Disruption,
    DisruptionBudget,
    NetworkAccess,
    NetworkPolicyFor,
    Peer,
    PodsMetric,
    Probe,
    Resources,
    Worker,
    WorkerProps,
    WorkloadRef,
)
from gitops.constructs.alerts import prometheus_rule
from tests.constructs.helpers import build, container

TARGET = WorkloadRef(
    api_version="apps/v1",
    kind="Deployment",
    name="api",
    namespace="demo",
    app="demo",
    selector={"app.kubernetes.io/name": "api"},
)


def test_worker_has_no_service_and_requires_liveness() -> None:
    objects = build(
        lambda c: Worker(
            c,
            "w",
            WorkerProps(
                image="ghcr.io/acme/worker:2.0.0", liveness=Probe.command("/bin/healthcheck")
            ),
        )
    )
    assert not [k for k in objects if k[0] in ("Service", "Ingress")]
    main = container(objects[("Deployment", "demo")])
    assert main["livenessProbe"]["exec"] == {"command": ["/bin/healthcheck"]}
    assert "readinessProbe" not in main
    rules = objects[("PrometheusRule", "demo")]["spec"]["groups"][0]["rules"]
    assert [r["alert"] for r in rules] == ["DemoCrashLooping", "DemoMemoryNearLimit"]
    with pytest.raises(TypeError):
        WorkerProps(image="ghcr.io/acme/worker:2.0.0")  # type: ignore[call-arg]


def test_autoscaling_defaults_and_behavior() -> None:
    objects = build(
        lambda c: Autoscaler(
            c,
            "hpa",
            TARGET,
            Autoscaling(pods_metrics=(PodsMetric(name="rps", average_value="100"),)),
        )
    )
    spec = objects[("HorizontalPodAutoscaler", "api")]["spec"]
    assert (spec["minReplicas"], spec["maxReplicas"]) == (2, 10)
    assert spec["metrics"] == [
        {
            "type": "Resource",
            "resource": {
                "name": "cpu",
                "target": {"type": "Utilization", "averageUtilization": 70},
            },
        },
        {
            "type": "Pods",
            "pods": {
                "metric": {"name": "rps"},
                "target": {"type": "AverageValue", "averageValue": "100"},
            },
        },
    ]
    assert spec["behavior"]["scaleUp"] == {
        "stabilizationWindowSeconds": 0,
        "selectPolicy": "Max",
        "policies": [{"type": "Pods", "value": 4, "periodSeconds": 60}],
    }
    assert spec["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 300
    with pytest.raises(ValueError, match="1 <= min_replicas <= max_replicas"):
        Autoscaling(min_replicas=5, max_replicas=3)
    with pytest.raises(ValueError, match="at least one metric"):
        Autoscaling(cpu_utilization=None)


def test_disruption_budget_never_blocks_drains() -> None:
    with pytest.raises(ValueError, match="blocks every node drain"):
        Disruption(max_unavailable=0)
    objects = build(lambda c: DisruptionBudget(c, "pdb", TARGET, Disruption(max_unavailable="25%")))
    assert objects[("PodDisruptionBudget", "api")]["spec"]["maxUnavailable"] == "25%"


def test_network_policy_allows_declared_peers_and_dns_only() -> None:
    access = NetworkAccess(
        ingress_from=(
            Peer(namespace="ingress-nginx", ports=("http",)),
            Peer(pod_labels={"role": "frontend"}, ports=(8080,)),
        ),
        egress_to=(
            Peer(namespace="database", ports=(5432,)),
            Peer(cidr="10.96.0.1/32", ports=(443,)),
        ),
    )
    objects = build(lambda c: NetworkPolicyFor(c, "np", TARGET, access))
    spec = objects[("NetworkPolicy", "api")]["spec"]
    assert spec["policyTypes"] == ["Ingress", "Egress"]
    assert spec["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": "api"}}
    assert spec["ingress"][1] == {
        "from": [{"podSelector": {"matchLabels": {"role": "frontend"}}}],
        "ports": [{"port": 8080, "protocol": "TCP"}],
    }
    dns, database, api_server = spec["egress"]
    assert dns["to"] == [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
        }
    ]
    assert dns["ports"] == [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]
    assert database["to"] == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "database"}}}
    ]
    assert api_server == {
        "to": [{"ipBlock": {"cidr": "10.96.0.1/32"}}],
        "ports": [{"port": 443, "protocol": "TCP"}],
    }
    with pytest.raises(ValueError, match="lists no ports"):
        NetworkAccess(egress_to=(Peer(namespace="database"),))
    with pytest.raises(ValueError, match="either an IP range"):
        Peer(cidr="10.0.0.0/8", namespace="x")


def test_app_namespace_has_pod_security_labels_and_default_deny() -> None:
    objects = build(lambda c: None)
    labels = objects[("Namespace", "demo")]["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    assert labels["pod-security.kubernetes.io/enforce-version"] == "v1.31"
    assert labels["pod-security.kubernetes.io/warn"] == "restricted"
    deny = objects[("NetworkPolicy", "default-deny")]
    assert deny["metadata"]["namespace"] == "demo"
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_alert_thresholds_are_props_and_select_only_this_workloads_pods() -> None:
    rule = prometheus_rule(
        TARGET,
        Alerts(
            error_ratio=0.01,
            p99_latency_seconds=None,
            runbook_url="https://runbooks.example.com/api",
        ),
        "api",
    )
    alerts = {r["alert"]: r for r in rule["spec"]["groups"][0]["rules"]}
    assert sorted(alerts) == ["ApiCrashLooping", "ApiHighErrorRatio", "ApiMemoryNearLimit"]
    error = alerts["ApiHighErrorRatio"]
    assert "> 0.01" in error["expr"]
    safe = "[bcdfghjklmnpqrstvwxz2456789]"  # the alphabet of pod-name hashes
    selector = f'namespace="demo", pod=~"api-{safe}{{1,10}}-{safe}{{5}}", code=~"5.."'
    assert selector in error["expr"]
    assert error["labels"] == {"app": "api", "severity": "critical"}
    assert error["annotations"]["runbook_url"] == "https://runbooks.example.com/api"
    with pytest.raises(ValueError, match="ratio between 0 and 1"):
        Alerts(error_ratio=5)


@pytest.mark.parametrize(
    ("factor", "expected"),
    [
        (
            0.25,
            {
                "cpu_request": "125m",
                "memory_request": "128Mi",
                "cpu_limit": "500m",
                "memory_limit": "512Mi",
            },
        ),
        (
            0.5,
            {
                "cpu_request": "250m",
                "memory_request": "256Mi",
                "cpu_limit": "1",
                "memory_limit": "1Gi",
            },
        ),
        (
            1.5,
            {
                "cpu_request": "750m",
                "memory_request": "768Mi",
                "cpu_limit": "3",
                "memory_limit": "3Gi",
            },
        ),
    ],
)
def test_resource_scaling_keeps_exact_quantities(factor: float, expected: dict[str, str]) -> None:
    base = Resources(cpu_request="500m", memory_request="512Mi", cpu_limit="2", memory_limit="2Gi")
    scaled = base.scaled(factor)
    assert {k: getattr(scaled, k) for k in expected} == expected


def test_requests_above_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="memory request 1Gi is above its limit 512Mi"):
        Resources(memory_request="1Gi", memory_limit="512Mi")
