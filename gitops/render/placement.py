"""Where each environment's apps land, checked before anything is written.

An environment runs a subset of the apps (``include_apps`` / ``exclude_apps``), each in the
namespace its rule gives, on its cluster. This module refuses what Argo CD would fight over or
silently ignore, each time with one line naming the env file and line and the fix:

- env data naming apps that do not exist, or that the env does not run;
- two environments owning the same (cluster, namespace), or rendering the same cluster-scoped
  object on one cluster; one cluster registered under two servers;
- overlay values that do not apply to the app as built (``replicas`` for an autoscaled app,
  ``min_replicas``/``max_replicas`` for one without a HorizontalPodAutoscaler).

It also gathers what the Argo CD bootstrap needs (``env_targets``), the scopes of custom
kinds from CRDs in the input and configured ones, and which apps a render removes.
"""

from __future__ import annotations

import functools
import glob
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from gitops.constructs.argocd import AppTarget, EnvTarget
from gitops.constructs.environment import EnvValueError
from gitops.errors import ConfigError, RenderError, SourceError
from gitops.k8s.kinds import api_group
from gitops.k8s.scopes import Scopes, crd_scope
from gitops.render.apps import AppSource
from gitops.render.envs import EnvironmentSource
from gitops.render.objects import CLUSTER_DIR, BuiltObject
from gitops.settings import Settings

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader: a partial render reads the Namespace of every app it keeps (300 in
the 100-app benchmark; the pure-Python loader took 1.5 s of a one-app render)."""

HPA = ("autoscaling", "HorizontalPodAutoscaler")


def check_environments(
    envs: Mapping[str, EnvironmentSource], apps: Mapping[str, AppSource]
) -> dict[tuple[str, str], str]:
    """Validate env data against the apps; return the namespace of each (env, app) it runs."""
    known = ", ".join(apps)
    namespaces: dict[tuple[str, str], str] = {}
    for source in envs.values():
        env = source.environment
        for key in ("include_apps", "exclude_apps"):
            for app in getattr(env, key):
                if app not in apps:
                    raise SourceError(
                        f"{source.where(key)}: {key} names unknown app {app!r}",
                        fix=f"use one of: {known}",
                    )
        for app in env.images:
            line = source.image_lines.get(app, 1)
            if app not in apps:
                raise SourceError(
                    f"{env.images_file}:{line}: image for unknown app {app!r}",
                    fix=f"use one of: {known}; or remove the line",
                )
            if not env.runs(app):
                raise SourceError(
                    f"{env.images_file}:{line}: image for app {app!r}, which environment "
                    f"{env.name!r} does not run",
                    fix="remove the line, or deploy the app there: "
                    f"{source.where('include_apps', 'exclude_apps')}",
                )
        for app in env.apps:
            where = source.where(f"apps.{app}", "apps")
            if app not in apps:
                raise SourceError(
                    f"{where}: ENVIRONMENT.apps has an overlay for unknown app {app!r}",
                    fix=f"use one of: {known}",
                )
            if not env.runs(app):
                raise SourceError(
                    f"{where}: overlay for app {app!r}, which environment {env.name!r} does "
                    "not run",
                    fix="remove the overlay, or deploy the app there (include_apps / exclude_apps)",
                )
        for app in apps:
            if env.runs(app):
                try:
                    namespaces[(env.name, app)] = env.namespace_for(app)
                except EnvValueError as exc:
                    raise SourceError(
                        f"{source.where('namespace')}: {exc}",
                        fix="shorten the rule or the app name",
                    ) from None
    _check_shared_clusters(envs, namespaces)
    return namespaces


def _check_shared_clusters(
    envs: Mapping[str, EnvironmentSource], namespaces: Mapping[tuple[str, str], str]
) -> None:
    servers: dict[str, EnvironmentSource] = {}
    for source in envs.values():
        env = source.environment
        first = servers.setdefault(env.cluster, source)
        if first.environment.kubernetes_version != env.kubernetes_version:
            raise SourceError(
                f"{source.where('kubernetes_version')}: cluster {env.cluster!r} runs "
                f"Kubernetes {env.kubernetes_version} here but "
                f"{first.environment.kubernetes_version} in "
                f"{first.where('kubernetes_version')}",
                fix="environments sharing a cluster share its version: make them equal",
            )
        if first.environment.cluster_server != env.cluster_server:
            other = first.where("cluster_server", "cluster")
            raise SourceError(
                f"{source.where('cluster_server', 'cluster')}: cluster {env.cluster!r} has "
                f"cluster_server {env.cluster_server!r} here but "
                f"{first.environment.cluster_server!r} in {other}",
                fix="one cluster has one API server: make them equal",
            )
    owners: dict[tuple[str, str], tuple[str, str]] = {}
    for (env_name, app), namespace in namespaces.items():
        source = envs[env_name]
        key = (source.environment.cluster, namespace)
        owner = owners.setdefault(key, (env_name, app))
        if owner != (env_name, app):
            owner_source = envs[owner[0]]
            raise SourceError(
                f"{source.where('namespace', 'cluster')}: app {app!r} of environment "
                f"{env_name!r} and app {owner[1]!r} of environment {owner[0]!r} "
                f"({owner_source.where('namespace', 'cluster')}) both render namespace "
                f"{namespace!r} on cluster {key[0]!r}; their Argo CD Applications would fight "
                "over it",
                fix="give environments that share a cluster a namespace rule with {env}, "
                'e.g. namespace="{app}-{env}"',
            )


def check_overlays(envs: Mapping[str, EnvironmentSource], objects: Sequence[BuiltObject]) -> None:
    """Overlay values must change something: refuse those the built app ignores, saying
    what applies instead (or how the app should read the value)."""
    facts: dict[tuple[str | None, str | None], _AppFacts] = {}
    for obj in objects:
        facts.setdefault((obj.env, obj.app), _AppFacts()).add(obj.body)
    for source in envs.values():
        env = source.environment
        for app, overlay in env.apps.items():
            found = facts.get((env.name, app))
            if found is None:
                continue  # not built in this run (--app) or not run here
            problem = found.ignored(overlay)
            if problem:
                key, text, fix = problem
                raise SourceError(
                    f"{source.where(f'apps.{app}.{key}', f'apps.{app}')}: {key} {text} app "
                    f"{app!r} in {env.name!r}",
                    fix=fix,
                )


class _AppFacts:
    """What one app built in one env: replica counts, autoscaler bounds, Ingress hosts."""

    def __init__(self) -> None:
        self.replicas: set[object] = set()
        self.bounds: dict[str, set[object]] = {"min_replicas": set(), "max_replicas": set()}
        self.autoscaled = False
        self.hosts: set[object] = set()
        self.ingress = False

    def add(self, body: Mapping[str, Any]) -> None:
        kind = (api_group(str(body.get("apiVersion", ""))), body.get("kind"))
        spec = body.get("spec")
        if not isinstance(spec, Mapping):
            return
        if kind == HPA:
            self.autoscaled = True
            self.bounds["min_replicas"].add(spec.get("minReplicas"))
            self.bounds["max_replicas"].add(spec.get("maxReplicas"))
        elif kind == ("networking.k8s.io", "Ingress"):
            self.ingress = True
            rules = spec.get("rules")
            for rule in rules if isinstance(rules, list) else []:
                if isinstance(rule, Mapping):
                    self.hosts.add(rule.get("host"))
        elif "replicas" in spec and isinstance(spec.get("template"), Mapping):
            self.replicas.add(spec.get("replicas"))

    def ignored(self, overlay: Any) -> tuple[str, str, str] | None:
        """(field, what is wrong, fix) for the first overlay value the app ignores."""
        sizing = "read it with env.sizing(self.app_name, ...) and pass it to the workload"
        if overlay.replicas is not None:
            if self.autoscaled:
                return (
                    "replicas",
                    "does not apply: a HorizontalPodAutoscaler owns the replica count of",
                    "set min_replicas and max_replicas instead",
                )
            if overlay.replicas not in self.replicas:
                return ("replicas", f"{overlay.replicas} is not used by", sizing)
        for key in ("min_replicas", "max_replicas"):
            value = getattr(overlay, key)
            if value is None:
                continue
            if not self.autoscaled:
                return (
                    key,
                    "does not apply: there is no HorizontalPodAutoscaler in",
                    "set replicas instead",
                )
            if value not in self.bounds[key]:
                return (key, f"{value} is not used by", sizing)
        if overlay.hostname is not None:
            if not self.ingress:
                return ("hostname", "does not apply: there is no Ingress in", "remove it")
            if overlay.hostname not in self.hosts:
                return (
                    "hostname",
                    f"{overlay.hostname!r} is not the host of any Ingress of",
                    "read it with env.hostname(self.app_name, <default>) for Ingress(host=...)",
                )
        return None


def check_cluster_objects(
    envs: Mapping[str, EnvironmentSource],
    entries: Mapping[str, Mapping[str, Any]],
    rendered_dir: str,
) -> None:
    """Two environments on one cluster must not render the same cluster-scoped object."""
    owners: dict[tuple[str, str, str, str], str] = {}
    for path, entry in sorted(entries.items()):
        parts = path.split("/")
        if len(parts) != 4 or parts[0] != rendered_dir or parts[2] != CLUSTER_DIR:
            continue
        env_name = parts[1]
        if env_name not in envs:
            continue
        cluster = envs[env_name].environment.cluster
        group = api_group(str(entry.get("apiVersion", "")))
        key = (cluster, group, str(entry.get("kind")), str(entry.get("name")))
        first = owners.setdefault(key, path)
        if first != path:
            other = first.split("/")[1]
            raise RenderError(
                f"{first} and {path} are the same {key[2]} {key[3]!r} on cluster "
                f"{cluster!r}: environments {other!r} ({envs[other].where('cluster')}) and "
                f"{env_name!r} ({envs[env_name].where('cluster')}) would both own it",
                fix="render it in one environment only (exclude the app that makes it from "
                "the other), or give it an environment-specific name",
            )


def scopes_for(settings: Settings, objects: Iterable[BuiltObject]) -> Scopes:
    """Scopes from CRDs in the input, then configured ones (``[tool.gitops.validate] crds``)."""
    bodies = [o.body for o in objects if crd_scope(o.body)]
    table = settings.tables.get("validate", {})
    patterns = table.get("crds", ())
    if not isinstance(patterns, list | tuple) or not all(isinstance(p, str) for p in patterns):
        raise ConfigError("[tool.gitops.validate] crds must be a list of glob strings")
    configured: list[Mapping[str, Any]] = []
    for pattern in patterns:
        for name in sorted(glob.glob(pattern, root_dir=settings.root, recursive=True)):
            configured += _crds_in(settings.root / name, name)
    return Scopes.from_crds([*configured, *bodies])  # the input's CRDs win


def _crds_in(path: Path, display: str) -> list[Mapping[str, Any]]:
    try:
        documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(
            f"{display}: cannot read CRDs from it ({type(exc).__name__})",
            fix="fix the file or the [tool.gitops.validate] crds glob",
        ) from None
    return [d for d in documents if isinstance(d, dict) and crd_scope(d)]


def env_targets(
    envs: Mapping[str, EnvironmentSource],
    namespaces: Mapping[tuple[str, str], str],
    entries: Mapping[str, Mapping[str, Any]],
    contents: Mapping[str, bytes],
    rendered_dir: str,
    root: Path,
    built: Sequence[BuiltObject] = (),
) -> list[EnvTarget]:
    """What the Argo CD bootstrap needs per environment, from the final set of files: the
    Namespace labels from the ``built`` objects, else from ``contents``, else from disk (for
    what a partial run keeps as it is)."""
    built_labels = {
        (obj.env, obj.app, obj.body["metadata"].get("name")): obj.body["metadata"].get("labels")
        for obj in built
        if obj.body.get("kind") == "Namespace" and isinstance(obj.body.get("metadata"), dict)
    }
    targets = []
    for name, source in envs.items():
        env = source.environment
        apps = []
        for (env_name, app), namespace in sorted(namespaces.items()):
            if env_name != name:
                continue
            path = f"{rendered_dir}/{name}/{app}/namespace.{namespace}.yaml"
            labels: Mapping[str, str] = built_labels.get((name, app, namespace)) or {}
            content = None if labels else contents.get(path)
            if not labels and content is None and path in entries and (root / path).is_file():
                content = (root / path).read_bytes()
            if content is not None:
                labels = dict(_namespace_labels(content))
            apps.append(AppTarget(app, namespace, dict(labels)))
        prefix = f"{rendered_dir}/{name}/{CLUSTER_DIR}/"
        cluster_objects = sorted(
            {
                (api_group(str(e["apiVersion"])), str(e["kind"]), str(e["name"]))
                for p, e in entries.items()
                if p.startswith(prefix)
            }
        )
        targets.append(
            EnvTarget(
                name,
                env.cluster,
                env.destination,
                tuple(apps),
                tuple(cluster_objects),
                revision=env.revision,
            )
        )
    return targets


@functools.lru_cache(maxsize=4096)
def _namespace_labels(content: bytes) -> tuple[tuple[str, Any], ...]:
    """The labels of a rendered Namespace file. Cached by content: a command that renders
    twice (promote: the gate's check, then the render) reads the same 300 files twice."""
    body = yaml.load(content, Loader=_Loader)
    return tuple(((body.get("metadata") or {}).get("labels") or {}).items())


def removed_apps(
    old: Mapping[str, Mapping[str, Any]], new: Mapping[str, Mapping[str, Any]]
) -> list[tuple[str, str]]:
    """(env, app) pairs the previous render had and this one does not."""

    def pairs(entries: Mapping[str, Mapping[str, Any]]) -> set[tuple[str, str]]:
        return {
            (str(e["env"]), str(e["app"]))
            for e in entries.values()
            if e.get("env") and e.get("app")
        }

    return sorted(pairs(old) - pairs(new))
