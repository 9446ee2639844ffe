"""The one module that runs ``git``: reading the config repo at a revision (never a checkout),
and, for promotion, moving env branches and a temporary worktree for gates.

Every call is an explicit argv with a timeout; a failure names the command, its exit status
and git's stderr. Trees are listed with ``git ls-tree`` and blobs read in one
``git cat-file --batch`` process, so a 3,000-file ``rendered/`` costs two processes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from gitops.errors import ConfigError, GitopsError

TIMEOUT = 60.0
WORKTREE = "worktree"
"""The revision name of the files on disk (``--head`` default)."""


class GitError(GitopsError):
    """git failed, or a revision is unknown or missing from a shallow clone."""


@dataclass(frozen=True)
class Revision:
    """A resolved commit: what the user asked for and the commit it names."""

    spec: str
    commit: str

    @property
    def short(self) -> str:
        return self.commit[:12]


def git(root: Path, *args: str, stdin: bytes | None = None, timeout: float = TIMEOUT) -> bytes:
    """``git -C root args...``'s stdout; GitError with command, status and stderr on failure."""
    argv = ["git", "-C", str(root), *args]
    try:
        done = subprocess.run(argv, input=stdin, capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed (no 'git' on PATH)", fix="install git") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"{' '.join(argv)} did not finish within {timeout:.0f} s") from None
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace").strip().replace("\n", "; ")
        raise GitError(f"{' '.join(argv)} exited {done.returncode}: {stderr}")
    return done.stdout


def is_repo(root: Path) -> bool:
    try:
        return git(root, "rev-parse", "--is-inside-work-tree").strip() == b"true"
    except GitError:
        return False


def is_shallow(root: Path) -> bool:
    return git(root, "rev-parse", "--is-shallow-repository").strip() == b"true"


def resolve(root: Path, spec: str, *, what: str = "revision") -> Revision:
    """The commit ``spec`` names; a one-line error for an unknown one (and, in a shallow
    clone, the command that fetches it)."""
    if not is_repo(root):
        raise ConfigError(f"{root} is not a git repository; gitops diff compares commits")
    if spec.startswith("-"):
        raise ConfigError(f"{what} {spec!r} is not a revision")
    try:
        out = git(
            root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{spec}^{{commit}}"
        )
    except GitError:
        out = b""
    commit = out.decode().strip()
    if not commit:
        if is_shallow(root):
            raise GitError(
                f"{what} {spec!r} is not in this shallow clone; fetch it "
                f"(git fetch --unshallow, or git fetch origin {spec}; in GitHub Actions "
                "actions/checkout with fetch-depth: 0)"
            )
        raise GitError(f"unknown {what} {spec!r}: not a branch, tag or commit in this repository")
    return Revision(spec, commit)


def resolve_all(root: Path, specs: Sequence[tuple[str, str]]) -> list[Revision]:
    """``resolve`` for several (spec, what) pairs in one git process when they all exist."""
    if all(not spec.startswith("-") for spec, _ in specs):
        try:
            out = git(root, "rev-parse", "--end-of-options", *(f"{s}^{{commit}}" for s, _ in specs))
            commits = out.decode().split()
        except GitError:
            commits = []
        if len(commits) == len(specs):
            return [
                Revision(spec, commit) for (spec, _), commit in zip(specs, commits, strict=True)
            ]
    return [resolve(root, spec, what=what) for spec, what in specs]


def changed_files(
    root: Path, old: str, new: str, paths: Sequence[str]
) -> dict[str, tuple[str, str]]:
    """Path -> (old blob, new blob) of files that differ between two commits under ``paths``
    (an absent side is all zeros); renames are not followed: objects are matched later."""
    out = git(root, "diff-tree", "-r", "-z", "--no-renames", old, new, "--", *paths)
    fields = out.split(b"\0")
    found: dict[str, tuple[str, str]] = {}
    for meta, path in zip(fields[0::2], fields[1::2], strict=False):
        if not meta.startswith(b":"):
            continue
        _, new_mode, old_blob, new_blob, _status = meta[1:].decode().split(" ")
        if new_mode == "120000":
            continue
        found[path.decode("utf-8", "surrogateescape")] = (old_blob, new_blob)
    return found


def changed_in_worktree(root: Path, commit: str, paths: Sequence[str]) -> set[str]:
    """Tracked files under ``paths`` whose working-tree content differs from ``commit``
    (git's index and stat data make this one cheap process)."""
    out = git(root, "diff", "--no-renames", "--name-only", "-z", commit, "--", *paths)
    return {p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p}


def merge_base(root: Path, branch: str, head: str = "HEAD") -> Revision:
    """The merge-base of ``head`` with the default ``branch`` (tried as ``origin/<branch>``
    first, as CI checkouts have only the remote branch)."""
    candidates = [f"origin/{branch}", branch] if "/" not in branch else [branch]
    for candidate in candidates:
        try:
            target = resolve(root, candidate, what="default branch")
        except GitError:
            continue
        try:
            out = git(root, "merge-base", head, target.commit).decode().strip()
        except GitError:
            out = ""
        if out:
            return Revision(f"merge-base({head}, {candidate})", out)
        if is_shallow(root):
            raise GitError(
                f"this shallow clone lacks the merge-base of {head} and {candidate}; fetch it "
                "(git fetch --unshallow; in GitHub Actions actions/checkout with fetch-depth: 0)"
            )
        raise GitError(f"{head} and {candidate} share no history; pass --base")
    hint = " (this is a shallow clone: fetch it first)" if is_shallow(root) else ""
    raise GitError(
        f"default branch {branch!r} ([tool.gitops] revision) not found as origin/{branch} or "
        f"{branch}{hint}; pass --base REV or fetch it"
    )


def tree(root: Path, commit: str, paths: Sequence[str]) -> dict[str, str]:
    """Repo-relative path -> blob id of every file under ``paths`` at ``commit``."""
    out = git(root, "ls-tree", "-r", "-z", "--full-tree", commit, "--", *paths)
    files: dict[str, str] = {}
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, kind, blob = meta.decode().split(" ")
        if kind == "blob" and mode != "120000":
            files[path.decode("utf-8", "surrogateescape")] = blob
    return files


def blobs(root: Path, ids: Iterable[str]) -> dict[str, bytes]:
    """Blob id -> content, read in one ``git cat-file --batch``."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    out = git(root, "cat-file", "--batch", stdin=("\n".join(wanted) + "\n").encode())
    found: dict[str, bytes] = {}
    position = 0
    for blob in wanted:
        end = out.index(b"\n", position)
        header = out[position:end].decode().split(" ")
        if len(header) != 3:
            raise GitError(f"git cat-file --batch: unexpected answer {out[position:end]!r}")
        size = int(header[2])
        found[blob] = out[end + 1 : end + 1 + size]
        position = end + 1 + size + 1
    return found


def read_files(root: Path, commit: str, paths: Sequence[str]) -> dict[str, bytes]:
    """Repo-relative path -> content of every file under ``paths`` at ``commit``."""
    listing = tree(root, commit, paths)
    contents = blobs(root, listing.values())
    return {path: contents[blob] for path, blob in listing.items()}


# Promotion: the commit each env branch names, moving it, and a temporary worktree for gates.


def _text(root: Path, *args: str) -> str | None:
    """stdout of ``git args`` as text, or None when git fails (no repository, unknown ref)."""
    try:
        return git(root, *args).decode("utf-8", "replace").rstrip("\n")
    except GitError:
        return None


def head_commit(root: Path) -> str | None:
    return _text(root, "rev-parse", "HEAD")


def author(root: Path) -> str:
    """``Name <email>`` from git's user.name and user.email (one git process for both; the
    last value of each wins, as ``git config user.name`` reads it)."""
    found: dict[str, str] = {}
    out = _text(root, "config", "--null", "--get-regexp", r"^user\.(name|email)$") or ""
    for item in out.split("\0"):
        key, _, value = item.strip("\n").partition("\n")
        if key in ("user.name", "user.email"):
            found[key] = value
    name = found.get("user.name") or os.environ.get("USER") or "unknown"
    email = found.get("user.email")
    return f"{name} <{email}>" if email else name


def uncommitted(root: Path, paths: Iterable[str]) -> list[str]:
    """Which of ``paths`` differ from HEAD (empty outside a repository)."""
    out = _text(root, "diff", "HEAD", "--name-only", "--", *paths)
    return sorted({line for line in (out or "").splitlines() if line.strip()})


def commit_of(root: Path, ref: str) -> str | None:
    """The commit ``ref`` (a branch, tag or commit) names, or None when it names nothing."""
    return _text(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")


def is_ancestor(root: Path, older: str, newer: str) -> bool:
    return _text(root, "merge-base", "--is-ancestor", older, newer) is not None


def commits_between(root: Path, older: str, newer: str) -> int:
    return int(_text(root, "rev-list", "--count", f"{older}..{newer}") or 0)


def move_branch(root: Path, branch: str, new: str, old: str | None, reason: str) -> None:
    """Point ``refs/heads/<branch>`` at ``new``, only if it still points at ``old`` (None: only
    if it does not exist yet): a concurrent move fails instead of being overwritten."""
    git(root, "update-ref", "-m", reason, f"refs/heads/{branch}", new, old or "0" * 40)


def delete_branch(root: Path, branch: str, expected: str) -> None:
    git(root, "update-ref", "-d", f"refs/heads/{branch}", expected)


def show_file(root: Path, commit: str, path: str) -> str | None:
    """The text of ``path`` at ``commit``, or None when it is not there."""
    return _text(root, "show", f"{commit}:{path}")


@contextmanager
def worktree_at(root: Path, commit: str) -> Iterator[Path]:
    """A temporary detached worktree of ``commit`` (outside the repository), removed after."""
    parent = Path(tempfile.mkdtemp(prefix="gitops-worktree-"))
    path = parent / "tree"
    git(root, "worktree", "add", "--detach", "--quiet", str(path), commit)
    try:
        yield path
    finally:
        _text(root, "worktree", "remove", "--force", str(path))
        shutil.rmtree(parent, ignore_errors=True)
        _text(root, "worktree", "prune")
