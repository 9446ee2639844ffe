"""gitops.git against real git repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gitops.git import author


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, timeout=60)


@pytest.fixture(autouse=True)
def _no_global_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def test_author_is_the_repositorys_user_name_and_email(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "config", "user.name", "Ada Lovelace")
    _git(tmp_path, "config", "user.email", "ada@example.com")
    assert author(tmp_path) == "Ada Lovelace <ada@example.com>"
    _git(tmp_path, "config", "--unset", "user.email")
    assert author(tmp_path) == "Ada Lovelace"


def test_author_outside_a_repository_falls_back_to_the_login(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("USER", "deploy-bot")
    assert author(tmp_path) == "deploy-bot"
