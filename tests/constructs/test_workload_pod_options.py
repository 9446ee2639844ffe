"""WebService and Worker are built on the same pod building blocks as every other kind
(``PodProps``/``PodWorkload``): they take ``pod=PodOptions(...)`` and render the same pod
template as a DaemonSet given the same props."""

from __future__ import annotations

import pytest

from gitops.constructs import (
    Access,
    DaemonSet,
    DaemonSetProps,
    InitContainer,
    Metrics,
    Mount,
    PodOptions,
    Probe,
    Rbac,
    SecretEnv,
    Toleration,
    Volume,
    WebService,
    WebServiceProps,
    Worker,
    WorkerProps,
)
from gitops.constructs.environment import Environment
from tests.constructs.helpers import ENV, build, pod_spec
from tests.constructs.lint_clean import assert_lint_clean

IMAGE = "ghcr.io/acme/demo:1.2.3"
OLD = Environment(name="old", cluster="old-cluster", kubernetes_version="1.28")
OPTIONS = PodOptions(
    node_selector={"pool": "ml"},
    tolerations=(Toleration(key="dedicated", operator="Equal", value="ml"),),
    affinity={
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}
                ]
            }
        }
    },
    priority_class_name="serving",
    pre_stop=("sleep", "5"),
    volumes=(Volume.secret("tls", "demo-tls"),),
    mounts=(Mount(volume="tls", path="/etc/tls"),),
    init_containers=(
        InitContainer(name="warm", image=IMAGE, command=("warm",)),
        InitContainer(name="proxy", image=IMAGE, sidecar=True),
    ),
    gpus=1,
)


def test_web_service_takes_pod_options() -> None:
    objects = build(lambda c: WebService(c, "web", WebServiceProps(image=IMAGE, pod=OPTIONS)))
    pod = pod_spec(objects[("Deployment", "demo")])
    (main,) = pod["containers"]
    assert pod["nodeSelector"] == {"nvidia.com/gpu.present": "true", "pool": "ml"}
    assert [t["key"] for t in pod["tolerations"]] == ["dedicated", "nvidia.com/gpu"]
    assert pod["affinity"] == OPTIONS.affinity
    assert pod["priorityClassName"] == "serving"
    assert main["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert main["lifecycle"] == {"preStop": {"exec": {"command": ["sleep", "5"]}}}
    assert {"name": "tls", "secret": {"secretName": "demo-tls"}} in pod["volumes"]
    assert {"name": "tls", "mountPath": "/etc/tls", "readOnly": True} in main["volumeMounts"]
    warm, proxy = pod["initContainers"]
    assert "restartPolicy" not in warm and proxy["restartPolicy"] == "Always"
    assert proxy["securityContext"]["allowPrivilegeEscalation"] is False
    # The shared template keeps what WebService had: probes, spread over nodes and zones.
    assert main["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert len(pod["topologySpreadConstraints"]) == 2
    assert_lint_clean(objects, ENV)


def test_worker_takes_pod_options() -> None:
    props = WorkerProps(image=IMAGE, liveness=Probe.command("health"), pod=OPTIONS)
    objects = build(lambda c: Worker(c, "worker", props))
    pod = pod_spec(objects[("Deployment", "demo")])
    assert pod["priorityClassName"] == "serving"
    assert [c["name"] for c in pod["initContainers"]] == ["warm", "proxy"]
    assert_lint_clean(objects, ENV)


def test_web_service_pod_options_are_checked_at_synth() -> None:
    bad_mount = PodOptions(mounts=(Mount(volume="data", path="/data"),))
    with pytest.raises(ValueError, match=r"volume 'data' .* is not declared in volumes"):
        build(lambda c: WebService(c, "web", WebServiceProps(image=IMAGE, pod=bad_mount)))
    sidecar = PodOptions(init_containers=(InitContainer(name="proxy", image=IMAGE, sidecar=True),))
    props = WorkerProps(image=IMAGE, liveness=Probe.command("health"), pod=sidecar)
    with pytest.raises(ValueError, match=r"sidecar=True \(proxy\) needs Kubernetes 1.29\+"):
        build(lambda c: Worker(c, "worker", props), OLD)


def test_worker_and_daemon_set_share_one_pod_template() -> None:
    """Same props in, same pod template out: the code that renders it exists once."""
    common = {
        "image": IMAGE,
        "liveness": Probe.command("health"),
        "env": {"MODE": "fast"},
        "config": {"LEVEL": "info"},
        "secret_env": (SecretEnv(name="TOKEN", secret="demo-token", key="token"),),
        "rbac": Rbac(access=(Access(resources=("configmaps",), verbs=("get",)),)),
        "writable_paths": ("/tmp", "/cache"),
        "pod": OPTIONS,
    }
    worker = build(lambda c: Worker(c, "w", WorkerProps(replicas=1, **common)))  # type: ignore[arg-type]
    daemon = build(lambda c: DaemonSet(c, "d", DaemonSetProps(**common)))  # type: ignore[arg-type]
    assert (
        worker[("Deployment", "demo")]["spec"]["template"]
        == (daemon[("DaemonSet", "demo")]["spec"]["template"])
    )


def test_metrics_annotations_only_where_no_monitor_is_emitted() -> None:
    """WebService/Worker emit a ServiceMonitor/PodMonitor, so the ``prometheus.io`` annotations
    are opt-in there; a DaemonSet has no monitor, so its pods carry them."""
    liveness = Probe.command("health")
    worker = build(
        lambda c: Worker(c, "w", WorkerProps(image=IMAGE, liveness=liveness, metrics=Metrics()))
    )
    template = worker[("Deployment", "demo")]["spec"]["template"]
    assert "prometheus.io/scrape" not in template["metadata"].get("annotations", {})
    assert ("PodMonitor", "demo") in worker
    daemon = build(
        lambda c: DaemonSet(
            c, "d", DaemonSetProps(image=IMAGE, liveness=liveness, metrics=Metrics())
        )
    )
    annotations = daemon[("DaemonSet", "demo")]["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
