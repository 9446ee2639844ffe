"""Stale files disappear, collisions are errors, and --check reports every kind of drift."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from gitops.errors import ExitCode
from tests.conftest import gitops, tree


def test_removed_app_disappears_everywhere(config_repo: Path) -> None:
    (config_repo / "apps" / "ml_inference_api.py").unlink()
    for env in ("dev", "staging", "prod"):
        images = config_repo / "envs" / f"{env}.images.yaml"
        images.write_text(
            "".join(
                line for line in images.read_text().splitlines(True) if "ml-inference" not in line
            )
        )
    for env in ("dev", "staging"):
        module = config_repo / "envs" / f"{env}.py"
        module.write_text(
            "".join(
                line for line in module.read_text().splitlines(True) if "ml-inference" not in line
            )
        )
    run = gitops(config_repo, "synth")
    assert run.code == 0, run.err
    # Removing an app is visible: synth names each (env, app) and what Argo CD will do.
    removed = [line for line in run.out.splitlines() if line.startswith("removed app")]
    assert removed == [
        f"removed app 'ml-inference-api' from environment {env!r}: Argo CD deletes its "
        "Application and leaves its objects running, with no owner ([tool.gitops] "
        'on_app_removal = "orphan"; see README "Removing an app or an environment")'
        for env in ("prod", "staging")
    ]
    files = tree(config_repo)
    assert not [p for p in files if "ml-inference-api" in p and p.startswith("rendered/")]
    index = json.loads(files[".gitops/render-index.json"])
    assert not [p for p in index["files"] if "ml-inference-api" in p]
    project = files["rendered/argocd/prod/appproject.prod.yaml"].decode()
    assert "namespace: my-app" in project and "ml-inference-api" not in project


def test_removed_environment_disappears(config_repo: Path) -> None:
    (config_repo / "envs" / "staging.py").unlink()
    (config_repo / "envs" / "staging.images.yaml").unlink()
    fed = gitops(config_repo, "synth")  # prod still names staging as its upstream
    assert fed.code == 2 and "envs/prod.py: upstream 'staging' is not an environment" in fed.err
    prod = config_repo / "envs" / "prod.py"
    prod.write_text(prod.read_text().replace('upstream="staging"', 'upstream="dev"'))
    assert gitops(config_repo, "synth").code == 0
    assert not (config_repo / "rendered" / "staging").exists()
    assert not list((config_repo / "rendered" / "argocd").glob("*staging*"))


def test_stray_file_is_extra_for_check_and_removed_by_synth(config_repo: Path) -> None:
    stray = config_repo / "rendered" / "prod" / "my-app" / "configmap.hand-made.yaml"
    stray.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hand-made\n")
    check = gitops(config_repo, "synth", "--check")
    assert check.code == ExitCode.FINDINGS
    assert "  extra    rendered/prod/my-app/configmap.hand-made.yaml" in check.out
    assert gitops(config_repo, "synth").code == 0
    assert not stray.exists()


def test_check_reports_changed_missing_extra_and_writes_nothing(config_repo: Path) -> None:
    changed = config_repo / "rendered" / "dev" / "my-app" / "service.my-app.yaml"
    changed.write_text(changed.read_text().replace("port: 80", "port: 8081"))
    missing = config_repo / "rendered" / "prod" / "ml-inference-api" / "role.ml-inference-api.yaml"
    missing.unlink()
    extra = config_repo / "rendered" / "staging" / "my-app" / "secret.leaked.yaml"
    extra.write_text("apiVersion: v1\nkind: Secret\n")
    before = tree(config_repo)
    check = gitops(config_repo, "synth", "--check")
    assert check.code == ExitCode.FINDINGS
    assert tree(config_repo) == before
    out = check.out
    assert "(1 changed, 1 missing, 1 extra)" in out
    assert "  changed  rendered/dev/my-app/service.my-app.yaml" in out
    assert "-    port: 8081" in out and "+    port: 80" in out
    assert "  missing  rendered/prod/ml-inference-api/role.ml-inference-api.yaml" in out
    assert "  extra    rendered/staging/my-app/secret.leaked.yaml" in out
    assert "fix: run 'gitops synth' and commit the result" in out


def test_stale_index_is_drift(config_repo: Path) -> None:
    index = config_repo / ".gitops" / "render-index.json"
    index.write_text(
        index.read_text().replace('"kubernetesVersion": "1.32"', '"kubernetesVersion": "1.30"')
    )
    check = gitops(config_repo, "synth", "--check")
    assert check.code == ExitCode.FINDINGS
    assert "  changed  .gitops/render-index.json" in check.out


def test_two_objects_mapping_to_one_file_is_an_error_naming_both(
    config_repo: Path, write: Callable[[Path, str], Path]
) -> None:
    write(
        config_repo / "apps" / "twins.py",
        """
        from constructs import Construct

        from gitops.constructs import AppChart, Probe, Worker, WorkerProps
        from gitops.constructs.environment import Environment

        LIVE = Probe.command("true")


        class Twins(AppChart):
            app_name = "twins"

            def __init__(self, scope: Construct, env: Environment) -> None:
                super().__init__(scope, env)
                Worker(self, "a", WorkerProps(name="job", image="busybox:1.36", liveness=LIVE))
                Worker(self, "b", WorkerProps(name="job", image="busybox:1.36", liveness=LIVE))
        """,
    )
    before = tree(config_repo)
    run = gitops(config_repo, "synth")
    assert run.code == ExitCode.USAGE
    assert "two objects map to rendered/dev/twins/serviceaccount.job.yaml" in run.err
    assert "construct dev/twins/a (apps/twins.py)" in run.err
    assert "construct dev/twins/b (apps/twins.py)" in run.err
    assert tree(config_repo) == before
