"""``gitops check``: what CI and pre-commit run. rendered/ is current (synth --check), valid
against its Kubernetes schemas (validate) and clean (lint): one run, one report, one exit code.

The rendered files are parsed once and shared by the validator and the linter. Drift and
schema findings are judged by the linter's per-environment ``fail_on`` like lint findings.
Given PATHS (e.g. what a commit changed), the run narrows to the apps they belong to, as
``gitops synth`` does; the rest of ``rendered/`` is still loaded as context for cross-object
rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitops.collector import cyclic_gc_paused
from gitops.commands.catalog import CATALOG
from gitops.commands.check_options import CheckOptions
from gitops.commands.lint import render, reviewer_for
from gitops.findings import Finding
from gitops.k8s.manifests import LoadResult, load
from gitops.k8s.render_index import read_index
from gitops.lint.config import flags_layer
from gitops.lint.context import app_context
from gitops.lint.rules import REGISTRY
from gitops.lint.run import lint
from gitops.render.drift import drift_findings
from gitops.render.rendered import refuse_interrupted
from gitops.settings import INDEX_PATH, Settings

if TYPE_CHECKING:  # loading envs/ starts cdk8s; the type alone does not
    from gitops.commands.check_cache import RunFacts
    from gitops.commands.review_findings import ReviewOptions
    from gitops.render.sources import Sources


def run_check(
    settings: Settings,
    options: CheckOptions,
    *,
    echo: Callable[[str], None],
    review: ReviewOptions | None = None,
    warn: Callable[[str], None] | None = None,
    env: str | None = None,
    sources: Sources | None = None,
    cache: bool = False,
    debug: Callable[[str], None] | None = None,
    facts: RunFacts | None = None,
) -> int:
    """``env`` narrows the run to ``rendered/<env>`` (drift, targets and lint context): what a
    promotion gate needs of its source environment. With PATHS too, the lint context is what
    the apps' objects can refer to in that environment (:mod:`gitops.lint.context`), not all
    of it. ``sources``: envs/ and apps/ as the caller loaded them. ``cache``: a whole-repo run
    may prove rendered/ current from the local synth cache (:mod:`gitops.render.synth_cache`)
    instead of rendering; ``debug`` hears whether it did. ``facts``, when given, learns how
    the result was reached (for the check cache, :mod:`gitops.commands.check_cache`)."""
    from gitops.commands.validate import validate_settings
    from gitops.validate.run import validate
    from gitops.validate.versions import parse_version

    refuse_interrupted(settings.root)
    apps = _selected_apps(settings, options.paths, sources)
    findings: list[Finding] = []
    if settings.apps_dir.is_dir():
        drift, how = _drift(settings, apps, env, cache, debug or (lambda message: None), sources)
        findings += drift
    else:
        how = "no apps/"
    validate_config = validate_settings(settings, options.engine, options.ignore_missing_schemas)
    if facts is not None:
        facts.drift = how
        facts.engine = validate_config.engine
        facts.schema_dirs = tuple(settings.root / d for d in validate_config.schema_dirs)
    index = read_index(settings.index_path, INDEX_PATH)
    targets = _rendered_files(settings, apps, index.files if index else {})
    context = [str(settings.rendered_dir)] if apps is not None else []
    if env is not None:
        env_dir = settings.rendered_dir / env
        targets = [t for t in targets if Path(t).is_relative_to(env_dir)] or [str(env_dir)]
        context = [str(env_dir)]
    explicit = (
        parse_version(options.kubernetes_version, "--kubernetes-version")
        if options.kubernetes_version is not None
        else None
    )
    with cyclic_gc_paused():  # synth (user code) above runs with it
        loaded = load(targets)
        if env is not None and apps is not None:
            context = app_context(
                settings.rendered_dir / env,
                settings.root,
                index.files if index else {},
                loaded.manifests,
            )
        outcome = validate(
            targets,
            root=settings.root,
            settings=validate_config,
            explicit_version=explicit,
            index=index,
            loaded=loaded,
        )
    # The linter reports unreadable input itself; keep the validator's schema findings only.
    findings += [f for f in outcome.findings if CATALOG.by_code[f.code].engine != "loader"]
    flags = flags_layer(CATALOG, preset=options.preset, fail_on=options.fail_on)

    def base_findings(base: Settings, base_loaded: LoadResult) -> Sequence[Finding]:
        """Schema and lint findings of the objects at the base revision."""
        schema = validate(
            [str(base.rendered_dir)],
            root=settings.root,
            settings=validate_config,
            explicit_version=explicit,
            index=read_index(base.index_path, INDEX_PATH),
            loaded=base_loaded,
        ).findings
        extra = [f for f in schema if CATALOG.by_code[f.code].engine != "loader"]
        return lint(
            [], base, registry=REGISTRY, known=CATALOG, flags=flags, loaded=base_loaded, extra=extra
        ).findings

    reviewer = reviewer_for(settings, review, options.output_format, base_findings, warn or echo)
    with cyclic_gc_paused():
        run = lint(
            targets,
            settings,
            registry=REGISTRY,
            known=CATALOG,
            flags=flags,
            context=context,
            loaded=loaded,
            extra=findings,
            adjust=reviewer.adjust if reviewer else None,
        )
        absent = reviewer.absent if reviewer else ()
        for text in render(
            run,
            options.output_format,
            color=options.color,
            extra={"engine": outcome.engine},
            absent=absent,
        ):
            echo(text)
    return run.exit_code


def _drift(
    settings: Settings,
    apps: tuple[str, ...] | None,
    env: str | None,
    cache: bool,
    debug: Callable[[str], None],
    sources: Sources | None,
) -> tuple[list[Finding], str]:
    """Drift findings of a fresh render, or none when the synth cache proves there is none
    (only for a whole-repo run that loads the sources itself); and which of the two."""
    from gitops.render import synth_cache

    whole = apps is None and env is None and sources is None
    cache = cache and synth_cache.enabled()
    if (
        cache
        and whole
        and synth_cache.is_current(settings.root, settings.apps_dir, settings.envs_dir)
    ):
        debug("synth cache: hit, rendered/ is what the sources render to (cdk8s not started)")
        return [], "synth cache hit"
    if cache and whole:
        debug("synth cache: miss, rendering")
    from gitops.render.synth import Selection
    from gitops.render.synth import check as synth_check

    selection = Selection(envs=(env,) if env else (), apps=apps or ())
    return drift_findings(
        synth_check(settings, selection, sources=sources, cache=cache)
    ), "rendered"


def _selected_apps(
    settings: Settings, paths: Sequence[str], sources: Sources | None
) -> tuple[str, ...] | None:
    """The apps ``paths`` narrow the run to; None for the whole repo."""
    if not paths or not settings.apps_dir.is_dir():
        return None
    from gitops.commands.synth import apps_for_paths

    return apps_for_paths(settings, tuple(paths), sources)


def _rendered_files(
    settings: Settings, apps: tuple[str, ...] | None, index: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    """Everything under rendered/, or the files of ``apps`` (their folders and the
    cluster-scoped files the render index says they own)."""
    root = settings.rendered_dir
    if apps is None:
        return [str(root)]
    wanted: list[str] = []
    for env_dir in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        wanted += [str(env_dir / app) for app in apps if (env_dir / app).is_dir()]
    wanted += [
        str(settings.root / path)
        for path, entry in sorted(index.items())
        if entry.get("app") in apps
        and path.split("/")[2:3] == ["cluster"]
        and (settings.root / path).is_file()
    ]
    return wanted or [str(Path(root))]
