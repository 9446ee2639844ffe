"""apps x envs -> ``rendered/``, or with ``check`` a comparison that writes nothing.

A run renders a *selection* (all envs and apps by default; ``--env`` / ``--app`` narrow it).
Everything is built in memory first, so an error in any app leaves ``rendered/`` untouched.
Files outside the selection are kept as they are; ``rendered/argocd`` and the render index
are always regenerated, from the env definitions and the final set of files.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from gitops.collector import cyclic_gc_paused, heap_frozen
from gitops.constructs.argocd import EnvTarget, Layout, Repo, argocd_manifests
from gitops.errors import ConfigError, RenderError
from gitops.k8s.render_index import ARGOCD_DIR, RenderIndex, pod_security_defaults, read_index
from gitops.render import synth_cache
from gitops.render.build import build_objects
from gitops.render.compare import Drift, compare
from gitops.render.lock import synth_lock
from gitops.render.objects import CLUSTER_DIR, BuiltObject, RenderedFile, render_files
from gitops.render.placement import (
    check_cluster_objects,
    check_environments,
    check_overlays,
    env_targets,
    removed_apps,
    scopes_for,
)
from gitops.render.rendered import list_tree, recover, refuse_interrupted, write_render
from gitops.render.sources import Sources, load_sources
from gitops.settings import INDEX_PATH, PYPROJECT, RENDERED_DIR, Settings


@dataclass(frozen=True)
class Selection:
    """Which environments and apps to render; empty means all."""

    envs: tuple[str, ...] = ()
    apps: tuple[str, ...] = ()


@dataclass
class Plan:
    """The result of rendering a selection, before anything is written."""

    desired: dict[str, bytes]
    actual: dict[str, bytes]
    replace: list[str]
    remove: list[str]
    in_scope: Callable[[str], bool]
    index: bytes
    files: Mapping[str, RenderedFile] = field(default_factory=dict)
    removed: list[tuple[str, str]] = field(default_factory=list)
    """(env, app) pairs the previous render had and this one drops."""
    some_apps: bool = False
    """The selection leaves some apps out: publish file by file (see write_render)."""


@dataclass(frozen=True)
class SynthSummary:
    envs: tuple[str, ...]
    apps: tuple[str, ...]
    files: int
    drift: Drift
    removed: tuple[tuple[str, str], ...] = ()


def _pick(kind: str, wanted: Sequence[str], known: Mapping[str, Any]) -> list[str]:
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        raise ConfigError(
            f"unknown {kind} {', '.join(map(repr, unknown))}",
            fix=f"use one of: {', '.join(known)}",
        )
    return [name for name in known if not wanted or name in wanted]


def _env_of(path: str) -> str | None:
    parts = path.split("/")
    return parts[1] if len(parts) > 2 and parts[1] != ARGOCD_DIR else None


def make_plan(
    settings: Settings,
    selection: Selection,
    *,
    check_only: bool = False,
    sources: Sources | None = None,
) -> Plan:
    """``sources``: envs/ and apps/ as the caller already loaded them (else loaded here)."""

    sources = sources or load_sources(settings)
    picked = _Picked(
        envs=_pick("environment", selection.envs, sources.envs),
        apps=_pick("app", selection.apps, sources.apps),
        namespaces=check_environments(sources.envs, sources.apps),
        repo=Repo(
            url=settings.require_repo_url(),
            revision=settings.revision,
            rendered_dir=RENDERED_DIR,
            argocd_namespace=settings.argocd_namespace,
        ),
    )
    with heap_frozen():  # users' code runs here
        objects = build_objects(
            settings, [sources.envs[e] for e in picked.envs], [sources.apps[a] for a in picked.apps]
        )
    # From here on only gitops' own code runs, which makes no garbage cycles.
    with cyclic_gc_paused():
        return _plan(settings, selection, sources, picked, objects, check_only)


@dataclass(frozen=True)
class _Picked:
    """What a run renders, checked before any user code runs."""

    envs: list[str]
    apps: list[str]
    namespaces: dict[tuple[str, str], str]
    """The namespace of each (env, app)."""
    repo: Repo


def _plan(
    settings: Settings,
    selection: Selection,
    sources: Sources,
    picked: _Picked,
    objects: list[BuiltObject],
    check_only: bool,
) -> Plan:
    all_envs, all_apps = sources.envs, sources.apps
    env_names, app_names, namespaces, repo = (
        picked.envs,
        picked.apps,
        picked.namespaces,
        picked.repo,
    )
    full_envs = not selection.envs
    full_apps = set(app_names) == set(all_apps)
    check_overlays(all_envs, objects)
    files = render_files(objects, RENDERED_DIR, namespaces, scopes_for(settings, objects))
    old_index = read_index(settings.index_path, INDEX_PATH)
    old_files: Mapping[str, Mapping[str, Any]] = old_index.files if old_index else {}

    def in_scope(path: str) -> bool:
        env = _env_of(path)
        if env is None or (full_envs and env not in all_envs):
            return True
        if env not in env_names:
            return False
        if full_apps:
            return True
        folder = path.split("/")[2]
        if folder == CLUSTER_DIR:
            entry = files.get(path) or old_files.get(path)
            owner = entry.app if isinstance(entry, RenderedFile) else (entry or {}).get("app")
            return owner in app_names
        return folder in app_names

    # A check compares only what is in scope; a write also copies the kept files of the
    # environments it replaces, unless it publishes file by file (some apps): then it leaves
    # them as they are, unread.
    existing = list_tree(settings.root)
    kept_paths = (
        [] if check_only else [p for p in existing if _env_of(p) in env_names and not in_scope(p)]
    )
    wanted = (
        in_scope
        if check_only or not full_apps
        else lambda p: in_scope(p) or _env_of(p) in env_names
    )
    actual = {p: (settings.root / p).read_bytes() for p in existing if wanted(p)}
    kept = {p: actual[p] for p in kept_paths if p in actual}
    missing = sorted(p for p in kept_paths if p not in old_files)
    if missing:
        raise RenderError(
            f"{INDEX_PATH} does not describe {len(missing)} file(s) this partial run would keep, "
            f"e.g. {missing[0]}",
            fix="run gitops synth without --env/--app once to render everything",
        )
    on_disk = set(existing)
    entries: dict[str, Mapping[str, Any]] = {
        p: e for p, e in old_files.items() if p in on_disk and not in_scope(p)
    }
    for path, entry in entries.items():
        if not (isinstance(entry.get("apiVersion"), str) and isinstance(entry.get("kind"), str)):
            raise RenderError(
                f"{INDEX_PATH}: the entry for {path}, which this partial run keeps, has no "
                "apiVersion or kind",
                fix="run gitops synth without --env/--app once to render everything",
            )
    entries.update({p: f.index_entry() for p, f in files.items()})
    desired = {**kept, **{p: f.content for p, f in files.items()}}

    check_cluster_objects(all_envs, entries, RENDERED_DIR)
    targets = env_targets(
        all_envs, namespaces, entries, desired, RENDERED_DIR, settings.root, objects
    )
    layout = Layout(
        per_cluster=settings.argocd_layout == "per-cluster",
        prune_removed_apps=settings.on_app_removal == "prune",
    )
    argocd_files = _argocd_files(targets, repo, layout, {e: s.path for e, s in all_envs.items()})
    desired.update({p: f.content for p, f in argocd_files.items()})
    entries = {
        p: e for p, e in entries.items() if not p.startswith(f"{RENDERED_DIR}/{ARGOCD_DIR}/")
    }
    entries.update({p: f.index_entry() for p, f in argocd_files.items()})

    environments = {
        name: {
            "cluster": s.environment.cluster,
            "kubernetesVersion": s.environment.kubernetes_version,
            "source": s.path,
            # Only when set, so that an index of envs without them keeps its bytes.
            **({"requireDigests": True} if s.environment.require_digests else {}),
            **(
                {"namespace": s.environment.namespace} if s.environment.namespace != "{app}" else {}
            ),
            "podSecurity": pod_security_defaults(s.environment.pod_security_labels()),
        }
        for name, s in all_envs.items()
    }
    top = settings.rendered_dir
    remove: list[str] = []
    if full_envs and top.is_dir():
        folders = {ARGOCD_DIR, *all_envs}
        remove = [
            f"{RENDERED_DIR}/{e.name}" for e in sorted(top.iterdir()) if e.name not in folders
        ]
    return Plan(
        desired=desired,
        actual=actual,
        replace=[f"{RENDERED_DIR}/{e}" for e in env_names] + [f"{RENDERED_DIR}/{ARGOCD_DIR}"],
        remove=[r for r in remove if not r.rsplit("/", 1)[1].startswith(".gitops-")],
        in_scope=in_scope,
        index=RenderIndex(files=entries, environments=environments).dumps(),
        files={**files, **argocd_files},
        removed=removed_apps(old_files, entries),
        some_apps=not full_apps,
    )


_LAST_ARGOCD: dict[str, dict[str, RenderedFile]] = {}
"""The Argo CD files of the last plan, by a text of everything they are made from. Rendering
them (~300 objects for 100 apps x 3 envs) took ~0.2 s; a command that plans twice (promote:
the gate's check, then the render) renders them once when their inputs are equal."""


def _argocd_files(
    targets: Sequence[EnvTarget], repo: Repo, layout: Layout, env_sources: Mapping[str, str]
) -> dict[str, RenderedFile]:
    """The files of ``rendered/argocd``: the bootstrap objects of ``targets``, each naming
    the env module (``env_sources``) or pyproject.toml it comes from."""
    # Canonical: a Namespace's labels come in build order or, read back from its file, sorted.
    inputs = json.dumps(
        [[asdict(t) for t in targets], asdict(repo), asdict(layout), env_sources], sort_keys=True
    )
    last = _LAST_ARGOCD.get(inputs)
    if last is not None:
        return last
    bootstrap = [
        BuiltObject(
            body=obj.body,
            env=obj.env,
            app=None,
            source=env_sources[obj.env] if obj.env else PYPROJECT,
            construct=f"{ARGOCD_DIR}/{obj.body['kind']}/{obj.body['metadata']['name']}",
            folder=obj.folder,
        )
        for obj in argocd_manifests(targets, repo, layout)
    ]
    files = render_files(bootstrap, RENDERED_DIR, {})
    _LAST_ARGOCD.clear()
    _LAST_ARGOCD[inputs] = files
    return files


def _drift(settings: Settings, plan: Plan) -> Drift:
    drift = compare(plan.desired, plan.actual, plan.in_scope)
    try:
        current = settings.index_path.read_bytes()
    except FileNotFoundError:
        current = None
    if current is None:
        drift.missing.append(INDEX_PATH)
    elif current != plan.index:
        drift.changed.append(INDEX_PATH)
    return drift


def check(
    settings: Settings,
    selection: Selection,
    *,
    sources: Sources | None = None,
    cache: bool = False,
) -> Drift:
    """Compare a fresh render of ``selection`` with what is committed; writes nothing but,
    with ``cache``, a whole-repo selection and the sources loaded here, the local synth cache
    (see :mod:`gitops.render.synth_cache`). ``sources``: envs/ and apps/ as the caller already
    loaded them (a render that did not load them cannot watch what they read: not recorded)."""
    refuse_interrupted(settings.root)
    with _recorded(settings, selection, cache and sources is None) as keep:
        plan = make_plan(settings, selection, check_only=True, sources=sources)
        keep(plan)
    return _drift(settings, plan)


@contextmanager
def _recorded(
    settings: Settings, selection: Selection, cache: bool
) -> Iterator[Callable[[Plan], None]]:
    """Watch the render inside (when ``cache`` and the selection is the whole repo) and record
    the tree of the plan handed to the callback in the synth cache."""
    plans: list[Plan] = []
    if not cache or selection.envs or selection.apps:
        yield plans.append
        return
    args = (settings.root, settings.apps_dir, settings.envs_dir)
    before = synth_cache.describe(*args, (), (), ())
    with synth_cache.recording() as seen:
        yield plans.append
    if plans:
        digest = synth_cache.tree_digest(plans[-1].desired, plans[-1].index)
        synth_cache.save(*args, seen, digest, before)


def synth(
    settings: Settings,
    selection: Selection,
    *,
    wait: bool = True,
    notify: Callable[[str], None] = lambda message: None,
    sources: Sources | None = None,
) -> SynthSummary:
    """Render ``selection`` into ``rendered/`` and the index, under the synth lock, crash-safely
    (see :mod:`gitops.render.rendered`). ``notify`` hears about waiting and recovery."""
    with synth_lock(settings.root, wait=wait, notify=notify):
        recovered = recover(settings.root)
        if recovered:
            notify(recovered)
        recording = synth_cache.enabled() and sources is None
        with _recorded(settings, selection, recording) as keep:
            plan = make_plan(settings, selection, sources=sources)
            drift = _drift(settings, plan)
            write_render(
                settings.root,
                plan.desired,
                plan.replace,
                plan.remove,
                plan.index,
                current=plan.actual if plan.some_apps else None,
            )
            keep(plan)
    # What this run rendered: apps' files (Argo CD's files name every env, rendered or not).
    envs = tuple(sorted({f.env for f in plan.files.values() if f.env and f.app}))
    apps = tuple(sorted({f.app for f in plan.files.values() if f.app}))
    return SynthSummary(
        envs=envs, apps=apps, files=len(plan.files), drift=drift, removed=tuple(plan.removed)
    )
