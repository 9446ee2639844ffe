"""Which files a directory argument stands for, and in what order: what ``os.walk`` (top-down,
names sorted, hidden and tool directories skipped, symlinked directories reported) lists."""

from __future__ import annotations

import inspect
import os
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitops.k8s.manifests import _SKIP_DIRS, YAML_SUFFIXES, discover_files


def _walked(top: str) -> tuple[list[str], list[str]]:
    """The reference: os.walk, pruned as the loader prunes."""
    found: list[str] = []
    links: list[str] = []
    for dirpath, dirnames, filenames in os.walk(top):
        kept = []
        for name in sorted(dirnames):
            if name.startswith(".") or name in _SKIP_DIRS:
                continue
            if os.path.islink(os.path.join(dirpath, name)):
                links.append(os.path.join(dirpath, name))
                continue
            kept.append(name)
        dirnames[:] = kept
        found += [os.path.join(dirpath, f) for f in sorted(filenames) if f.endswith(YAML_SUFFIXES)]
    return found, links


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    top = tmp_path / "tree"
    for folder in ["b", "a/z", "a/y/x", "a-b", "A", ".hidden", "node_modules", "a/venv", "c.yaml"]:
        (top / folder).mkdir(parents=True)
    for file in [
        "z.yaml",
        "a.yml",
        "b.json",
        "notes.txt",
        "a/z/1.yaml",
        "a/y/x/2.yaml",
        "a/y/3.yaml",
        "a-b/4.yaml",
        "A/5.yaml",
        ".hidden/6.yaml",
        "node_modules/7.yaml",
        "a/venv/8.yaml",
        "c.yaml/9.yaml",
        "a/.dot.yaml",
    ]:
        (top / file).write_text("{}\n")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "10.yaml").write_text("{}\n")
    (top / "a" / "linked").symlink_to(tmp_path / "elsewhere")
    (top / ".linked").symlink_to(tmp_path / "elsewhere")
    (top / "b" / "file-link.yaml").symlink_to(top / "z.yaml")
    (top / "b" / "broken.yaml").symlink_to(tmp_path / "missing.yaml")
    return top


@pytest.mark.parametrize("suffix", ["", "/"])
def test_a_directory_lists_what_os_walk_lists(tree: Path, suffix: str) -> None:
    found, problems = discover_files([str(tree) + suffix])
    expected, links = _walked(str(tree) + suffix)
    assert found == expected
    assert [p.path for p in problems] == links == [str(tree) + suffix.rstrip("/") + "/a/linked"]
    assert str(tree / "b" / "broken.yaml") in found  # read later, and reported unreadable
    real_paths: dict[str, str] = {}
    assert discover_files([str(tree) + suffix], real_paths)[0] == found
    assert real_paths == {f: os.path.realpath(f) for f in found}
    assert not any(".hidden" in f or "node_modules" in f or "venv" in f for f in found)


def test_deep_trees_do_not_recurse(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["d"] * 300)
    deep.mkdir(parents=True)
    (deep / "last.yaml").write_text("{}\n")
    depth = len(inspect.stack(0))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + 100)  # far fewer frames than the tree is deep
    try:
        found = discover_files([str(tmp_path)])[0]
    finally:
        sys.setrecursionlimit(limit)
    assert found == [str(deep / "last.yaml")]


def test_real_paths_through_a_linked_or_dotted_directory_given(tmp_path: Path) -> None:
    (tmp_path / "real" / "sub").mkdir(parents=True)
    (tmp_path / "real" / "sub" / "a.yaml").write_text("{}\n")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    for top in [tmp_path / "link", tmp_path / "link" / "sub" / "..", tmp_path / "real"]:
        real_paths: dict[str, str] = {}
        found, _ = discover_files([str(top)], real_paths)
        assert real_paths == {f: os.path.realpath(f) for f in found} != {}


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="/.a\\", max_size=12))
def test_paths_outside_the_root_are_shown_as_pathlib_shows_them(path: str) -> None:
    from gitops.lint.run import _as_posix

    assert _as_posix(path) == Path(path).as_posix()
