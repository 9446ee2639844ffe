"""The rendered tree on disk: the only module that writes it.

Writes are atomic per top-level directory (``rendered/<env>``, ``rendered/argocd``): the new
content is written into a temporary sibling directory, then swapped in with two renames, so
a failure while writing leaves the previous directory byte-for-byte intact, and files that
are no longer rendered disappear with the old directory. A crash between the two renames
leaves ``.gitops-old-*``, which the next run restores or removes.
"""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

_TMP = ".gitops-tmp-"
_OLD = ".gitops-old-"


def read_tree(root: Path, top: str) -> dict[str, bytes]:
    """Every file under ``root/top`` by repo-relative POSIX path (work directories excluded)."""
    base = root / top
    files: dict[str, bytes] = {}
    if not base.is_dir():
        return files
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((_TMP, _OLD)))
        for name in sorted(filenames):
            path = Path(dirpath, name)
            files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def recover(root: Path, top: str) -> None:
    """Undo what an interrupted run left: restore a swapped-out directory, drop work dirs."""
    base = root / top
    if not base.is_dir():
        return
    for entry in sorted(base.iterdir()):
        if entry.name.startswith(_OLD):
            target = base / entry.name[len(_OLD) :].split(".", 1)[0]
            if target.exists():
                shutil.rmtree(entry)
            else:
                entry.rename(target)
        elif entry.name.startswith(_TMP):
            shutil.rmtree(entry)


def replace_dirs(
    root: Path, top: str, desired: Mapping[str, bytes], dirs: Iterable[str], remove: Iterable[str]
) -> None:
    """Make each directory in ``dirs`` (repo-relative, directly under ``top``) hold exactly
    the ``desired`` files under it, and delete the directories in ``remove``."""
    base = root / top
    base.mkdir(parents=True, exist_ok=True)
    recover(root, top)
    for directory in sorted(dirs):
        _swap_in(root, base, directory, {p: c for p, c in desired.items() if _under(p, directory)})
    for directory in sorted(remove):
        path = root / directory
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def write_file_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as f:
        f.write(content)
        temp = Path(f.name)
    os.replace(temp, path)


def _under(path: str, directory: str) -> bool:
    return path.startswith(directory.rstrip("/") + "/")


def _swap_in(root: Path, base: Path, directory: str, files: Mapping[str, bytes]) -> None:
    target = root / directory
    name = target.name
    work = Path(tempfile.mkdtemp(prefix=f"{_TMP}{name}.", dir=base))
    try:
        for path, content in files.items():
            out = work / Path(path).relative_to(directory)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(content)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f"{_OLD}{name}.", dir=base))
            old.rmdir()
            target.rename(old)
            work.rename(target)
            shutil.rmtree(old)
        else:
            work.rename(target)
    except BaseException:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
        raise


@dataclass
class Drift:
    """How the tree on disk differs from a fresh render."""

    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    """Rendered but not on disk."""
    extra: list[str] = field(default_factory=list)
    """On disk but no longer rendered."""
    diffs: dict[str, list[str]] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return not (self.changed or self.missing or self.extra)


def compare(
    desired: Mapping[str, bytes],
    actual: Mapping[str, bytes],
    in_scope: Callable[[str], bool],
    diff_lines: int = 20,
) -> Drift:
    drift = Drift()
    for path in sorted(p for p in set(desired) | set(actual) if in_scope(p)):
        want, have = desired.get(path), actual.get(path)
        if want is None:
            drift.extra.append(path)
        elif have is None:
            drift.missing.append(path)
        elif want != have:
            drift.changed.append(path)
            lines = list(
                difflib.unified_diff(
                    have.decode("utf-8", "replace").splitlines(),
                    want.decode("utf-8", "replace").splitlines(),
                    f"{path} (committed)",
                    f"{path} (fresh render)",
                    lineterm="",
                    n=1,
                )
            )
            if len(lines) > diff_lines:
                lines = [*lines[:diff_lines], f"... {len(lines) - diff_lines} more diff lines"]
            drift.diffs[path] = lines
    return drift
