"""``gitops init``: a new config repo, verified with the real tools a team would run on it
(git, gitops check, the pre-commit framework with this repo's hooks, actionlint)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from gitops.commands.init import DISTRIBUTION, HOOKS_REPO
from tests.conftest import ROOT, Run

HOOK_IDS = {hook["id"] for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}


def run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    done = subprocess.run(
        [sys.executable, "-m", "gitops", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        timeout=300,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def digest(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root`` (but .git), by relative path."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts[:1]
    }


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repo made by ``gitops init`` and put under git, as the README says."""
    parent = tmp_path_factory.mktemp("init")
    done = run(
        parent,
        "init",
        "platform-config",
        "--repo-url",
        "https://github.com/acme/platform-config.git",
    )
    assert done.code == 0, done.err
    repo = parent / "platform-config"
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, timeout=60)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, timeout=60)
    return repo


def test_init_writes_a_config_repo_that_depends_on_the_tool(initialised: Path) -> None:
    files = set(digest(initialised))
    assert {
        "pyproject.toml",
        "README.md",
        ".gitignore",
        ".gitattributes",
        ".pre-commit-config.yaml",
        ".github/workflows/gitops.yml",
        ".github/workflows/pr-review.yml",
        ".github/CODEOWNERS",
        "apps/hello.py",
        ".gitops/render-index.json",
    } <= files
    for env in ("dev", "staging", "prod"):
        assert {f"envs/{env}.py", f"envs/{env}.images.yaml"} <= files
        assert f"rendered/{env}/hello/deployment.hello.yaml" in files
    assert "rendered/argocd/prod/application.prod-hello.yaml" in files
    assert not (initialised / "gitops").exists(), "a config repo, not a copy of the tool"
    pyproject = (initialised / "pyproject.toml").read_text()
    assert f'dependencies = ["{DISTRIBUTION}==' in pyproject
    assert 'repo_url = "https://github.com/acme/platform-config.git"' in pyproject
    assert "rendered/** linguist-generated=true" in (initialised / ".gitattributes").read_text()
    owners = (initialised / ".github/CODEOWNERS").read_text()
    assert "/envs/prod.py @acme/platform" in owners
    assert "/rendered/prod/ @acme/platform" in owners


def test_after_init_synth_check_and_check_pass_from_the_repo(initialised: Path) -> None:
    synth = run(initialised, "synth", "--check")
    assert synth.code == 0, synth.out + synth.err
    check = run(initialised / "apps", "check")
    assert check.code == 0, check.out + check.err
    assert check.out.splitlines()[-1].startswith("0 errors, 0 warnings, 0 info; 0 suppressed;")


def test_init_refuses_a_non_empty_directory_without_force(initialised: Path) -> None:
    before = digest(initialised)
    again = run(initialised, "init")
    assert again.code == 2
    assert again.err.startswith("error: . is not empty (")
    assert "--force" in again.err
    assert digest(initialised) == before


def test_init_force_on_an_initialised_repo_changes_nothing(initialised: Path) -> None:
    before = digest(initialised)
    again = run(initialised.parent, "init", "platform-config", "--force")
    assert again.code == 0, again.err
    assert "wrote 0 file(s)" in again.out
    assert digest(initialised) == before


def test_init_force_keeps_existing_files_and_adds_the_rest(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("ours\n", encoding="utf-8")
    done = run(tmp_path, "init", "--force", "--envs", "dev")
    assert done.code == 0, done.err
    assert (tmp_path / "README.md").read_text() == "ours\n"
    assert (tmp_path / "rendered/dev/hello").is_dir()


def test_an_empty_git_repo_is_empty_enough(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True, timeout=60)
    done = run(tmp_path, "init", "--envs", "qa,live")
    assert done.code == 0, done.err
    assert "/rendered/live/ @platform/platform" in (tmp_path / ".github/CODEOWNERS").read_text()
    assert "set repo_url in pyproject.toml" in done.out


def test_init_dry_run_writes_nothing(tmp_path: Path) -> None:
    done = run(tmp_path, "init", "new", "--dry-run")
    assert done.code == 0, done.err
    assert "would write apps/hello.py" in done.out
    assert not (tmp_path / "new").exists()


def test_init_is_deterministic(tmp_path: Path) -> None:
    for parent, seed in (("a", "1"), ("b", "2")):
        (tmp_path / parent).mkdir()
        done = run(tmp_path / parent, "init", "config", env={"PYTHONHASHSEED": seed})
        assert done.code == 0, done.err
    assert digest(tmp_path / "a/config") == digest(tmp_path / "b/config")


@pytest.mark.parametrize("envs", ["", "dev,dev", "Prod", "argocd"])
def test_bad_envs_are_a_usage_error(tmp_path: Path, envs: str) -> None:
    done = run(tmp_path, "init", "x", "--envs", envs)
    assert done.code == 2
    assert done.err.startswith("error: --envs")
    assert not (tmp_path / "x").exists()


def test_the_scaffold_pr_review_workflow_is_this_repos(initialised: Path) -> None:
    """One PR review flow (new findings, the diff comment): the scaffold ships this repo's."""
    ours = (ROOT / ".github/workflows/pr-review.yml").read_text()
    assert (initialised / ".github/workflows/pr-review.yml").read_text() == ours


def test_the_scaffold_workflows_pass_actionlint(initialised: Path) -> None:
    actionlint = Path(sys.executable).parent / "actionlint"
    assert actionlint.is_file(), "actionlint is missing: pip install -e '.[test]'"
    workflows = sorted(str(p) for p in (initialised / ".github/workflows").glob("*.yml"))
    assert workflows
    done = subprocess.run(
        [str(actionlint), "-no-color", *workflows],
        cwd=initialised,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_the_scaffold_hooks_pass_under_the_real_pre_commit(
    initialised: Path, tmp_path: Path
) -> None:
    config = yaml.safe_load((initialised / ".pre-commit-config.yaml").read_text())
    (entry,) = config["repos"]
    assert entry["repo"] == HOOKS_REPO
    hooks = [hook["id"] for hook in entry["hooks"]]
    assert hooks and set(hooks) <= HOOK_IDS
    for hook in hooks:
        # try-repo installs this repository as the scaffold's pinned rev would be installed.
        done = subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--all-files"],
            cwd=initialised,
            capture_output=True,
            text=True,
            timeout=900,
            env={**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "home"), "NO_COLOR": "1"},
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Passed" in done.stdout
