"""WebService defaults: secure, observable, disruption-tolerant, and lint-clean by design."""

from __future__ import annotations

import pytest

from gitops.constructs import (
    Access,
    Autoscaling,
    Canary,
    Ingress,
    Metrics,
    Pause,
    Probe,
    Rbac,
    SecretEnv,
    SetWeight,
    Suppress,
    WebService,
    WebServiceProps,
)
from tests.constructs.helpers import ENV_NO_PDB, build, container, pod_spec

IMAGE = "ghcr.io/acme/demo:1.2.3"


def test_defaults_emit_a_hardened_deployment_and_its_companions() -> None:
    objects = build(lambda c: WebService(c, "web", WebServiceProps(image=IMAGE)))
    assert sorted(objects) == [
        ("Deployment", "demo"),
        ("Namespace", "demo"),
        ("NetworkPolicy", "default-deny"),
        ("NetworkPolicy", "demo"),
        ("PodDisruptionBudget", "demo"),
        ("PrometheusRule", "demo"),
        ("Service", "demo"),
        ("ServiceAccount", "demo"),
    ]
    deployment = objects[("Deployment", "demo")]
    spec = deployment["spec"]
    assert spec["replicas"] == 2
    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
    }
    assert spec["selector"] == {"matchLabels": {"app.kubernetes.io/name": "demo"}}
    assert spec["template"]["metadata"]["labels"]["app.kubernetes.io/name"] == "demo"
    pod = pod_spec(deployment)
    assert pod["serviceAccountName"] == "demo"
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "runAsGroup": 10001,
        "fsGroup": 10001,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    main = container(deployment)
    assert main["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "privileged": False,
        "readOnlyRootFilesystem": True,
    }
    assert main["resources"] == {
        "requests": {"cpu": "100m", "memory": "128Mi"},
        "limits": {"cpu": "500m", "memory": "256Mi"},
    }
    assert main["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert main["livenessProbe"]["httpGet"] == {"path": "/livez", "port": "http"}
    assert main["readinessProbe"] != main["livenessProbe"]
    assert main["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    assert main["imagePullPolicy"] == "IfNotPresent"
    assert main["volumeMounts"] == [{"name": "tmp", "mountPath": "/tmp"}]
    assert {"hostNetwork", "hostPID", "hostIPC"}.isdisjoint(pod)
    assert [c["topologyKey"] for c in pod["topologySpreadConstraints"]] == [
        "kubernetes.io/hostname",
        "topology.kubernetes.io/zone",
    ]
    assert objects[("ServiceAccount", "demo")]["automountServiceAccountToken"] is False
    service = objects[("Service", "demo")]["spec"]
    assert service["ports"] == [
        {"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}
    ]
    assert service["selector"] == {"app.kubernetes.io/name": "demo"}
    pdb = objects[("PodDisruptionBudget", "demo")]["spec"]
    assert pdb == {
        "maxUnavailable": 1,
        "selector": {"matchLabels": {"app.kubernetes.io/name": "demo"}},
        "unhealthyPodEvictionPolicy": "AlwaysAllow",
    }
    for body in objects.values():
        labels = body["metadata"]["labels"]
        assert labels["app.kubernetes.io/managed-by"] == "gitops"
        assert "app.kubernetes.io/instance" not in labels


def test_autoscaling_drops_static_replicas_and_targets_the_workload() -> None:
    objects = build(
        lambda c: WebService(
            c,
            "web",
            WebServiceProps(image=IMAGE, autoscaling=Autoscaling(min_replicas=3, max_replicas=9)),
        )
    )
    assert "replicas" not in objects[("Deployment", "demo")]["spec"]
    hpa = objects[("HorizontalPodAutoscaler", "demo")]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "demo",
    }
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (3, 9)


def test_single_replica_gets_no_pdb_and_no_spread() -> None:
    objects = build(lambda c: WebService(c, "web", WebServiceProps(image=IMAGE, replicas=1)))
    assert ("PodDisruptionBudget", "demo") not in objects
    assert "topologySpreadConstraints" not in pod_spec(objects[("Deployment", "demo")])


def test_environment_without_pdb_feature_gets_none() -> None:
    objects = build(lambda c: WebService(c, "web", WebServiceProps(image=IMAGE)), ENV_NO_PDB)
    assert ("PodDisruptionBudget", "demo") not in objects


def test_rbac_declared_adds_role_binding_and_mounts_the_token() -> None:
    rbac = Rbac(access=(Access(resources=("secrets",), verbs=("get",), resource_names=("db",)),))
    objects = build(lambda c: WebService(c, "web", WebServiceProps(image=IMAGE, rbac=rbac)))
    assert objects[("Role", "demo")]["rules"] == [
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"], "resourceNames": ["db"]}
    ]
    binding = objects[("RoleBinding", "demo")]
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role",
        "name": "demo",
    }
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "demo", "namespace": "demo"}]
    assert pod_spec(objects[("Deployment", "demo")])["automountServiceAccountToken"] is True
    assert ("ClusterRole", "demo-demo") not in objects


def test_cluster_access_only_when_asked() -> None:
    rbac = Rbac(cluster_access=(Access(resources=("nodes",)),))
    objects = build(lambda c: WebService(c, "web", WebServiceProps(image=IMAGE, rbac=rbac)))
    assert objects[("ClusterRole", "demo-demo")]["rules"][0]["resources"] == ["nodes"]
    assert "namespace" not in objects[("ClusterRoleBinding", "demo-demo")]["metadata"]


@pytest.mark.parametrize(
    ("access", "message"),
    [
        ({"resources": ("*",)}, "contains '*'"),
        (
            {"resources": ("secrets",), "verbs": ("create",), "resource_names": ("db",)},
            "cannot restrict create",
        ),
    ],
)
def test_rbac_props_refuse_what_cannot_be_least_privilege(
    access: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Access(**access)  # type: ignore[arg-type]


def test_config_and_secrets_become_references_and_config_changes_roll_pods() -> None:
    def props(model: str) -> WebServiceProps:
        return WebServiceProps(
            image=IMAGE,
            config={"MODEL_NAME": model},
            secret_env=(SecretEnv(name="DB_PASSWORD", secret="db", key="password"),),
            env={"LOG_LEVEL": "info"},
        )

    first = build(lambda c: WebService(c, "web", props("bert-v3")))
    second = build(lambda c: WebService(c, "web", props("bert-v4")))
    assert first[("ConfigMap", "demo-config")]["data"] == {"MODEL_NAME": "bert-v3"}
    env = container(first[("Deployment", "demo")])["env"]
    assert env == [
        {"name": "LOG_LEVEL", "value": "info"},
        {
            "name": "MODEL_NAME",
            "valueFrom": {"configMapKeyRef": {"name": "demo-config", "key": "MODEL_NAME"}},
        },
        {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
    ]
    assert not [k for k in first if k[0] == "Secret"]
    hashes = [
        objects[("Deployment", "demo")]["spec"]["template"]["metadata"]["annotations"][
            "gitops.dev/config-hash"
        ]
        for objects in (first, second)
    ]
    assert hashes[0] != hashes[1]


def test_metrics_are_scraped_by_a_service_monitor_open_to_prometheus_only() -> None:
    objects = build(
        lambda c: WebService(c, "web", WebServiceProps(image=IMAGE, metrics=Metrics(port=9090)))
    )
    template = objects[("Deployment", "demo")]["spec"]["template"]
    assert "annotations" not in template["metadata"]
    assert objects[("ServiceMonitor", "demo")]["spec"]["endpoints"] == [
        {"port": "metrics", "path": "/metrics", "interval": "30s"}
    ]
    annotated = build(
        lambda c: WebService(
            c, "web", WebServiceProps(image=IMAGE, metrics=Metrics(port=9090, annotations_too=True))
        )
    )
    template = annotated[("Deployment", "demo")]["spec"]["template"]
    assert template["metadata"]["annotations"] == {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": "9090",
        "prometheus.io/path": "/metrics",
    }
    assert {"name": "metrics", "containerPort": 9090, "protocol": "TCP"} in container(
        objects[("Deployment", "demo")]
    )["ports"]
    ingress = objects[("NetworkPolicy", "demo")]["spec"]["ingress"]
    assert ingress == [
        {
            "from": [
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "monitoring"}
                    }
                }
            ],
            "ports": [{"port": 9090, "protocol": "TCP"}],
        }
    ]


def test_canary_with_ingress_uses_a_rollout_stable_and_canary_services_and_nginx_routing() -> None:
    canary = Canary(steps=(SetWeight(10), Pause("5m"), SetWeight(100)))
    objects = build(
        lambda c: WebService(
            c,
            "web",
            WebServiceProps(image=IMAGE, canary=canary, ingress=Ingress(host="demo.example.com")),
        )
    )
    assert ("Deployment", "demo") not in objects
    rollout = objects[("Rollout", "demo")]
    assert rollout["apiVersion"] == "argoproj.io/v1alpha1"
    strategy = rollout["spec"]["strategy"]["canary"]
    assert strategy["steps"] == [
        {"setWeight": 10},
        {"pause": {"duration": "5m"}},
        {"setWeight": 100},
    ]
    assert (strategy["canaryService"], strategy["stableService"]) == ("demo-canary", "demo-stable")
    assert strategy["trafficRouting"] == {"nginx": {"stableIngress": "demo"}}
    assert {("Service", n) for n in ("demo", "demo-canary", "demo-stable")} <= set(objects)
    ingress = objects[("Ingress", "demo")]
    assert (
        ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == "letsencrypt-prod"
    )
    assert ingress["spec"]["tls"] == [{"hosts": ["demo.example.com"], "secretName": "demo-tls"}]
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]
    assert backend == {"service": {"name": "demo-stable", "port": {"name": "http"}}}
    controller = objects[("NetworkPolicy", "demo")]["spec"]["ingress"][0]
    assert controller["from"] == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}
    ]


def test_suppression_is_an_annotation_with_its_reason() -> None:
    suppress = Suppress(rules=("PR002",), reason="the sidecar restarts the app")
    objects = build(lambda c: WebService(c, "web", WebServiceProps(image=IMAGE, suppress=suppress)))
    assert objects[("Deployment", "demo")]["metadata"]["annotations"] == {
        "gitops.dev/ignore": "PR002",
        "gitops.dev/ignore-reason": "the sidecar restarts the app",
    }
    with pytest.raises(ValueError, match="non-empty reason"):
        Suppress(rules=("PR002",), reason=" ")


@pytest.mark.parametrize("image", ["nginx", "nginx:latest", "ghcr.io/acme/demo:Latest!"])
def test_unpinned_or_malformed_images_are_refused(image: str) -> None:
    with pytest.raises(ValueError, match="image"):
        WebServiceProps(image=image)


def test_probes_are_configurable() -> None:
    props = WebServiceProps(
        image=IMAGE,
        readiness=Probe.http("/health", initial_delay_seconds=10, period_seconds=5),
        liveness=Probe.tcp(initial_delay_seconds=30),
        startup=Probe.grpc(9000, failure_threshold=30),
    )
    main = container(build(lambda c: WebService(c, "web", props))[("Deployment", "demo")])
    assert main["readinessProbe"]["initialDelaySeconds"] == 10
    assert main["livenessProbe"]["tcpSocket"] == {"port": "http"}
    assert main["startupProbe"]["grpc"] == {"port": 9000}
    assert main["startupProbe"]["failureThreshold"] == 30
