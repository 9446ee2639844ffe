"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit framework.

Each config repo names this repository in its ``.pre-commit-config.yaml`` (its path and a
revision, as a user's config names ours) and runs ``pre-commit run``, which clones it and
pip-installs it into a virtualenv. The tests share one pre-commit cache, as a developer's
machine has one: gitops is installed once for the module, not once per run (``try-repo``
uses a fresh cache every time: four installs took three of the suite's ten minutes).
Uncommitted changes to tracked files are committed to a temporary clone first, as
``try-repo`` does, so the hooks under test are the working tree's. The tests are marked
``slow``; CI runs them.
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


def _git(*args: str, cwd: Path, stdin: bytes | None = None) -> bytes:
    return subprocess.run(
        ["git", *args], cwd=cwd, input=stdin, capture_output=True, check=True, timeout=120
    ).stdout


@pytest.fixture(scope="module")
def hooks(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This repository as a config repo names it: a path and a revision, with the working
    tree's changes to tracked files committed in a temporary clone."""
    head = _git("rev-parse", "HEAD", cwd=REPO).decode().strip()
    changes = _git("diff", "HEAD", "--binary", cwd=REPO)
    if not changes:
        return REPO, head
    shadow = tmp_path_factory.mktemp("hooks") / "repo"
    _git("clone", "-q", str(REPO), str(shadow), cwd=REPO)
    _git("checkout", "-q", head, cwd=shadow)
    _git("apply", "--binary", "-", cwd=shadow, stdin=changes)
    _git("add", "-A", cwd=shadow)
    identity = ("-c", "user.name=gitops tests", "-c", "user.email=tests@example.invalid")
    _git(*identity, "commit", "-q", "-m", "uncommitted changes", cwd=shadow)
    return shadow, _git("rev-parse", "HEAD", cwd=shadow).decode().strip()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The module's pre-commit cache."""
    return tmp_path_factory.mktemp("pre-commit-home")


def run_hook(
    config_repo: Path,
    hooks: tuple[Path, str],
    home: Path,
    *files: str,
    hook: str = "gitops-lint",
) -> subprocess.CompletedProcess[str]:
    repo, rev = hooks
    config = f"repos:\n- repo: {repo}\n  rev: {rev}\n  hooks:\n  - id: {hook}\n"
    (config_repo / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    _git("add", ".pre-commit-config.yaml", cwd=config_repo)  # pre-commit wants it staged
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", hook, "--files", *files],
        cwd=config_repo,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"},
    )


@pytest.mark.slow
def test_gitops_lint_hook_passes_good_and_fails_bad_manifest(
    tmp_path: Path, hooks: tuple[Path, str], home: Path
) -> None:
    config_repo = tmp_path / "config"
    (config_repo / "rendered/dev/shop").mkdir(parents=True)
    (config_repo / GOOD).write_text(deployment(name="good"), encoding="utf-8")
    (config_repo / BAD).write_text(deployment(name="bad", image="bad:latest"), encoding="utf-8")
    # Only the image rules: the test is about the hook, not about what other rules find.
    pyproject = "[tool.gitops]\n[tool.gitops.lint]\n" + focus("images")
    (config_repo / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=config_repo, check=True, timeout=60)
    subprocess.run(["git", "add", "."], cwd=config_repo, check=True, timeout=60)

    good = run_hook(config_repo, hooks, home, GOOD)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "gitops lint" in good.stdout and "Passed" in good.stdout

    bad = run_hook(config_repo, hooks, home, BAD)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert f"{BAD}\n  13:9  error   IM001 mutable-image-tag  Deployment shop/bad: " in bad.stdout
    assert "deployment.good.yaml" not in bad.stdout.split("Failed")[-1]


@pytest.mark.slow
def test_gitops_check_hook_passes_a_current_repo_and_fails_on_drift(
    tmp_path: Path, hooks: tuple[Path, str], home: Path
) -> None:
    config_repo = copy_sources(tmp_path / "config", rendered=True)
    subprocess.run(["git", "init", "-q"], cwd=config_repo, check=True, timeout=60)
    subprocess.run(["git", "add", "."], cwd=config_repo, check=True, timeout=60)

    good = run_hook(config_repo, hooks, home, "apps/my_app.py", hook="gitops-check")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "gitops check" in good.stdout and "Passed" in good.stdout

    service = config_repo / "rendered/prod/my-app/service.my-app.yaml"
    service.write_text(service.read_text().replace("port: 80", "port: 81"))
    bad = run_hook(
        config_repo, hooks, home, "rendered/prod/my-app/service.my-app.yaml", hook="gitops-check"
    )
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "RD001 rendered-file-out-of-date" in bad.stdout
    assert "rendered/prod/my-app/service.my-app.yaml differs from a fresh render" in bad.stdout
