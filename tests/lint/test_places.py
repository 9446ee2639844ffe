"""A linted file's repo-relative path: its real path, asked of the file system once per file
and once per directory when the loader does not know it, is what ``os.path.realpath`` says."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gitops.k8s.render_index import RenderIndex
from gitops.lint.run import _Places


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    (root / "rendered" / "dev").mkdir(parents=True)
    (root / "rendered" / "dev" / "a.yaml").write_text("{}\n")
    outside = tmp_path / "outside" / "deep"
    outside.mkdir(parents=True)
    (outside / "b.yaml").write_text("{}\n")
    (tmp_path / "into-repo").symlink_to(root / "rendered")
    (outside / "up").symlink_to(root / "rendered" / "dev")
    (outside / "file-link.yaml").symlink_to(root / "rendered" / "dev" / "a.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_real_paths_are_what_os_path_realpath_says(tree: Path) -> None:
    places = _Places(tree / "repo", RenderIndex(), set(), None)
    paths = [
        "into-repo/dev/a.yaml",
        "outside/deep/b.yaml",
        "outside/deep/up/a.yaml",
        "outside/deep/up/../deep/b.yaml",
        "outside/deep/file-link.yaml",
        "./outside//deep/b.yaml",
        str(tree / "outside" / "deep" / "up" / "a.yaml"),
        "repo/rendered/dev/a.yaml",
    ]
    for path in paths * 2:  # the second time from what it remembers
        assert places._realpath(path) == os.path.realpath(path), path
    assert places.rel("into-repo/dev/a.yaml") == "rendered/dev/a.yaml"
    assert places.rel("outside/deep/up/a.yaml") == "rendered/dev/a.yaml"
    assert places.rel("outside/deep/file-link.yaml") == "rendered/dev/a.yaml"
    assert places.rel("./outside//deep/b.yaml") == "outside/deep/b.yaml"
