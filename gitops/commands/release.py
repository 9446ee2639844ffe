"""Source changes env by env: ``gitops promote --to ENV --source`` / ``--rollback`` and
``gitops status``.

An environment with its own ``revision`` (e.g. ``env/prod``) is synced by Argo CD from that
branch, not from ``main``. Releasing moves the branch, fast-forward only, to the commit its
upstream environment runs, once the rendering at that commit is current and ``gitops check``
is clean there; rolling back moves it to the commit it ran before, with a reason. Every move is
a record in ``.gitops/promotions.jsonl``, and the branch itself is the audit trail git keeps:
no controller, no cluster access. Pushing the branch (``git push origin env/prod``) is what
Argo CD sees.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import yaml

from gitops import git
from gitops.commands.promote import GateError, gate_check
from gitops.errors import ConfigError, ExitCode
from gitops.render.envs import EnvironmentSource, load_environments
from gitops.render.promotion import append_records, now, read_records
from gitops.settings import Settings, load_settings

Echo = Callable[[str], None]


def revision_of(settings: Settings, env: EnvironmentSource) -> str:
    return env.environment.revision or settings.revision


def _target(settings: Settings, envs: Mapping[str, EnvironmentSource], name: str) -> str:
    if name not in envs:
        raise ConfigError(
            f"--to {name!r} is not an environment", fix=f"use one of: {', '.join(sorted(envs))}"
        )
    branch = envs[name].environment.revision
    if branch is None:
        raise ConfigError(
            f"environment {name!r} syncs from {settings.revision!r} like every merge, so there "
            "is no ref to move",
            fix=f"give it its own branch: revision='env/{name}' in {envs[name].path}, then "
            "gitops synth",
        )
    return branch


def _gates_at(settings: Settings, commit: str, echo: Echo) -> dict[str, bool]:
    """Render check and ``gitops check`` of the whole repository as it is at ``commit``."""
    from gitops.render.sources import load_sources
    from gitops.render.synth import Selection
    from gitops.render.synth import check as synth_check

    with git.worktree_at(settings.root, commit) as tree:
        there = load_settings(tree)
        sources = load_sources(there)  # once for both
        current = synth_check(there, Selection(), sources=sources).clean
        code, report = gate_check(there, sources=sources)
    if code != ExitCode.OK:
        for line in report:
            echo(line)
    return {"rendered_current": current, "check_clean": code == ExitCode.OK}


def run_release(
    settings: Settings, *, source: str | None, target: str, force_reason: str | None, echo: Echo
) -> int:
    envs = load_environments(settings)
    branch = _target(settings, envs, target)
    src_name = source or envs[target].environment.upstream
    if src_name is None or src_name not in envs:
        raise ConfigError(
            f"no source environment for {target!r}",
            fix=f"pass --from <env>, or set upstream=... in {envs[target].path}",
        )
    src_ref = revision_of(settings, envs[src_name])
    commit = git.commit_of(settings.root, src_ref)
    if commit is None:
        raise ConfigError(
            f"{src_name!r} syncs from {src_ref!r}, which names no commit here",
            fix=f"fetch it: git fetch origin {src_ref}:{src_ref}",
        )
    old = git.commit_of(settings.root, branch)
    if old == commit:
        echo(f"nothing to release: {branch} already points at {commit[:12]} ({src_name} runs it)")
        return ExitCode.OK
    if old is not None and not git.is_ancestor(settings.root, old, commit):
        raise ConfigError(
            f"{branch} ({old[:12]}) is not an ancestor of {src_ref} ({commit[:12]}): moving it "
            "would drop commits that only the target has",
            fix=f"merge {branch} into {src_ref} first, or roll back with --rollback",
        )
    gates = _gates_at(settings, commit, echo)
    if not all(gates.values()) and force_reason is None:
        failed = ", ".join(k for k, ok in gates.items() if not ok)
        raise GateError(
            f"not releasing {commit[:12]} to {target!r}: gates failed ({failed})",
            fix="fix them on the source, or pass --force --reason '...' (recorded)",
        )
    _move_and_record(
        settings,
        kind="source",
        target=target,
        branch=branch,
        new=commit,
        old=old,
        extra={"from": src_name, "gates": {**gates, "forced": force_reason is not None}},
        reason=force_reason,
    )
    count = git.commits_between(settings.root, old, commit) if old else None
    echo(
        f"released {commit[:12]} to {target}: {branch} {old[:12] if old else '(new)'} -> "
        f"{commit[:12]}" + (f" ({count} commit(s))" if count is not None else "")
    )
    echo(f"next: git push origin {branch}; commit .gitops/promotions.jsonl")
    return ExitCode.OK


def run_rollback(settings: Settings, *, target: str, reason: str, echo: Echo) -> int:
    envs = load_environments(settings)
    branch = _target(settings, envs, target)
    current = git.commit_of(settings.root, branch)
    moves = [
        r
        for r in read_records(settings.root)
        if r.get("to") == target and r.get("kind") in ("source", "rollback")
    ]
    last = next((r for r in reversed(moves) if r.get("commit") == current), None)
    if current is None or last is None or not last.get("previous"):
        raise ConfigError(
            f"no earlier release of {target!r} recorded for {branch} at "
            f"{(current or '(missing)')[:12]}",
            fix="roll back by releasing a known commit: git branch -f "
            f"{branch} <commit> (and record why)",
        )
    previous = str(last["previous"])
    _move_and_record(
        settings,
        kind="rollback",
        target=target,
        branch=branch,
        new=previous,
        old=current,
        extra={},
        reason=reason,
    )
    echo(f"rolled back {target}: {branch} {current[:12]} -> {previous[:12]} ({reason})")
    echo(f"next: git push --force-with-lease origin {branch}; commit .gitops/promotions.jsonl")
    return ExitCode.OK


def _move_and_record(
    settings: Settings,
    *,
    kind: str,
    target: str,
    branch: str,
    new: str,
    old: str | None,
    extra: Mapping[str, Any],
    reason: str | None,
) -> None:
    """Move the branch and append the record; if the record cannot be written, the branch
    goes back (both change or neither)."""
    git.move_branch(settings.root, branch, new, old, f"gitops {kind} {target}")
    record = {
        "kind": kind,
        "to": target,
        "commit": new,
        "previous": old,
        "at": now(),
        "by": git.author(settings.root),
        "reason": reason,
        **extra,
    }
    try:
        append_records(settings.root, [record])
    except BaseException:
        if old is None:
            git.delete_branch(settings.root, branch, new)
        else:
            git.move_branch(settings.root, branch, old, new, f"gitops {kind} {target}: undo")
        raise


def run_status(settings: Settings, *, output_format: str, echo: Echo) -> int:
    """Per env and app: the commit and image each env runs, against its upstream env."""
    envs = load_environments(settings)
    rows: list[dict[str, Any]] = []
    for name, source in envs.items():
        ref = revision_of(settings, source)
        commit = git.commit_of(settings.root, ref)
        upstream = source.environment.upstream
        up_commit = (
            git.commit_of(settings.root, revision_of(settings, envs[upstream]))
            if upstream
            else None
        )
        behind = (
            git.commits_between(settings.root, commit, up_commit)
            if commit and up_commit and commit != up_commit
            else 0
        )
        images = _images_at(settings, commit, source) if commit else {}
        up_images = (
            _images_at(settings, up_commit, envs[upstream]) if upstream and up_commit else {}
        )
        for app in sorted(images or source.environment.images):
            image = images.get(app) or source.environment.images.get(app)
            rows.append(
                {
                    "env": name,
                    "app": app,
                    "ref": ref,
                    "commit": commit,
                    "image": image,
                    "upstream": upstream,
                    "upstreamImage": up_images.get(app) if upstream else None,
                    "commitsBehindUpstream": behind,
                }
            )
    if output_format == "json":
        echo(json.dumps({"version": 1, "status": rows}, indent=2, sort_keys=True))
        return ExitCode.OK
    for row in rows:
        state = ""
        if row["upstream"]:
            same = row["image"] == row["upstreamImage"]
            state = (
                f"  {'=' if same else '!='} {row['upstream']}"
                + ("" if same else f" ({row['upstreamImage'] or 'not deployed'})")
                + (
                    f", {row['commitsBehindUpstream']} commit(s) behind"
                    if row["commitsBehindUpstream"]
                    else ""
                )
            )
        commit = (row["commit"] or "(no commit)")[:12]
        echo(f"{row['env']:<10} {row['app']:<24} {row['ref']}@{commit}  {row['image']}{state}")
    return ExitCode.OK


def _images_at(settings: Settings, commit: str, env: EnvironmentSource) -> dict[str, str]:
    """The images file of ``env`` as it is at ``commit`` (the images that env runs)."""
    text = git.show_file(settings.root, commit, env.environment.images_file)
    data = yaml.safe_load(text) if text else None
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
