"""Build apps x environments with cdk8s and collect every object they produce.

One cdk8s ``App`` holds an ``EnvironmentScope`` per environment and an ``AppChart`` per app
under it. After an app builds itself, the environment's ``customize(app)`` overlay runs on it.
Objects come from two places: what gitops constructs registered on the chart (plain dicts,
see ``gitops.constructs.app``), and native cdk8s ``ApiObject``s, which ``Chart.to_json()``
renders. Exceptions in user code become one message naming the file and line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from gitops.render.apps import AppSource
from gitops.render.envs import EnvironmentSource
from gitops.render.objects import BuiltObject
from gitops.render.user_code import reported_as_source_error, stdout_to_stderr
from gitops.settings import Settings


def build_objects(
    settings: Settings,
    envs: Sequence[EnvironmentSource],
    apps: Sequence[AppSource],
) -> list[BuiltObject]:
    with stdout_to_stderr():
        return _build_objects(settings, envs, apps)


def _build_objects(
    settings: Settings,
    envs: Sequence[EnvironmentSource],
    apps: Sequence[AppSource],
) -> list[BuiltObject]:
    from gitops.constructs.app import AppChart, EnvironmentScope
    from gitops.constructs.runtime import cdk8s

    root = settings.root
    cdk8s_app = cdk8s.App()
    built: list[tuple[AppChart, str, AppSource]] = []
    for env_source in envs:
        env = env_source.environment
        scope = EnvironmentScope(cdk8s_app, env)
        for app in apps:
            if not env.runs(app.name):
                continue  # include_apps / exclude_apps
            what = f"building app {app.name!r} for environment {env.name!r}"
            fix = "correct the code at that line; nothing under rendered/ was changed"
            with reported_as_source_error(root, ("apps", "envs"), what, fix):
                chart: AppChart = app.chart(scope, env)
            if env_source.customize is not None:
                what = f"customize() of {env_source.path} on app {app.name!r}"
                fix = "correct the overlay at that line; nothing under rendered/ was changed"
                with reported_as_source_error(root, ("envs", "apps"), what, fix):
                    env_source.customize(chart)
            built.append((chart, env.name, app))
    # One bridge call finds every native cdk8s object in the whole tree; only the charts that
    # hold some pay for Chart.to_json() (~0.7 ms each, measured).
    native_charts = {
        id(cdk8s.Chart.of(c)) for c in cdk8s_app.node.find_all() if isinstance(c, cdk8s.ApiObject)
    }
    objects: list[BuiltObject] = []
    for chart, env_name, app in built:
        what = f"rendering app {app.name!r} for environment {env_name!r}"
        fix = "correct the code at that line; nothing under rendered/ was changed"
        with reported_as_source_error(root, ("apps", "envs"), what, fix):
            objects += _chart_objects(chart, env_name, app, id(chart) in native_charts)
    return objects


def _chart_objects(chart: Any, env: str, app: AppSource, native: bool) -> Iterable[BuiltObject]:
    for manifest in chart.manifests:
        yield BuiltObject(
            body=manifest.body,
            env=env,
            app=app.name,
            source=app.path,
            construct=manifest.construct_path,
        )
    if native:
        yield from _native_objects(chart, env, app)


def _native_objects(chart: Any, env: str, app: AppSource) -> Iterable[BuiltObject]:
    native = chart.to_json()
    if native:
        paths = _native_paths(chart)
        for body in native:
            meta = body.get("metadata") or {}
            key = (str(body.get("kind")), str(meta.get("name")))
            # Two objects of one kind and name (a collision, reported later) each keep their
            # own construct path, so the message names both.
            same = paths.get(key)
            construct = same.pop(0) if same else str(chart.gitops_path)
            yield BuiltObject(
                body=body, env=env, app=app.name, source=app.path, construct=construct
            )


def _native_paths(chart: Any) -> dict[tuple[str, str], list[str]]:
    """Construct paths of the native ApiObjects, by (kind, name); a few bridge calls each, paid
    only by charts that contain native objects."""
    paths: dict[tuple[str, str], list[str]] = {}
    for obj in chart.api_objects:
        paths.setdefault((str(obj.kind), str(obj.name)), []).append(str(obj.node.path))
    return paths
