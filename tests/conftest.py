"""Shared fixtures: a temporary copy of this config repo, and ways to run the real CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from gitops.cli import cli

ROOT = Path(__file__).resolve().parents[1]
"""This repository: the tool and a working config repo."""


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def git(root: Path, *args: str) -> str:
    """Real git in ``root`` as a fixed test author; its stdout (a failure raises)."""
    done = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout


def gitops(root: Path, *args: str) -> Run:
    """Run the CLI in-process (real click parsing, real cdk8s) against ``root``."""
    result = CliRunner().invoke(cli, ["--root", str(root), *args], catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


def gitops_process(
    root: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> Run:
    """Run ``python -m gitops`` in a fresh interpreter (for hash seeds, stderr, exit codes)."""
    done = subprocess.run(
        [sys.executable, "-m", "gitops", "--root", str(root), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def tree(root: Path) -> dict[str, bytes]:
    """Every file of ``rendered/`` and the render index, by repo-relative path."""
    files = {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted((root / "rendered").rglob("*"))
        if p.is_file()
    }
    index = root / ".gitops" / "render-index.json"
    if index.exists():
        files[".gitops/render-index.json"] = index.read_bytes()
    return files


def copy_sources(target: Path, *, rendered: bool = False) -> Path:
    """A config repo at ``target`` with this repo's apps, envs and settings."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "apps", target / "apps", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "envs", target / "envs", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    if rendered:
        shutil.copytree(ROOT / "rendered", target / "rendered")
        shutil.copytree(ROOT / ".gitops", target / ".gitops")
    return target


@pytest.fixture
def config_repo(tmp_path: Path) -> Path:
    """A copy of this config repo's sources with its committed rendered/ tree."""
    return copy_sources(tmp_path / "repo", rendered=True)


@pytest.fixture
def write() -> Callable[[Path, str], Path]:
    """Write dedented text to a file, creating parents."""
    import textwrap

    def _write(path: Path, text: str) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write
