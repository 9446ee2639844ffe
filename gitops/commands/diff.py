"""``gitops diff``: what a change does to the rendered objects, per environment and app.

Compares ``rendered/`` at two revisions read with real git (``git ls-tree`` and one
``git cat-file --batch``; nothing is checked out), or at a revision and the working tree.
Files whose bytes are equal on both sides are not parsed at all, so a one-app change costs
its own files plus two git processes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from gitops import git
from gitops.errors import ConfigError, ExitCode
from gitops.review.diff import Obj, Result, diff
from gitops.review.objects import INDEX, RENDERED, index_files, is_rendered_file, objects, place
from gitops.review.render import (
    GITHUB_COMMENT_LIMIT,
    Meta,
    markdown,
    parts_as_mapping,
    text,
    to_json,
)
from gitops.settings import Settings

FORMATS = ("text", "markdown", "json")


def run_diff(
    settings: Settings,
    *,
    base: str | None,
    head: str | None,
    envs: Sequence[str] = (),
    apps: Sequence[str] = (),
    output_format: str = "text",
    max_comment_chars: int = GITHUB_COMMENT_LIMIT,
    output_dir: Path | None = None,
    exit_code: bool = False,
    echo: Callable[[str], None],
    only: Sequence[str] | None = None,
) -> int:
    result, meta = compare(settings, base=base, head=head, envs=envs, apps=apps, only=only)
    if output_format == "json":
        echo(to_json(result, meta))
    elif output_format == "markdown":
        try:
            parts = markdown(result, meta, max_comment_chars)
        except ValueError as exc:
            raise ConfigError(str(exc), fix="use at least 2000") from None
        if output_dir is None:
            echo("\n".join(parts))
        else:
            echo("".join(f"{path}\n" for path in _write_parts(output_dir, parts)))
    else:
        echo(text(result, meta))
    return ExitCode.FINDINGS if exit_code and result.changes else ExitCode.OK


def compare(
    settings: Settings,
    *,
    base: str | None,
    head: str | None,
    envs: Sequence[str] = (),
    apps: Sequence[str] = (),
    only: Sequence[str] | None = None,
) -> tuple[Result, Meta]:
    """``only`` (repo-relative files, with the head the working tree): compare just those
    files and the render index, e.g. the files a command has just written; every other file
    is taken to be the same on both sides, and nothing else is listed or read."""
    root = settings.root
    head_rev: git.Revision | None
    if base and head:
        base_rev, head_rev = git.resolve_all(
            root, [(base, "--base revision"), (head, "--head revision")]
        )
    else:
        head_rev = git.resolve(root, head, what="--head revision") if head else None
        base_rev = (
            git.resolve(root, base, what="--base revision")
            if base
            else git.merge_base(root, settings.revision, head_rev.commit if head_rev else "HEAD")
        )
    paths = [RENDERED, INDEX] if only is None else sorted({*only, INDEX})
    base_files: dict[str, bytes]
    head_files: dict[str, bytes]
    if head_rev is None:
        if not settings.rendered_dir.is_dir():
            raise ConfigError(
                f"no {RENDERED}/ under {root}: nothing to diff",
                fix="run gitops synth first (or pass --root)",
            )
        base_listing = git.tree(root, base_rev.commit, paths)
        base_blobs = git.blobs(root, base_listing.values())
        base_files = {p: base_blobs[b] for p, b in base_listing.items()}
        head_files = _worktree(root) if only is None else _worktree_files(root, paths)
        same = {p for p, data in head_files.items() if base_files.get(p) == data}
        all_paths = [*base_listing, *head_files]
    else:
        # Only what differs, from one git diff-tree; the full listing only to check filters.
        changed = git.changed_files(root, base_rev.commit, head_rev.commit, paths)
        if not changed and not git.tree(root, head_rev.commit, [RENDERED]):
            raise ConfigError(f"no {RENDERED}/ at {head_rev.spec}: nothing to diff")
        wanted = [b for pair in changed.values() for b in pair if not _absent(b)]
        index_blobs: dict[str, str] = {}
        if INDEX not in changed:
            # Unchanged index: the same on both sides, read once.
            index_blobs = git.tree(root, head_rev.commit, [INDEX])
            wanted += index_blobs.values()
        contents = git.blobs(root, wanted)
        base_files = {p: contents[o] for p, (o, _) in changed.items() if not _absent(o)}
        head_files = {p: contents[n] for p, (_, n) in changed.items() if not _absent(n)}
        for p, b in index_blobs.items():
            base_files[p] = head_files[p] = contents[b]
        same = set[str]()
        all_paths = (
            [*git.tree(root, base_rev.commit, paths), *git.tree(root, head_rev.commit, paths)]
            if envs or apps
            else []
        )
    base_index = index_files(base_files.get(INDEX), base_rev.spec)
    head_where = head_rev.spec if head_rev else "the working tree"
    head_index = index_files(head_files.get(INDEX), head_where)
    if only is None:  # else the caller named the files: the filters need not exist in them
        _check_filters(envs, apps, all_paths, base_index, head_index)
    base_objects = objects(
        _changed(base_files, same, envs, apps, base_index), base_index, base_rev.spec
    )
    head_objects = objects(
        _changed(head_files, same, envs, apps, head_index), head_index, head_where
    )
    result = diff(_kept(base_objects, envs, apps), _kept(head_objects, envs, apps))
    meta = Meta(
        base=base_rev.spec,
        base_commit=base_rev.commit,
        head=head_rev.spec if head_rev else git.WORKTREE,
        head_commit=head_rev.commit if head_rev else None,
    )
    return result, meta


def _absent(blob: str) -> bool:
    """diff-tree's all-zero id of a side where the file does not exist."""
    return not blob.strip("0")


def _worktree(root: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(root / RENDERED):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        for name in filenames:
            path = f"{rel_dir}/{name}"
            if is_rendered_file(path):
                files[path] = Path(dirpath, name).read_bytes()
    index = root / INDEX
    if index.is_file():
        files[INDEX] = index.read_bytes()
    return files


def _worktree_files(root: Path, paths: Sequence[str]) -> dict[str, bytes]:
    """Those of ``paths`` that exist in the working tree, read."""
    return {p: (root / p).read_bytes() for p in paths if (root / p).is_file()}


def _changed(
    files: Mapping[str, bytes],
    same: set[str],
    envs: Sequence[str],
    apps: Sequence[str],
    index: Mapping[str, Mapping[str, object]],
) -> dict[str, bytes]:
    """The rendered files that differ from the other side (and pass the filters)."""
    kept: dict[str, bytes] = {}
    for path, data in files.items():
        if path in same or not is_rendered_file(path):
            continue
        env, app = place(path, index.get(path))
        if (envs and env not in envs) or (apps and app not in apps):
            continue
        kept[path] = data
    return kept


def _kept(found: list[Obj], envs: Sequence[str], apps: Sequence[str]) -> list[Obj]:
    return [o for o in found if (not envs or o.env in envs) and (not apps or o.app in apps)]


def _check_filters(
    envs: Sequence[str],
    apps: Sequence[str],
    paths: Sequence[str],
    base_index: Mapping[str, Mapping[str, object]],
    head_index: Mapping[str, Mapping[str, object]],
) -> None:
    if not envs and not apps:
        return
    known_envs: set[str] = set()
    known_apps: set[str] = set()
    for path in paths:
        if is_rendered_file(path):
            env, app = place(path, head_index.get(path) or base_index.get(path))
            known_envs.add(env)
            known_apps.add(app)
    for given, known, what in ((envs, known_envs, "environment"), (apps, known_apps, "app")):
        unknown = sorted(set(given) - known)
        if unknown:
            raise ConfigError(
                f"unknown {what} {', '.join(map(repr, unknown))} in rendered/",
                fix=f"use one of: {', '.join(sorted(k for k in known if k))}",
            )


def _write_parts(directory: Path, parts: Sequence[str]) -> list[str]:
    directory.mkdir(parents=True, exist_ok=True)
    files = parts_as_mapping(parts)
    for stale in directory.glob("part-*.md"):
        if stale.name not in files:
            stale.unlink()
    written = []
    for name, content in files.items():
        (directory / name).write_text(content, encoding="utf-8")
        written.append(str(directory / name))
    return written
