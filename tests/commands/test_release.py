"""Source changes env by env: ``promote --source`` moves an env's branch (fast-forward only,
after gates at that commit), ``--rollback`` moves it back, ``status`` reports; all with real
git in a temporary copy of this config repo (dev tracks main; staging and prod their own
branches, as envs/ declare)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import copy_sources, git, gitops


def _git(root: Path, *args: str) -> str:
    return git(root, *args).strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = copy_sources(tmp_path / "repo", rendered=True)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "init")
    _git(root, "branch", "env/staging")
    _git(root, "branch", "env/prod")
    return root


def _bump_dev(repo: Path, tag: str) -> str:
    run = gitops(repo, "set-image", "my-app", f"ghcr.io/acme/my-app:{tag}", "--env", "dev")
    assert run.code == 0, run.err
    _git(repo, "commit", "-qam", f"dev: my-app {tag}")
    return _git(repo, "rev-parse", "HEAD")


def _records(repo: Path) -> list[dict[str, object]]:
    path = repo / ".gitops" / "promotions.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_release_staging_then_prod_then_roll_back(repo: Path) -> None:
    first = _git(repo, "rev-parse", "HEAD")
    change = _bump_dev(repo, "1.9.0")

    staged = gitops(repo, "promote", "--to", "staging", "--source")
    assert staged.code == 0, staged.err
    assert _git(repo, "rev-parse", "env/staging") == change
    assert _git(repo, "rev-parse", "env/prod") == first
    assert f"env/staging {first[:12]} -> {change[:12]} (1 commit(s))" in staged.out

    again = gitops(repo, "promote", "--to", "staging", "--source")
    assert again.code == 0 and "nothing to release" in again.out

    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "record staging release")
    prod = gitops(repo, "promote", "--to", "prod", "--source")
    assert prod.code == 0, prod.err
    assert _git(repo, "rev-parse", "env/prod") == change

    status = json.loads(gitops(repo, "status", "--format", "json").out)["status"]
    row = next(r for r in status if r["env"] == "prod" and r["app"] == "my-app")
    assert (row["ref"], row["commit"], row["upstream"]) == ("env/prod", change, "staging")
    dev = next(r for r in status if r["env"] == "dev" and r["app"] == "my-app")
    assert dev["image"] == "ghcr.io/acme/my-app:1.9.0"

    refused = gitops(repo, "promote", "--to", "prod", "--rollback")
    assert refused.code == 2 and "--rollback needs --reason" in refused.err
    back = gitops(repo, "promote", "--to", "prod", "--rollback", "--reason", "p99 regression")
    assert back.code == 0, back.err
    assert _git(repo, "rev-parse", "env/prod") == first
    kinds = [(r["kind"], r["to"], r["commit"], r["previous"]) for r in _records(repo)]
    assert kinds == [
        ("source", "staging", change, first),
        ("source", "prod", change, first),
        ("rollback", "prod", first, change),
    ]
    assert _records(repo)[-1]["reason"] == "p99 regression"
    reflog = _git(repo, "reflog", "show", "--format=%gs", "env/prod")
    assert "gitops rollback prod" in reflog and "gitops source prod" in reflog


def test_release_is_fast_forward_only(repo: Path) -> None:
    _git(repo, "checkout", "-q", "env/staging")
    (repo / "hotfix.txt").write_text("only on staging\n")
    _git(repo, "add", "hotfix.txt")
    _git(repo, "commit", "-qm", "hotfix on the branch")
    hotfix = _git(repo, "rev-parse", "HEAD")
    _git(repo, "checkout", "-q", "main")
    _bump_dev(repo, "1.9.1")
    run = gitops(repo, "promote", "--to", "staging", "--source")
    assert run.code == 2
    assert "is not an ancestor" in run.err and "merge env/staging into main" in run.err
    assert _git(repo, "rev-parse", "env/staging") == hotfix


def test_a_commit_that_fails_its_gates_is_not_released(repo: Path) -> None:
    before = _git(repo, "rev-parse", "env/staging")
    rendered = repo / "rendered" / "dev" / "my-app" / "deployment.my-app.yaml"
    rendered.write_text(rendered.read_text() + "# hand edit\n")
    _git(repo, "commit", "-qam", "hand edit of rendered/")
    run = gitops(repo, "promote", "--to", "staging", "--source")
    assert run.code == 1
    assert "gates failed (rendered_current" in run.err
    assert _git(repo, "rev-parse", "env/staging") == before
    assert not (repo / ".gitops" / "promotions.jsonl").exists()
    assert _git(repo, "worktree", "list").count("\n") == 0  # the gate's worktree is gone


def test_an_env_without_its_own_branch_cannot_be_released(repo: Path) -> None:
    run = gitops(repo, "promote", "--to", "dev", "--source")
    assert run.code == 2
    assert "revision='env/dev'" in run.err
