"""``gitops set-image``, ``gitops promote`` and ``gitops history``: images move between
environments as data (``envs/<env>.images.yaml``), each change re-renders only what it
touches, and every promotion leaves a record in ``.gitops/promotions.jsonl``.

Promotion takes what the source environment's *rendered* files run (with their digests), not
what someone typed: the image a reviewer saw working in staging is the one prod gets.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from gitops.errors import ConfigError, ExitCode, GitopsError
from gitops.git import author, head_commit, uncommitted
from gitops.k8s.image_ref import parse_image, pinning_problem
from gitops.render.envs import EnvironmentSource
from gitops.render.images_file import ImagesChange, apply_images
from gitops.render.promotion import append_records, now, read_records, running_images
from gitops.render.sources import Sources, load_sources
from gitops.settings import RENDERED_DIR, Settings

Echo = Callable[[str], None]


class GateError(GitopsError):
    """A promotion gate failed: the source is not current or not clean. Nothing was written."""

    exit_code = ExitCode.FINDINGS


def _environment(envs: Mapping[str, EnvironmentSource], name: str, flag: str) -> EnvironmentSource:
    if name not in envs:
        raise ConfigError(
            f"{flag} {name!r} is not an environment", fix=f"use one of: {', '.join(sorted(envs))}"
        )
    return envs[name]


def _known_apps(sources: Sources, wanted: Sequence[str]) -> list[str]:
    apps = sources.apps
    unknown = sorted(set(wanted) - set(apps))
    if unknown:
        raise ConfigError(
            f"unknown app {', '.join(map(repr, unknown))}", fix=f"use one of: {', '.join(apps)}"
        )
    return [a for a in apps if not wanted or a in wanted]


def _check_reference(image: str, env: EnvironmentSource, app: str) -> None:
    problem = pinning_problem(image)
    if problem:
        raise ConfigError(
            f"image {image!r} {problem}",
            fix="give registry/repository:tag, registry/repository@sha256:<digest>, or both",
        )
    if env.environment.require_digests and parse_image(image).digest is None:
        name = env.environment.name
        raise ConfigError(
            f"image {image!r} for {app!r} has no digest, and environment {name!r} sets "
            "require_digests=True",
            fix=f"give the digest: gitops set-image {app} {image}@sha256:<digest> --env {name}",
        )


def _report(settings: Settings, change: ImagesChange, commit: str | None, echo: Echo) -> None:
    """What changed: the images, then the rendered files this change wrote as ``gitops diff``
    shows them against ``commit`` (HEAD; outside a git repository, the files that changed).
    Only those files are read from git and disk, not all of rendered/."""
    for app, (old, new) in sorted(change.changes.items()):
        echo(f"{change.images_file}: {app}: {old or '(none)'} -> {new}")
    drift = change.drift
    if commit is not None:
        from gitops.commands.diff import run_diff

        run_diff(
            settings,
            base=commit,
            head=None,
            envs=(change.env,),
            apps=tuple(change.changes),
            echo=echo,
            only=[*drift.changed, *drift.missing, *drift.extra],
        )
        return
    for label, paths in (("changed", drift.changed), ("added", drift.missing)):
        for path in paths:
            echo(f"  {label:<8} {path}")
    for path in drift.extra:
        echo(f"  removed  {path}")


def run_set_image(settings: Settings, *, app: str, image: str, env: str, echo: Echo) -> int:
    sources = load_sources(settings)
    source = _environment(sources.envs, env, "--env")
    _known_apps(sources, [app])
    _check_reference(image, source, app)
    change = apply_images(settings, source, {app: image}, sources=sources)
    if not change.changes:
        echo(f"{source.environment.images_file}: {app} already runs {image}; nothing changed")
        return ExitCode.OK
    _report(settings, change, head_commit(settings.root), echo)
    return ExitCode.OK


def run_promote(
    settings: Settings,
    *,
    source: str | None,
    target: str,
    apps: Sequence[str],
    dry_run: bool,
    force_reason: str | None,
    echo: Echo,
) -> int:
    sources = load_sources(settings)  # once: the gate and the re-render share them
    envs = sources.envs
    dst = _environment(envs, target, "--to")
    src_name = source or dst.environment.upstream
    if src_name is None:
        raise ConfigError(
            f"environment {target!r} has no upstream, so --from is needed",
            fix=f"pass --from <env>, or set upstream=... in {dst.path}",
        )
    src = _environment(envs, src_name, "--from")
    upstream = dst.environment.upstream
    if upstream is not None and upstream != src_name:
        raise ConfigError(
            f"{target!r} is fed by {upstream!r} (upstream in {dst.path}), not by {src_name!r}; "
            f"releases go {_chain(envs, target)}",
            fix=f"promote to {target!r} from {upstream!r}, or change upstream in {dst.path}",
        )
    names = _known_apps(sources, apps)
    names = [a for a in names if a in src.environment.images]
    if not names:
        raise ConfigError(f"environment {src_name!r} runs none of the apps asked for")
    dirty = uncommitted(
        settings.root,
        [dst.environment.images_file, f"{RENDERED_DIR}/{target}", f"{RENDERED_DIR}/{src_name}"],
    )
    if dirty and not dry_run:
        raise ConfigError(
            f"uncommitted changes in {', '.join(dirty)}",
            fix="commit or stash them first, so the promotion is one reviewable change",
        )
    wanted, gates = _gate(settings, src, names, force_reason, echo, sources)
    for app, image in wanted.items():
        if dst.environment.require_digests and parse_image(image).digest is None:
            raise ConfigError(
                f"{src_name} runs {app} as {image!r}, without a digest, and {target!r} sets "
                "require_digests=True",
                fix=f"pin it in {src_name} first: gitops set-image {app} "
                f"{image}@sha256:<digest> --env {src_name}",
            )
        _check_reference(image, dst, app)
    moving = {a: i for a, i in wanted.items() if dst.environment.images.get(a) != i}
    if not moving:
        echo(
            f"nothing to promote: {target} already runs what {src_name} runs for {', '.join(names)}"
        )
        return ExitCode.OK
    if dry_run:
        for app, image in sorted(moving.items()):
            old = dst.environment.images.get(app) or "(none)"
            echo(f"would promote {app} {src_name} -> {target}: {old} -> {image}")
        echo("dry run: nothing was written")
        return ExitCode.OK
    commit, who, at = head_commit(settings.root), author(settings.root), now()

    def record(change: ImagesChange) -> None:
        append_records(
            settings.root,
            [
                {
                    "app": app,
                    "at": at,
                    "by": who,
                    "from": src_name,
                    "gates": gates,
                    "image": new,
                    "previous": old,
                    "reason": force_reason,
                    "sourceCommit": commit,
                    "to": target,
                }
                for app, (old, new) in sorted(change.changes.items())
            ],
        )

    change = apply_images(settings, dst, moving, then=record, sources=sources)
    _report(settings, change, commit, echo)
    echo(f"recorded {len(change.changes)} promotion(s) in .gitops/promotions.jsonl")
    return ExitCode.OK


def _chain(envs: Mapping[str, EnvironmentSource], target: str) -> str:
    chain, seen = [target], {target}
    while (up := envs[chain[0]].environment.upstream) is not None and up not in seen:
        chain.insert(0, up)
        seen.add(up)
    return " -> ".join(chain)


def gate_check(
    settings: Settings,
    *,
    paths: Sequence[str] = (),
    env: str | None = None,
    sources: Sources | None = None,
) -> tuple[int, list[str]]:
    """``gitops check`` as a promotion gate runs it (text, the repo's own settings): its exit
    code and its report lines."""
    from gitops.commands.check import run_check
    from gitops.commands.check_options import CheckOptions

    report: list[str] = []
    code = run_check(
        settings,
        CheckOptions(paths=tuple(paths)),
        echo=report.append,
        env=env,
        sources=sources,
    )
    return code, report


def _gate(
    settings: Settings,
    src: EnvironmentSource,
    apps: Sequence[str],
    force_reason: str | None,
    echo: Echo,
    sources: Sources,
) -> tuple[dict[str, str], dict[str, Any]]:
    """The image each app runs in ``src``'s rendered files, once the gates pass: those files
    are current, and ``gitops check`` of the apps is clean."""
    name = src.environment.name
    files = sorted(
        str(p) for app in apps for p in (settings.rendered_dir / name / app).glob("*.yaml")
    )
    code, report = gate_check(settings, paths=files, env=name, sources=sources)
    gates = {"check_clean": code == ExitCode.OK}
    if code != ExitCode.OK:
        problem = (
            f"gitops check of {RENDERED_DIR}/{name} for {', '.join(apps)} fails (drift, "
            "schema or lint findings above)"
        )
        if force_reason is None:
            for line in report:
                echo(line)
            raise GateError(
                f"not promoting from {name!r}: {problem}",
                fix="fix the findings in the source environment first (gitops synth for "
                "drift), or pass --force --reason '...' (the reason is recorded)",
            )
        echo(f"warning: gate failed ({problem}); forced: {force_reason}")
    images: dict[str, str] = {}
    for app in apps:
        declared = src.environment.images[app]
        running = running_images(settings.rendered_dir / name, app)
        if declared not in running.images:
            raise GateError(
                f"{RENDERED_DIR}/{name}/{app} does not run {declared!r} from "
                f"{src.environment.images_file} (it runs {', '.join(running.images) or 'nothing'})",
                fix="run gitops synth and commit rendered/, then promote",
            )
        images[app] = declared
    return images, {**gates, "forced": force_reason is not None}


def run_history(
    settings: Settings, *, envs: Sequence[str], apps: Sequence[str], output_format: str, echo: Echo
) -> int:
    records = [
        r
        for r in read_records(settings.root)
        if (not envs or r.get("to") in envs) and (not apps or r.get("app") in apps)
    ]
    if output_format == "json":
        echo(json.dumps({"version": 1, "promotions": records}, indent=2, sort_keys=True))
        return ExitCode.OK
    if not records:
        echo("no promotions recorded")
    for r in records:
        forced = f" FORCED: {r.get('reason')}" if r.get("gates", {}).get("forced") else ""
        commit = (r.get("sourceCommit") or "")[:12] or "-"
        echo(
            f"{r.get('at')}  {r.get('app')}  {r.get('from')} -> {r.get('to')}  "
            f"{r.get('previous') or '(none)'} -> {r.get('image')}  by {r.get('by')}  "
            f"at {commit}{forced}"
        )
    return ExitCode.OK
