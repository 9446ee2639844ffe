"""Argo Workflows and external-secrets constructs: defaults on the fields that matter,
lint-clean under strict, valid against the packaged CRDs, bad props refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitops.constructs import (
    CronWorkflow,
    CronWorkflowProps,
    ExternalSecret,
    ExternalSecretProps,
    RemoteKey,
    Resources,
    SecretStore,
    SecretStoreProps,
    Step,
    VaultProvider,
    WorkflowProps,
    WorkflowTemplate,
)
from gitops.constructs.environment import Environment
from gitops.validate.config import ValidateSettings
from gitops.validate.run import validate
from tests.constructs.helpers import build
from tests.constructs.lint_clean import assert_lint_clean

IMAGE = "ghcr.io/acme/train:1.0.0"
ENV = Environment(
    name="test",
    cluster="test-cluster",
    kubernetes_version="1.31",
    api_server_cidrs=("10.0.0.1/32",),
)
GPU = Resources(cpu_request="8", memory_request="16Gi", cpu_limit="8", memory_limit="16Gi")
PIPELINE = (
    Step(name="data-prep", image=IMAGE),
    Step(name="train", image=IMAGE, depends_on=("data-prep",), gpus=1, resources=GPU),
    Step(name="evaluate", image=IMAGE, depends_on=("train",)),
    Step(name="deploy", image=IMAGE, depends_on=("evaluate",)),
)


def _valid(objects: dict[tuple[str, str], dict[str, object]], tmp_path: Path) -> None:
    for index, body in enumerate(objects.values()):
        (tmp_path / f"{index}.yaml").write_text(json.dumps(body))
    outcome = validate(
        [str(tmp_path)], root=tmp_path, settings=ValidateSettings(), explicit_version="1.31"
    )
    assert [f.message for f in outcome.findings] == []


def test_cron_workflow_renders_a_restricted_dag_with_a_gpu_step(tmp_path: Path) -> None:
    props = CronWorkflowProps(schedule="0 2 * * *", steps=PIPELINE)
    objects = build(lambda c: CronWorkflow(c, "nightly", props), ENV)
    cron = objects[("CronWorkflow", "demo")]["spec"]
    assert cron["schedules"] == ["0 2 * * *"]
    assert cron["concurrencyPolicy"] == "Forbid"
    spec = cron["workflowSpec"]
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    dag, *steps = spec["templates"]
    assert [t.get("depends") for t in dag["dag"]["tasks"]] == [
        None,
        "data-prep",
        "train",
        "evaluate",
    ]
    train = next(t for t in steps if t["name"] == "train")
    assert train["container"]["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert train["container"]["resources"]["limits"]["memory"] == "16Gi"
    assert train["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    assert train["tolerations"] == [
        {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
    ]
    assert "nodeSelector" not in next(t for t in steps if t["name"] == "evaluate")
    for step in steps:
        assert step["container"]["securityContext"]["allowPrivilegeEscalation"] is False
    # least privilege for the emissary executor, and its token
    assert objects[("Role", "demo")]["rules"] == [
        {
            "apiGroups": ["argoproj.io"],
            "resources": ["workflowtaskresults"],
            "verbs": ["create", "patch"],
        }
    ]
    assert spec["serviceAccountName"] == "demo" and spec["automountServiceAccountToken"] is True
    egress = objects[("NetworkPolicy", "demo")]["spec"]["egress"]
    assert {"ipBlock": {"cidr": "10.0.0.1/32"}} in [peer for rule in egress for peer in rule["to"]]
    assert_lint_clean(objects, ENV)
    _valid(objects, tmp_path)


def test_workflow_template(tmp_path: Path) -> None:
    objects = build(lambda c: WorkflowTemplate(c, "t", WorkflowProps(steps=PIPELINE[:1])), ENV)
    assert objects[("WorkflowTemplate", "demo")]["spec"]["entrypoint"] == "pipeline"
    assert_lint_clean(objects, ENV)
    _valid(objects, tmp_path)


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (
            (Step(name="a", image=IMAGE, depends_on=("b",)),),
            r"step 'a' depends_on unknown steps \['b'\]",
        ),
        (
            (
                Step(name="a", image=IMAGE, depends_on=("c",)),
                Step(name="b", image=IMAGE, depends_on=("a",)),
                Step(name="c", image=IMAGE, depends_on=("b",)),
            ),
            "depends_on forms a cycle: a -> c -> b -> a",
        ),
        ((Step(name="a", image=IMAGE), Step(name="a", image=IMAGE)), "a name is used twice"),
        ((), "at least one step"),
    ],
)
def test_bad_dags_are_refused(steps: tuple[Step, ...], expected: str) -> None:
    with pytest.raises(ValueError, match=expected):
        WorkflowProps(steps=steps)


def test_bad_steps_are_refused() -> None:
    with pytest.raises(ValueError, match="gpus=1 needs a cpu_limit"):
        Step(name="t", image=IMAGE, gpus=1, resources=Resources(cpu_limit=None))
    with pytest.raises(ValueError, match=r"moving tag|pin"):
        Step(name="t", image="python:latest")
    with pytest.raises(ValueError, match="schedule"):
        CronWorkflowProps(schedule="0 2 * *", steps=PIPELINE)


def test_external_secret_from_a_vault_store(tmp_path: Path) -> None:
    def compose(chart: object) -> None:
        SecretStore(
            chart, "vault", SecretStoreProps(name="vault", vault=VaultProvider(role="demo"))
        )  # type: ignore[arg-type]
        secret = ExternalSecret(
            chart,  # type: ignore[arg-type]
            "db",
            ExternalSecretProps(
                name="demo-db",
                store="vault",
                data=(RemoteKey(secret_key="password", remote_key="demo/db", property="pw"),),
            ),
        )
        env = secret.env_var("DB_PASSWORD", "password")
        assert (env.secret, env.key) == ("demo-db", "password")
        assert secret.read_access().render() == {
            "apiGroups": [""],
            "resources": ["secrets"],
            "verbs": ["get"],
            "resourceNames": ["demo-db"],
        }
        with pytest.raises(ValueError, match="has no key 'user'"):
            secret.env_var("DB_USER", "user")

    objects = build(compose, ENV)
    spec = objects[("ExternalSecret", "demo-db")]["spec"]
    assert spec["secretStoreRef"] == {"name": "vault", "kind": "SecretStore"}
    assert spec["data"] == [
        {"secretKey": "password", "remoteRef": {"key": "demo/db", "property": "pw"}}
    ]
    vault = objects[("SecretStore", "vault")]["spec"]["provider"]["vault"]
    assert vault["auth"] == {"kubernetes": {"mountPath": "kubernetes", "role": "demo"}}
    assert not any(kind == "Secret" for kind, _ in objects)
    _valid(objects, tmp_path)


def test_external_secret_props_are_checked() -> None:
    with pytest.raises(ValueError, match="refresh_interval"):
        ExternalSecretProps(
            name="s",
            store="v",
            data=(RemoteKey(secret_key="a", remote_key="b"),),
            refresh_interval="hourly",
        )
    with pytest.raises(ValueError, match="https"):
        VaultProvider(role="r", server="http://vault:8200")
