"""Argo CD bootstrap generated from the environment definitions, for ``rendered/argocd/``.

Per environment:

- ``AppProject <env>``: apps may deploy only into their own namespaces on the env's cluster,
  from this repository, and may create no cluster-scoped objects at all.
- ``ApplicationSet <env>``: a git directory generator over ``rendered/<env>/*`` (minus
  ``cluster``) makes one Application per app folder, with automated sync (prune, selfHeal),
  retries with backoff, ``PruneLast`` and the ``manifest-generate-paths`` annotation.
- ``AppProject <env>-cluster`` and ``Application <env>-cluster`` for ``rendered/<env>/cluster``:
  may create exactly the cluster-scoped kinds rendered there (Namespaces, ClusterRoles, ...)
  and no namespaced objects. Pruning is manual there: deleting a Namespace deletes everything
  in it, which should be a deliberate act, not a side effect of a bad commit.

Plus a root ``Application gitops-bootstrap`` (and its project) that syncs ``rendered/argocd``
itself, so after one ``kubectl apply`` Argo CD manages its own configuration from git.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gitops.constructs.meta import MANAGED_BY, MANAGED_BY_LABEL

API = "argoproj.io/v1alpha1"
BOOTSTRAP = "gitops-bootstrap"
CLUSTER_DIR = "cluster"
IN_CLUSTER = "https://kubernetes.default.svc"
ENV_LABEL = "gitops.dev/env"
_RETRY = {"limit": 5, "backoff": {"duration": "5s", "factor": 2, "maxDuration": "3m"}}


@dataclass(frozen=True)
class EnvTarget:
    """What the bootstrap needs to know about one rendered environment."""

    name: str
    cluster: str
    apps: tuple[str, ...]
    cluster_kinds: tuple[tuple[str, str], ...]
    """(group, kind) of every object in ``rendered/<env>/cluster``."""
    revision: str | None = None
    """The git ref this env's apps sync from; None: the repo's revision."""


@dataclass(frozen=True)
class Repo:
    url: str
    revision: str
    rendered_dir: str
    argocd_namespace: str


def _meta(name: str, namespace: str, env: str | None = None, **extra: Any) -> dict[str, Any]:
    labels = {MANAGED_BY_LABEL: MANAGED_BY}
    if env:
        labels[ENV_LABEL] = env
    return {"name": name, "namespace": namespace, "labels": labels, **extra}


def _source(repo: Repo, path: str, revision: str | None = None) -> dict[str, Any]:
    return {
        "repoURL": repo.url,
        "targetRevision": revision or repo.revision,
        "path": path,
        "directory": {"recurse": False},
    }


def app_project(env: EnvTarget, repo: Repo) -> dict[str, Any]:
    return {
        "apiVersion": API,
        "kind": "AppProject",
        "metadata": _meta(env.name, repo.argocd_namespace, env.name),
        "spec": {
            "description": f"Apps of {env.name}, from {repo.rendered_dir}/{env.name}.",
            "sourceRepos": [repo.url],
            "destinations": [{"name": env.cluster, "namespace": app} for app in env.apps],
            "clusterResourceWhitelist": [],
        },
    }


def application_set(env: EnvTarget, repo: Repo) -> dict[str, Any]:
    base = f"{repo.rendered_dir}/{env.name}"
    return {
        "apiVersion": API,
        "kind": "ApplicationSet",
        "metadata": _meta(env.name, repo.argocd_namespace, env.name),
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [
                {
                    "git": {
                        "repoURL": repo.url,
                        "revision": env.revision or repo.revision,
                        "directories": [
                            {"path": f"{base}/*"},
                            {"path": f"{base}/{CLUSTER_DIR}", "exclude": True},
                        ],
                    }
                }
            ],
            # A generator glitch (a commit that drops a folder) must not cascade-delete apps.
            "syncPolicy": {
                "applicationsSync": "create-update",
                "preserveResourcesOnDeletion": True,
            },
            "template": {
                "metadata": {
                    "name": f"{env.name}-{{{{.path.basename}}}}",
                    "labels": {ENV_LABEL: env.name, MANAGED_BY_LABEL: MANAGED_BY},
                    # Re-render an app only when its own folder changes (monorepo scaling).
                    "annotations": {"argocd.argoproj.io/manifest-generate-paths": "."},
                },
                "spec": {
                    "project": env.name,
                    "source": _source(repo, "{{.path.path}}", env.revision),
                    "destination": {"name": env.cluster, "namespace": "{{.path.basename}}"},
                    "syncPolicy": {
                        "automated": {"prune": True, "selfHeal": True},
                        "syncOptions": ["PruneLast=true", "CreateNamespace=false"],
                        "retry": _RETRY,
                    },
                },
            },
        },
    }


def cluster_project(env: EnvTarget, repo: Repo) -> dict[str, Any]:
    name = f"{env.name}-{CLUSTER_DIR}"
    return {
        "apiVersion": API,
        "kind": "AppProject",
        "metadata": _meta(name, repo.argocd_namespace, env.name),
        "spec": {
            "description": (
                f"Cluster-scoped objects of the {env.name} environment, from "
                f"{repo.rendered_dir}/{env.name}/{CLUSTER_DIR}."
            ),
            "sourceRepos": [repo.url],
            "destinations": [{"name": env.cluster, "namespace": "*"}],
            "clusterResourceWhitelist": [
                {"group": group, "kind": kind} for group, kind in env.cluster_kinds
            ],
            "namespaceResourceBlacklist": [{"group": "*", "kind": "*"}],
        },
    }


def cluster_application(env: EnvTarget, repo: Repo) -> dict[str, Any]:
    name = f"{env.name}-{CLUSTER_DIR}"
    return {
        "apiVersion": API,
        "kind": "Application",
        # Namespaces first: the app Applications cannot sync into namespaces that do not exist.
        "metadata": _meta(
            name,
            repo.argocd_namespace,
            env.name,
            annotations={"argocd.argoproj.io/sync-wave": "-1"},
        ),
        "spec": {
            "project": name,
            "source": _source(
                repo, f"{repo.rendered_dir}/{env.name}/{CLUSTER_DIR}", env.revision
            ),
            "destination": {"name": env.cluster},
            "syncPolicy": {
                "automated": {"prune": False, "selfHeal": True},
                "syncOptions": ["PruneLast=true"],
                "retry": _RETRY,
            },
        },
    }


def bootstrap(repo: Repo) -> list[dict[str, Any]]:
    kinds = ("AppProject", "ApplicationSet", "Application")
    return [
        {
            "apiVersion": API,
            "kind": "AppProject",
            "metadata": _meta(BOOTSTRAP, repo.argocd_namespace),
            "spec": {
                "description": f"Argo CD's own configuration, from {repo.rendered_dir}/argocd.",
                "sourceRepos": [repo.url],
                "destinations": [{"server": IN_CLUSTER, "namespace": repo.argocd_namespace}],
                "clusterResourceWhitelist": [],
                "namespaceResourceWhitelist": [{"group": "argoproj.io", "kind": k} for k in kinds],
            },
        },
        {
            "apiVersion": API,
            "kind": "Application",
            "metadata": _meta(BOOTSTRAP, repo.argocd_namespace),
            "spec": {
                "project": BOOTSTRAP,
                "source": _source(repo, f"{repo.rendered_dir}/argocd"),
                "destination": {"server": IN_CLUSTER, "namespace": repo.argocd_namespace},
                "syncPolicy": {
                    "automated": {"prune": True, "selfHeal": True},
                    "syncOptions": ["PruneLast=true"],
                    "retry": _RETRY,
                },
            },
        },
    ]


def argocd_manifests(
    envs: Sequence[EnvTarget], repo: Repo
) -> list[tuple[str | None, dict[str, Any]]]:
    """Every bootstrap object, with the environment it belongs to (None: the root app)."""
    objects: list[tuple[str | None, dict[str, Any]]] = [(None, body) for body in bootstrap(repo)]
    for env in envs:
        objects += [
            (env.name, app_project(env, repo)),
            (env.name, application_set(env, repo)),
            (env.name, cluster_project(env, repo)),
            (env.name, cluster_application(env, repo)),
        ]
    return objects
