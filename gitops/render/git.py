"""The one module that runs git for promotion: revisions, refs, authorship, clean-tree checks
and a temporary detached worktree. Explicit argv, a timeout, and errors that show the
command, its exit status and stderr."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from gitops.errors import ConfigError

TIMEOUT_S = 60


class GitError(ConfigError):
    """A git command failed; the message shows the command and git's own words."""


def git(root: Path, *args: str, check: bool = True) -> str | None:
    """stdout of ``git args`` run in ``root`` (trailing newline removed); on failure, None
    when ``check`` is False, else :class:`GitError`."""
    argv = ["git", *args]
    try:
        done = subprocess.run(
            argv, cwd=root, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
        )
    except FileNotFoundError:
        if not check:
            return None
        raise GitError("git is not installed", fix="install git and run again") from None
    except subprocess.TimeoutExpired:
        if not check:
            return None
        raise GitError(f"{' '.join(argv)} did not finish in {TIMEOUT_S} s") from None
    if done.returncode != 0:
        if not check:
            return None
        said = done.stderr.strip() or done.stdout.strip()
        raise GitError(f"{' '.join(argv)} exited {done.returncode}: {said}")
    return done.stdout.rstrip("\n")


def head_commit(root: Path) -> str | None:
    return git(root, "rev-parse", "HEAD", check=False)


def author(root: Path) -> str:
    name = git(root, "config", "user.name", check=False) or os.environ.get("USER") or "unknown"
    email = git(root, "config", "user.email", check=False)
    return f"{name} <{email}>" if email else name


def uncommitted(root: Path, paths: Iterable[str]) -> list[str]:
    """Which of ``paths`` differ from HEAD (empty outside a repository)."""
    out = git(root, "diff", "HEAD", "--name-only", "--", *paths, check=False)
    return sorted({line for line in (out or "").splitlines() if line.strip()})


def resolve(root: Path, ref: str) -> str | None:
    """The commit ``ref`` (a branch, tag or commit) names, or None when it names nothing."""
    return git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)


def is_ancestor(root: Path, older: str, newer: str) -> bool:
    return git(root, "merge-base", "--is-ancestor", older, newer, check=False) is not None


def commits_between(root: Path, older: str, newer: str) -> int:
    return int(git(root, "rev-list", "--count", f"{older}..{newer}") or 0)


def move_branch(root: Path, branch: str, new: str, old: str | None, reason: str) -> None:
    """Point ``refs/heads/<branch>`` at ``new``, only if it still points at ``old`` (None: only
    if it does not exist yet): a concurrent move fails instead of being overwritten."""
    expected = old or "0" * 40
    git(root, "update-ref", "-m", reason, f"refs/heads/{branch}", new, expected)


def show(root: Path, commit: str, path: str) -> str | None:
    """The text of ``path`` at ``commit``, or None when it is not there."""
    return git(root, "show", f"{commit}:{path}", check=False)


@contextmanager
def worktree_at(root: Path, commit: str) -> Iterator[Path]:
    """A temporary detached worktree of ``commit`` (outside the repository), removed after."""
    parent = Path(tempfile.mkdtemp(prefix="gitops-worktree-"))
    path = parent / "tree"
    git(root, "worktree", "add", "--detach", "--quiet", str(path), commit)
    try:
        yield path
    finally:
        git(root, "worktree", "remove", "--force", str(path), check=False)
        shutil.rmtree(parent, ignore_errors=True)
        git(root, "worktree", "prune", check=False)
