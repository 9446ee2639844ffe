"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit framework.

``pre-commit try-repo`` clones this repository (with uncommitted changes to tracked files)
and pip-installs it into a fresh virtualenv, as a config repo's pre-commit would. That takes
a while, so there is one test per hook behaviour that matters, marked ``slow``; CI runs them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import copy_sources
from tests.repo import deployment, focus

REPO = Path(__file__).parents[2]
GOOD = "rendered/dev/shop/deployment.good.yaml"
BAD = "rendered/dev/shop/deployment.bad.yaml"


def try_repo(
    config_repo: Path, home: Path, *files: str, hook: str = "gitops-lint"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(REPO),
            hook,
            "--files",
            *files,
        ],
        cwd=config_repo,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"},
    )


@pytest.mark.slow
def test_gitops_lint_hook_passes_good_and_fails_bad_manifest(tmp_path: Path) -> None:
    config_repo = tmp_path / "config"
    (config_repo / "rendered/dev/shop").mkdir(parents=True)
    (config_repo / GOOD).write_text(deployment(name="good"), encoding="utf-8")
    (config_repo / BAD).write_text(deployment(name="bad", image="bad:latest"), encoding="utf-8")
    # Only the image rules: the test is about the hook, not about what other rules find.
    pyproject = "[tool.gitops]\n[tool.gitops.lint]\n" + focus("images")
    (config_repo / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=config_repo, check=True, timeout=60)
    subprocess.run(["git", "add", "."], cwd=config_repo, check=True, timeout=60)

    good = try_repo(config_repo, tmp_path / "home", GOOD)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "gitops lint" in good.stdout and "Passed" in good.stdout

    bad = try_repo(config_repo, tmp_path / "home", BAD)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert f"{BAD}\n  13:9  error   IM001 mutable-image-tag  Deployment shop/bad: " in bad.stdout
    assert "deployment.good.yaml" not in bad.stdout.split("Using config")[-1].split("Failed")[-1]


@pytest.mark.slow
def test_gitops_check_hook_passes_a_current_repo_and_fails_on_drift(tmp_path: Path) -> None:
    config_repo = copy_sources(tmp_path / "config", rendered=True)
    subprocess.run(["git", "init", "-q"], cwd=config_repo, check=True, timeout=60)
    subprocess.run(["git", "add", "."], cwd=config_repo, check=True, timeout=60)
    home = tmp_path / "home"

    good = try_repo(config_repo, home, "apps/my_app.py", hook="gitops-check")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "gitops check" in good.stdout and "Passed" in good.stdout

    service = config_repo / "rendered/prod/my-app/service.my-app.yaml"
    service.write_text(service.read_text().replace("port: 80", "port: 81"))
    bad = try_repo(
        config_repo, home, "rendered/prod/my-app/service.my-app.yaml", hook="gitops-check"
    )
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "RD001 rendered-file-out-of-date" in bad.stdout
    assert "rendered/prod/my-app/service.my-app.yaml differs from a fresh render" in bad.stdout
