"""The committed rendered/ tree is exactly what the sources render to, byte for byte."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ROOT, copy_sources, gitops, tree


def test_committed_rendered_tree_is_current() -> None:
    run = gitops(ROOT, "synth", "--check")
    assert run.code == 0, run.out + run.err
    assert run.out.strip() == "rendered/ is up to date"


def test_rendering_from_scratch_reproduces_the_committed_tree(tmp_path: Path) -> None:
    repo = copy_sources(tmp_path / "repo")
    run = gitops(repo, "synth")
    assert run.code == 0, run.err
    assert tree(repo) == tree(ROOT)


def test_every_app_renders_for_every_environment_that_runs_it() -> None:
    runs = {"dev": ("my-app",), "staging": ("my-app", "ml-inference-api")}
    runs["prod"] = runs["staging"]
    for env, apps in runs.items():
        for app in apps:
            folder = ROOT / "rendered" / env / app
            kinds = {p.name.split(".")[0] for p in folder.glob("*.yaml")}
            assert {
                "service", "horizontalpodautoscaler", "networkpolicy", "servicemonitor",
                "prometheusrule",
            } <= kinds, folder  # fmt: skip
            # The SLOs' rule groups are in the workload's PrometheusRule, the only one.
            assert [p.name for p in folder.glob("prometheusrule.*.yaml")] == [
                f"prometheusrule.{app}.yaml"
            ]
            groups = (folder / f"prometheusrule.{app}.yaml").read_text()
            for slo in ("availability", "latency"):
                for part in ("sli", "period", "alerts"):
                    assert f"- name: {app}-slo-{slo}.{part}\n" in groups
            assert (folder / f"configmap.{app}-slo-dashboard.yaml").exists()
            canary = (env, app) in {("prod", "my-app"), ("staging", "my-app")}
            workload = "rollout" if canary else "deployment"
            assert workload in kinds, folder
            # The app's own Namespace travels with the app (its Application creates it first).
            namespace = app if env == "prod" else f"{app}-{env}"
            assert (folder / f"namespace.{namespace}.yaml").is_file(), folder
        # No cluster-scoped object besides the apps' own Namespaces: no cluster folder.
        assert not (ROOT / "rendered" / env / "cluster").exists()
    # ml-inference-api is excluded from dev (envs/dev.py exclude_apps).
    assert not (ROOT / "rendered" / "dev" / "ml-inference-api").exists()
