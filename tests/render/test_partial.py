"""--env / --app / PATHS narrow a run; what is outside the selection is kept as it is."""

from __future__ import annotations

from pathlib import Path

from gitops.errors import ExitCode
from tests.conftest import gitops, tree


def _edit_my_app(repo: Path) -> None:
    app = repo / "apps" / "my_app.py"
    app.write_text(app.read_text().replace('"DATABASE_PORT": "5432"', '"DATABASE_PORT": "6432"'))


def test_app_selection_rewrites_only_that_app(config_repo: Path) -> None:
    _edit_my_app(config_repo)
    ml = config_repo / "apps" / "ml_inference_api.py"
    ml.write_text(ml.read_text().replace("sentiment-bert-v3", "sentiment-bert-v4"))
    before = tree(config_repo)
    run = gitops(config_repo, "synth", "--app", "my-app")
    assert run.code == 0, run.err
    after = tree(config_repo)
    changed = {p for p in after if after[p] != before[p]}
    assert changed == {
        ".gitops/render-index.json",
        *(
            f"rendered/{env}/my-app/configmap.my-app-config.yaml"
            for env in ("dev", "staging", "prod")
        ),
        "rendered/dev/my-app/deployment.my-app.yaml",
        "rendered/staging/my-app/rollout.my-app.yaml",
        "rendered/prod/my-app/rollout.my-app.yaml",
    }
    # ml-inference-api was edited too but not selected: still stale, and a full check says so.
    check = gitops(config_repo, "synth", "--check")
    assert check.code == ExitCode.FINDINGS
    assert "rendered/staging/ml-inference-api/configmap.ml-inference-api-config.yaml" in check.out
    assert "my-app/" not in check.out


def test_env_selection_rewrites_only_that_env(config_repo: Path) -> None:
    _edit_my_app(config_repo)
    before = tree(config_repo)
    assert gitops(config_repo, "synth", "--env", "dev").code == 0
    after = tree(config_repo)
    changed = sorted(p for p in after if after[p] != before[p])
    assert changed == [
        ".gitops/render-index.json",
        "rendered/dev/my-app/configmap.my-app-config.yaml",
        "rendered/dev/my-app/deployment.my-app.yaml",
    ]


def test_paths_narrow_a_check_to_their_apps(config_repo: Path) -> None:
    drifted = (
        config_repo / "rendered" / "prod" / "ml-inference-api" / "service.ml-inference-api.yaml"
    )
    drifted.write_text(drifted.read_text() + "# hand edit\n")
    assert gitops(config_repo, "synth", "--check", "apps/my_app.py").code == 0
    run = gitops(config_repo, "synth", "--check", "apps/my_app.py", str(drifted))
    assert run.code == ExitCode.FINDINGS
    assert "changed  rendered/prod/ml-inference-api/service.ml-inference-api.yaml" in run.out
    # A path that can affect every app (an environment) means a full check.
    assert gitops(config_repo, "synth", "--check", "envs/prod.py").code == ExitCode.FINDINGS


def test_unknown_app_or_env_is_a_usage_error(config_repo: Path) -> None:
    run = gitops(config_repo, "synth", "--app", "my-ap")
    assert run.code == ExitCode.USAGE
    assert "error: unknown app 'my-ap'" in run.err
    assert "fix: use one of: ml-inference-api, my-app" in run.err
    run = gitops(config_repo, "synth", "--env", "qa")
    assert run.code == ExitCode.USAGE
    assert "fix: use one of: dev, prod, staging" in run.err


def test_partial_run_without_an_index_asks_for_a_full_run(config_repo: Path) -> None:
    (config_repo / ".gitops" / "render-index.json").unlink()
    run = gitops(config_repo, "synth", "--app", "my-app")
    assert run.code == ExitCode.USAGE
    assert "run gitops synth without --env/--app once" in run.err
    assert gitops(config_repo, "synth").code == 0
