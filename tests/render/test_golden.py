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


def test_every_app_renders_for_every_environment() -> None:
    for env in ("dev", "staging", "prod"):
        for app in ("my-app", "ml-inference-api"):
            folder = ROOT / "rendered" / env / app
            kinds = {p.name.split(".")[0] for p in folder.glob("*.yaml")}
            assert {
                "service", "horizontalpodautoscaler", "networkpolicy", "servicemonitor",
                "prometheusrule",
            } <= kinds, folder  # fmt: skip
            slo_rules = {p.name for p in folder.glob("prometheusrule.*-slo-*.yaml")}
            assert slo_rules == {
                f"prometheusrule.{app}-slo-availability.yaml",
                f"prometheusrule.{app}-slo-latency.yaml",
            }
            assert (folder / f"configmap.{app}-slo-dashboard.yaml").exists()
            canary = (env, app) in {("prod", "my-app"), ("staging", "my-app")}
            workload = "rollout" if canary else "deployment"
            assert workload in kinds, folder
        namespaces = sorted(p.name for p in (ROOT / "rendered" / env / "cluster").iterdir())
        assert namespaces == ["namespace.ml-inference-api.yaml", "namespace.my-app.yaml"]
