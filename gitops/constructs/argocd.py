"""Argo CD bootstrap generated from the environment definitions, for ``rendered/argocd/``.

Two layouts (``[tool.gitops] argocd_layout``):

- ``hub``: one Argo CD manages every cluster. ``rendered/argocd/`` holds the root
  ``Application gitops-bootstrap`` (and its project), which syncs that folder, plus one
  ``Application <env>`` per environment syncing ``rendered/argocd/<env>/``. Destinations name
  each environment's cluster (``name``, or ``server`` when the env sets ``cluster_server``).
- ``per-cluster``: one Argo CD per cluster. ``rendered/argocd/<cluster>/`` holds the same
  root and the environments on that cluster only, in ``rendered/argocd/<cluster>/<env>/``;
  every destination is the local ``https://kubernetes.default.svc``.

Per environment, in ``.../<env>/``:

- ``AppProject <env>``: the apps may deploy only into their own (cluster, namespace)
  destinations and may create no cluster-scoped object but their own Namespaces (by name).
- ``Application <env>-<app>`` per app the environment runs: ``rendered/<env>/<app>``,
  automated sync (prune, selfHeal), ``CreateNamespace=true`` with the Namespace's labels as
  ``managedNamespaceMetadata``, ``PruneLast`` and ``manifest-generate-paths``.
- ``AppProject <env>-cluster`` and ``Application <env>-cluster`` for
  ``rendered/<env>/cluster`` when the env renders cluster-scoped objects: the project allows
  exactly those (group, kind, name) and no namespaced object. Pruning is manual there.

First sync in order, without relying on retries (see ``FIRST_SYNC_ORDER``):

1. The app's Namespace exists before its objects are applied: the app's own Application
   creates it (``CreateNamespace=true``; Argo CD docs, user-guide/sync-options.md, "Create
   Namespace": the Application "will create the namespace specified in
   spec.destination.namespace if it doesn't exist already"; ``managedNamespaceMetadata``
   puts the Pod Security labels on it at creation). The Namespace manifest is also in the
   app's folder, and Argo CD applies Namespaces first within a wave (sync-waves docs: "By
   kind (e.g. namespaces first and then other Kubernetes resources, followed by custom
   resources)").
2. The AppProject (and its destinations) exists before the Applications that use it: both
   are resources of one Application, the environment's root, and sync waves order them
   (projects ``-2``, the cluster app ``-1``, apps ``0``); Argo CD applies a wave only after
   the previous one is healthy, and an AppProject has no health check, so it counts as
   healthy once applied. (The previous layout generated Applications from ApplicationSets,
   which are not resources of the bootstrap app, so no wave could order them.)
3. Cluster-scoped objects (CRDs, ClusterRoles, cluster-scoped custom resources) are in the
   ``-1`` wave; for the ``0`` wave to wait until they are synced and healthy, Argo CD needs
   the ``argoproj.io/Application`` health check in ``argocd-cm`` (removed from the defaults in
   Argo CD 1.8; the operator manual's health docs give the Lua). README lists it as a
   prerequisite; without it the order of application still holds, the wait does not.

Deleting an app removes its Application file; the env root prunes the Application. With
``on_app_removal = "prune"`` the Application carries ``resources-finalizer.argocd.argoproj.io``
and Argo CD deletes the app's objects (cascading delete, Argo CD docs user-guide/app_deletion);
with ``"orphan"`` (default) it does not, and the objects keep running without an owner.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gitops.constructs.meta import MANAGED_BY, MANAGED_BY_LABEL
from gitops.errors import RenderError
from gitops.k8s.render_index import ARGOCD_DIR, BOOTSTRAP

API = "argoproj.io/v1alpha1"
CLUSTER_DIR = "cluster"
IN_CLUSTER = "https://kubernetes.default.svc"
ENV_LABEL = "gitops.dev/env"
APP_LABEL = "gitops.dev/app"
SYNC_WAVE = "argocd.argoproj.io/sync-wave"
RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io"
FIRST_SYNC_ORDER = {"AppProject": "-2", "cluster Application": "-1", "app Application": "0"}
"""Sync waves inside each environment's root Application (module docstring, point 2)."""
_RETRY = {"limit": 5, "backoff": {"duration": "5s", "factor": 2, "maxDuration": "3m"}}


@dataclass(frozen=True)
class AppTarget:
    """One app of one environment, as its Application needs it."""

    name: str
    namespace: str
    namespace_labels: Mapping[str, str]
    """Labels of the app's Namespace manifest, set again as ``managedNamespaceMetadata``."""


@dataclass(frozen=True)
class EnvTarget:
    """What the bootstrap needs to know about one rendered environment."""

    name: str
    cluster: str
    destination: Mapping[str, str]
    """``{"name": cluster}`` or ``{"server": url}`` (hub layout)."""
    apps: tuple[AppTarget, ...]
    cluster_objects: tuple[tuple[str, str, str], ...]
    """(group, kind, name) of every object in ``rendered/<env>/cluster``."""
    revision: str | None = None
    """The git ref this env's Argo CD objects and apps sync from (``Environment.revision``);
    None: the repo's revision."""


@dataclass(frozen=True)
class Repo:
    url: str
    revision: str
    rendered_dir: str
    argocd_namespace: str


@dataclass(frozen=True)
class Layout:
    per_cluster: bool = False
    """One Argo CD per cluster instead of one hub."""
    prune_removed_apps: bool = False
    """Delete a removed app's objects (``on_app_removal = "prune"``) instead of orphaning them."""


@dataclass(frozen=True)
class ArgoObject:
    """A bootstrap object and the folder its file goes to."""

    folder: str
    env: str | None
    body: dict[str, Any]


def _meta(
    name: str,
    repo: Repo,
    env: str | None = None,
    wave: str | None = None,
    **labels: str,
) -> dict[str, Any]:
    all_labels = {MANAGED_BY_LABEL: MANAGED_BY, **labels}
    if env:
        all_labels[ENV_LABEL] = env
    meta: dict[str, Any] = {"name": name, "namespace": repo.argocd_namespace, "labels": all_labels}
    if wave is not None:
        meta["annotations"] = {SYNC_WAVE: wave}
    return meta


def _source(repo: Repo, path: str, revision: str | None = None) -> dict[str, Any]:
    return {
        "repoURL": repo.url,
        "targetRevision": revision or repo.revision,
        "path": path,
        "directory": {"recurse": False},
    }


def _destination(env: EnvTarget, layout: Layout) -> dict[str, str]:
    return {"server": IN_CLUSTER} if layout.per_cluster else dict(env.destination)


def app_project(env: EnvTarget, repo: Repo, layout: Layout) -> dict[str, Any]:
    where = _destination(env, layout)
    return {
        "apiVersion": API,
        "kind": "AppProject",
        "metadata": _meta(env.name, repo, env.name, FIRST_SYNC_ORDER["AppProject"]),
        "spec": {
            "description": f"Apps of {env.name}, from {repo.rendered_dir}/{env.name}.",
            "sourceRepos": [repo.url],
            "destinations": [{**where, "namespace": app.namespace} for app in env.apps],
            # CreateNamespace needs Namespace allowed; by name, so only the apps' own.
            "clusterResourceWhitelist": [
                {"group": "", "kind": "Namespace", "name": app.namespace} for app in env.apps
            ],
        },
    }


def app_application(env: EnvTarget, app: AppTarget, repo: Repo, layout: Layout) -> dict[str, Any]:
    meta = _meta(
        f"{env.name}-{app.name}",
        repo,
        env.name,
        FIRST_SYNC_ORDER["app Application"],
        **{APP_LABEL: app.name},
    )
    # Re-render an app only when its own folder changes (monorepo scaling).
    meta["annotations"]["argocd.argoproj.io/manifest-generate-paths"] = "."
    if layout.prune_removed_apps:
        meta["finalizers"] = [RESOURCES_FINALIZER]
    return {
        "apiVersion": API,
        "kind": "Application",
        "metadata": meta,
        "spec": {
            "project": env.name,
            "source": _source(repo, f"{repo.rendered_dir}/{env.name}/{app.name}", env.revision),
            "destination": {**_destination(env, layout), "namespace": app.namespace},
            "syncPolicy": {
                "automated": {"prune": True, "selfHeal": True},
                # The namespace is created by this Application before its objects are
                # applied, with its Pod Security labels (module docstring, point 1).
                "syncOptions": ["CreateNamespace=true", "PruneLast=true"],
                "managedNamespaceMetadata": {"labels": dict(app.namespace_labels)},
                "retry": _RETRY,
            },
        },
    }


def cluster_project(env: EnvTarget, repo: Repo, layout: Layout) -> dict[str, Any]:
    name = f"{env.name}-{CLUSTER_DIR}"
    return {
        "apiVersion": API,
        "kind": "AppProject",
        "metadata": _meta(name, repo, env.name, FIRST_SYNC_ORDER["AppProject"]),
        "spec": {
            "description": (
                f"Cluster-scoped objects of the {env.name} environment, from "
                f"{repo.rendered_dir}/{env.name}/{CLUSTER_DIR}."
            ),
            "sourceRepos": [repo.url],
            "destinations": [{**_destination(env, layout), "namespace": "*"}],
            "clusterResourceWhitelist": [
                {"group": group, "kind": kind, "name": name}
                for group, kind, name in env.cluster_objects
            ],
            "namespaceResourceBlacklist": [{"group": "*", "kind": "*"}],
        },
    }


def cluster_application(env: EnvTarget, repo: Repo, layout: Layout) -> dict[str, Any]:
    name = f"{env.name}-{CLUSTER_DIR}"
    return {
        "apiVersion": API,
        "kind": "Application",
        # Before the apps: CRDs and cluster-scoped objects they use (module docstring, 3).
        "metadata": _meta(name, repo, env.name, FIRST_SYNC_ORDER["cluster Application"]),
        "spec": {
            "project": name,
            "source": _source(repo, f"{repo.rendered_dir}/{env.name}/{CLUSTER_DIR}", env.revision),
            "destination": _destination(env, layout),
            # Deleting a CRD deletes every custom resource of its kind: never a side effect.
            "syncPolicy": {
                "automated": {"prune": False, "selfHeal": True},
                "syncOptions": ["PruneLast=true"],
                "retry": _RETRY,
            },
        },
    }


def env_root(env: EnvTarget, repo: Repo, folder: str) -> dict[str, Any]:
    """The environment's root Application: syncs its projects and Applications in waves,
    from the environment's own ref when it has one (so a promotion moves the set of apps
    and their Applications together with their manifests)."""
    meta = _meta(env.name, repo, env.name)
    # Removing the env removes its Applications too (their own finalizers decide whether
    # the apps' objects go with them).
    meta["finalizers"] = [RESOURCES_FINALIZER]
    return {
        "apiVersion": API,
        "kind": "Application",
        "metadata": meta,
        "spec": {
            "project": BOOTSTRAP,
            "source": _source(repo, folder, env.revision),
            "destination": {"server": IN_CLUSTER, "namespace": repo.argocd_namespace},
            "syncPolicy": {
                "automated": {"prune": True, "selfHeal": True},
                "retry": _RETRY,
            },
        },
    }


def bootstrap(repo: Repo, folder: str) -> list[dict[str, Any]]:
    kinds = ("AppProject", "Application")
    return [
        {
            "apiVersion": API,
            "kind": "AppProject",
            "metadata": _meta(BOOTSTRAP, repo),
            "spec": {
                "description": f"Argo CD's own configuration, from {folder}.",
                "sourceRepos": [repo.url],
                "destinations": [{"server": IN_CLUSTER, "namespace": repo.argocd_namespace}],
                "clusterResourceWhitelist": [],
                "namespaceResourceWhitelist": [{"group": "argoproj.io", "kind": k} for k in kinds],
            },
        },
        {
            "apiVersion": API,
            "kind": "Application",
            "metadata": _meta(BOOTSTRAP, repo),
            "spec": {
                "project": BOOTSTRAP,
                "source": _source(repo, folder),
                "destination": {"server": IN_CLUSTER, "namespace": repo.argocd_namespace},
                "syncPolicy": {
                    "automated": {"prune": True, "selfHeal": True},
                    "syncOptions": ["PruneLast=true"],
                    "retry": _RETRY,
                },
            },
        },
    ]


def env_objects(env: EnvTarget, repo: Repo, layout: Layout) -> list[dict[str, Any]]:
    """The objects of ``.../<env>/``: projects, the cluster app and one app per app."""
    objects = [app_project(env, repo, layout)]
    if env.cluster_objects:
        objects += [cluster_project(env, repo, layout), cluster_application(env, repo, layout)]
    objects += [app_application(env, app, repo, layout) for app in env.apps]
    return objects


def argocd_manifests(envs: Sequence[EnvTarget], repo: Repo, layout: Layout) -> list[ArgoObject]:
    """Every bootstrap object with its folder; one Argo CD instance (the hub, or each
    cluster's) must not see two objects of one kind and name."""
    base = f"{repo.rendered_dir}/{ARGOCD_DIR}"
    roots = sorted({env.cluster for env in envs}) if layout.per_cluster else [None]
    objects: list[ArgoObject] = []
    for cluster in roots:
        root = f"{base}/{cluster}" if cluster else base
        mine = [env for env in envs if cluster is None or env.cluster == cluster]
        instance = [ArgoObject(root, None, body) for body in bootstrap(repo, root)]
        for env in mine:
            folder = f"{root}/{env.name}"
            instance.append(ArgoObject(root, env.name, env_root(env, repo, folder)))
            instance += [ArgoObject(folder, env.name, b) for b in env_objects(env, repo, layout)]
        _check_unique(instance, cluster)
        objects += instance
    return objects


def _check_unique(objects: Sequence[ArgoObject], cluster: str | None) -> None:
    seen: dict[tuple[str, str], ArgoObject] = {}
    where = f"the Argo CD of cluster {cluster!r}" if cluster else "the hub Argo CD"
    for obj in objects:
        key = (obj.body["kind"], obj.body["metadata"]["name"])
        first = seen.setdefault(key, obj)
        if first is not obj:
            raise RenderError(
                f"{where} would get two {key[0]}s named {key[1]!r}: one for environment "
                f"{first.env or BOOTSTRAP!r}, one for {obj.env or BOOTSTRAP!r}",
                fix="rename an environment or an app: Argo CD objects are named <env>, "
                "<env>-<app> and <env>-cluster",
            )
