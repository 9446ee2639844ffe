"""Job, CronJob and the pod options every workload kind shares: defaults on the fields that
matter, lint-clean under strict at the restricted Pod Security level, bad props refused."""

from __future__ import annotations

import pytest

from gitops.constructs import (
    CronJob,
    CronJobProps,
    DaemonSet,
    DaemonSetProps,
    InitContainer,
    Job,
    JobProps,
    Mount,
    PodOptions,
    Probe,
    Resources,
    StatefulSet,
    StatefulSetProps,
    Toleration,
    Volume,
    VolumeClaim,
)
from gitops.constructs.environment import Environment
from tests.constructs.helpers import ENV, build
from tests.constructs.lint_clean import assert_lint_clean, strict_findings

IMAGE = "ghcr.io/acme/job:1.0.0"
OLD = Environment(name="old", cluster="old-cluster", kubernetes_version="1.28")


def test_job_defaults_are_bounded_restricted_and_lint_clean() -> None:
    objects = build(lambda c: Job(c, "job", JobProps(image=IMAGE)))
    job = objects[("Job", "demo")]
    spec = job["spec"]
    assert spec["backoffLimit"] == 2
    assert spec["activeDeadlineSeconds"] == 3600
    assert spec["ttlSecondsAfterFinished"] == 86400
    pod = spec["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    (main,) = pod["containers"]
    assert main["securityContext"]["allowPrivilegeEscalation"] is False
    assert main["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert pod["automountServiceAccountToken"] is False
    assert ("NetworkPolicy", "demo") in objects and ("ServiceAccount", "demo") in objects
    assert_lint_clean(objects, ENV)


def test_cron_job_defaults() -> None:
    objects = build(lambda c: CronJob(c, "nightly", CronJobProps(image=IMAGE, schedule="@daily")))
    spec = objects[("CronJob", "demo")]["spec"]
    assert spec["schedule"] == "@daily"
    assert spec["timeZone"] == "Etc/UTC"
    assert spec["concurrencyPolicy"] == "Forbid"
    assert spec["startingDeadlineSeconds"] == 300
    assert spec["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert_lint_clean(objects, ENV)


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ("30 25 * * *", "hour '25' is outside 0-23"),
        ("* * *", "has 3 fields"),
        ("0 0 31 FOO *", "month 'FOO' is outside 1-12"),
        ("*/0 * * * *", "step"),
        ("CRON_TZ=UTC 0 0 * * *", "TZ= prefix"),
        ("0 5-1 * * *", "runs backwards"),
    ],
)
def test_bad_schedules_are_refused(schedule: str, expected: str) -> None:
    with pytest.raises(ValueError, match="schedule") as error:
        CronJobProps(image=IMAGE, schedule=schedule)
    assert expected in str(error.value)


@pytest.mark.parametrize("schedule", ["0 2 * * *", "*/15 9-17 * * MON-FRI", "0 0 1,15 JAN,JUL ?"])
def test_good_schedules(schedule: str) -> None:
    CronJobProps(image=IMAGE, schedule=schedule)


def test_bad_timezone_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone 'Mars/Olympus'"):
        CronJobProps(image=IMAGE, schedule="@daily", timezone="Mars/Olympus")


def _worker(pod: PodOptions, resources: Resources | None = None) -> JobProps:
    return JobProps(image=IMAGE, pod=pod, resources=resources or Resources())


def test_pod_options_render_placement_volumes_init_containers_and_gpus() -> None:
    options = PodOptions(
        node_selector={"pool": "batch"},
        tolerations=(Toleration(key="dedicated", operator="Equal", value="batch"),),
        priority_class_name="batch-low",
        pre_stop=("sleep", "5"),
        volumes=(Volume.config_map("settings", "demo-settings"), Volume.empty_dir("cache", "2Gi")),
        mounts=(
            Mount(volume="settings", path="/etc/demo"),
            Mount(volume="cache", path="/cache", read_only=False),
        ),
        init_containers=(
            InitContainer(name="migrate", image=IMAGE, command=("migrate",)),
            InitContainer(name="proxy", image=IMAGE, sidecar=True),
        ),
        gpus=2,
    )
    objects = build(lambda c: Job(c, "w", _worker(options)))
    pod = objects[("Job", "demo")]["spec"]["template"]["spec"]
    (main,) = pod["containers"]
    assert main["resources"]["limits"]["nvidia.com/gpu"] == "2"
    assert main["resources"]["requests"]["nvidia.com/gpu"] == "2"
    assert pod["nodeSelector"] == {"nvidia.com/gpu.present": "true", "pool": "batch"}
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in pod[
        "tolerations"
    ]
    assert pod["priorityClassName"] == "batch-low"
    assert main["lifecycle"] == {"preStop": {"exec": {"command": ["sleep", "5"]}}}
    assert {"name": "settings", "mountPath": "/etc/demo", "readOnly": True} in main["volumeMounts"]
    assert {"name": "cache", "emptyDir": {"sizeLimit": "2Gi"}} in pod["volumes"]
    migrate, proxy = pod["initContainers"]
    assert "restartPolicy" not in migrate and proxy["restartPolicy"] == "Always"
    for init in (migrate, proxy):
        assert init["securityContext"]["allowPrivilegeEscalation"] is False
        assert init["securityContext"]["readOnlyRootFilesystem"] is True
    assert_lint_clean(objects, ENV)


def test_mounts_must_name_a_declared_volume() -> None:
    options = PodOptions(mounts=(Mount(volume="data", path="/data"),))
    with pytest.raises(ValueError, match=r"volume 'data' .* is not declared in volumes"):
        build(lambda c: Job(c, "w", _worker(options)))


def test_native_sidecars_need_1_29() -> None:
    options = PodOptions(init_containers=(InitContainer(name="proxy", image=IMAGE, sidecar=True),))
    with pytest.raises(
        ValueError, match=r"sidecar=True \(proxy\) needs Kubernetes 1.29\+.*runs 1.28"
    ):
        build(lambda c: Job(c, "w", _worker(options)), OLD)


def test_gpus_need_limits_and_a_count() -> None:
    with pytest.raises(ValueError, match="gpus=1 needs cpu_limit"):
        build(lambda c: Job(c, "w", _worker(PodOptions(gpus=1), Resources(cpu_limit=None))))
    with pytest.raises(ValueError, match="whole number of GPUs"):
        PodOptions(gpus=-1)


def test_volume_sizes_must_be_quantities() -> None:
    with pytest.raises(ValueError):
        Volume.empty_dir("cache", "lots")


def test_a_privileged_override_is_caught_by_pod_security() -> None:
    """The lint check the defaults are held to does fail when a field breaks restricted."""
    objects = build(lambda c: Job(c, "job", JobProps(image=IMAGE)))
    pod = objects[("Job", "demo")]["spec"]["template"]["spec"]
    pod["containers"][0]["securityContext"]["allowPrivilegeEscalation"] = True
    codes = {f.code for f in strict_findings(objects, ENV)}
    assert "PA001" in codes


def test_stateful_set_with_headless_service_claims_and_pdb() -> None:
    props = StatefulSetProps(
        image=IMAGE,
        ports={"db": 5432},
        readiness=Probe.tcp("db"),
        liveness=Probe.tcp("db", initial_delay_seconds=30),
        volume_claims=(VolumeClaim(name="data", size="20Gi", mount_path="/var/lib/data"),),
    )
    objects = build(lambda c: StatefulSet(c, "db", props))
    spec = objects[("StatefulSet", "demo")]["spec"]
    assert spec["serviceName"] == "demo-headless"
    assert objects[("Service", "demo-headless")]["spec"]["clusterIP"] == "None"
    assert spec["podManagementPolicy"] == "OrderedReady"
    assert spec["volumeClaimTemplates"][0]["spec"]["resources"] == {"requests": {"storage": "20Gi"}}
    main = spec["template"]["spec"]["containers"][0]
    assert {"name": "data", "mountPath": "/var/lib/data"} in main["volumeMounts"]
    assert ("PodDisruptionBudget", "demo") in objects
    assert_lint_clean(objects, ENV)


def test_pvc_size_must_be_a_quantity() -> None:
    with pytest.raises(ValueError, match="size '20 gigs' is not a quantity"):
        VolumeClaim(name="data", size="20 gigs", mount_path="/data")


def test_daemon_set_defaults() -> None:
    props = DaemonSetProps(
        image=IMAGE,
        liveness=Probe.command("agent", "health"),
        pod=PodOptions(tolerations=(Toleration(key="node-role.kubernetes.io/control-plane"),)),
    )
    objects = build(lambda c: DaemonSet(c, "agent", props))
    spec = objects[("DaemonSet", "demo")]["spec"]
    assert spec["updateStrategy"]["rollingUpdate"] == {"maxUnavailable": 1, "maxSurge": 0}
    pod = spec["template"]["spec"]
    assert not {"hostNetwork", "hostPID", "hostIPC"} & set(pod)
    assert_lint_clean(objects, ENV)
