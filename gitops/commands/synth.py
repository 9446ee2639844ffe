"""``gitops synth``: run a render or a check and report it in a few lines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from gitops.errors import ExitCode
from gitops.render.compare import Drift
from gitops.render.synth import Selection, synth
from gitops.render.synth import check as check_rendered
from gitops.render.user_code import relative
from gitops.settings import RENDERED_DIR, Settings

if TYPE_CHECKING:  # loading envs/ starts cdk8s; the type alone does not
    from gitops.render.sources import Sources


def format_drift(drift: Drift) -> str:
    counts = f"{len(drift.changed)} changed, {len(drift.missing)} missing, {len(drift.extra)} extra"
    lines = [f"{RENDERED_DIR}/ is out of date with apps/ and envs/ ({counts}):"]
    for label, paths in (
        ("changed", drift.changed),
        ("missing", drift.missing),
        ("extra", drift.extra),
    ):
        for path in paths:
            lines.append(f"  {label:<8} {path}")
            lines += [f"      {line}" for line in drift.diffs.get(path, [])]
    lines.append("  fix: run 'gitops synth' and commit the result")
    return "\n".join(lines)


def apps_for_paths(
    settings: Settings, paths: tuple[str, ...], sources: Sources | None = None
) -> tuple[str, ...] | None:
    """The apps whose rendering ``paths`` (files a commit changed) can affect, or None when
    any path can affect every app (an env, a shared helper, settings, the index)."""
    from gitops.render.apps import load_apps

    loaded = sources.apps if sources is not None else load_apps(settings)
    by_module = {source.path: name for name, source in loaded.items()}
    apps: set[str] = set()
    for path in _files_of(settings.root, paths):
        rel = relative(path, settings.root)
        parts = rel.split("/")
        if rel in by_module:
            apps.add(by_module[rel])
        elif len(parts) >= 4 and parts[0] == RENDERED_DIR and parts[2] in by_module.values():
            apps.add(parts[2])
        else:
            return None
    return tuple(sorted(apps))


def _files_of(root: Path, paths: tuple[str, ...]) -> list[Path]:
    """``paths`` with each directory replaced by the files under it, so that a directory
    narrows a run exactly as its files would."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw) if Path(raw).is_absolute() else root / raw
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file())
        else:
            files.append(path)
    return files


def run_synth(
    settings: Settings,
    *,
    envs: tuple[str, ...],
    apps: tuple[str, ...],
    paths: tuple[str, ...] = (),
    check: bool,
    echo: Callable[[str], None],
    warn: Callable[[str], None] = lambda message: None,
    wait: bool = True,
) -> int:
    if paths and not apps:
        apps = apps_for_paths(settings, paths) or ()
    selection = Selection(envs=envs, apps=apps)
    if check:
        drift = check_rendered(settings, selection)
        if drift.clean:
            echo(f"{RENDERED_DIR}/ is up to date")
            return ExitCode.OK
        echo(format_drift(drift))
        return ExitCode.FINDINGS
    summary = synth(settings, selection, wait=wait, notify=warn)
    d = summary.drift
    echo(
        f"rendered {len(summary.apps)} app(s) x {len(summary.envs)} env(s): {summary.files} files "
        f"({len(d.changed)} changed, {len(d.missing)} added, {len(d.extra)} removed)"
    )
    for line in format_removed(summary.removed, settings.on_app_removal):
        echo(line)
    return ExitCode.OK


REMOVAL_EFFECT = {
    "orphan": "Argo CD deletes its Application and leaves its objects running, with no owner",
    "prune": "Argo CD deletes its Application and, through the resources finalizer, its objects",
}


def format_removed(removed: tuple[tuple[str, str], ...], policy: str) -> list[str]:
    """One line per (env, app) this render dropped, saying what Argo CD will do about it."""
    return [
        f"removed app {app!r} from environment {env!r}: {REMOVAL_EFFECT[policy]} "
        f'([tool.gitops] on_app_removal = "{policy}"; see README "Removing an app or an '
        'environment")'
        for env, app in removed
    ]
