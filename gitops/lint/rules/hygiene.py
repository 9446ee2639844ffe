"""GH: GitOps hygiene: what must not be in a config repo that Argo CD syncs.

Git keeps everything forever and Argo CD applies exactly what it holds, so secrets, metadata
that Argo CD itself owns, and two definitions of one object each cause trouble that no
cluster-side check sees.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from gitops.findings import Severity
from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import Manifest, posix_normal
from gitops.rules.registry import Violation, rule

FAMILY = "gitops-hygiene"
TRACKING_ANNOTATION = "argocd.argoproj.io/tracking-id"
INSTANCE_LABEL = "app.kubernetes.io/instance"
MANAGED_BY_THIS_TOOL = ("app.kubernetes.io/managed-by", "gitops")


@rule("GH001", "plaintext-secret", family=FAMILY, severity=Severity.ERROR, kinds=("Secret",))
def plaintext_secret(manifest: Manifest, graph: ObjectGraph, options: Any) -> Iterator[Violation]:
    """A Secret with its values is committed to git.

    Why: base64 in data is an encoding, not encryption. Everyone who can read the repo can
    read the value: every clone, fork, CI log and backup, and git history keeps it after the
    file is deleted. Keys whose values are all empty are not reported (a placeholder holds
    nothing to leak).
    Fix: Keep the value out of git: reference it with an ExternalSecret (External Secrets
    Operator), a SealedSecret or Vault injection (in this repo, SecretEnv on the construct
    names a Secret without holding its data); then rotate the exposed value.
    """
    if manifest.api_version != "v1":
        return
    for field in ("data", "stringData"):
        values = manifest.body.get(field)
        if not isinstance(values, dict):
            continue
        keys = sorted(str(key) for key, value in values.items() if value not in (None, ""))
        if keys:
            how = "base64-encoded, unencrypted" if field == "data" else "plain-text"
            noun = "value" if len(keys) == 1 else "values"
            yield Violation(
                message=f"{field} holds {len(keys)} {how} {noun} ({', '.join(keys)})",
                path=(field,),
            )


@rule("GH002", "argo-tracking-metadata", family=FAMILY, severity=Severity.WARNING)
def argo_tracking_metadata(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """An object carries the tracking metadata that Argo CD writes at sync time.

    Why: Argo CD records which Application owns an object in the
    argocd.argoproj.io/tracking-id annotation. Committed, it was copied from a live object,
    and when it names another Application, Argo CD counts the object as that app's: it
    shows as not owned, and a prune in either app can delete it. The app.kubernetes.io/
    instance label is Argo CD's legacy tracking label, but also Helm's and the Kubernetes
    recommended label for a release name, so it is reported only on objects this tool
    renders (app.kubernetes.io/managed-by: gitops), whose constructs never write it;
    Helm and Kustomize output is not flooded with false positives.
    Fix: Remove the annotation (or label) from the source; if it came from kubectl get -o
    yaml, strip the other live-only fields too (status, uid, resourceVersion).
    """
    annotation = manifest.annotations.get(TRACKING_ANNOTATION)
    if annotation is not None:
        yield Violation(
            message=f'annotation {TRACKING_ANNOTATION} "{annotation}" is written by Argo CD',
            path=("metadata", "annotations", TRACKING_ANNOTATION),
        )
    key, value = MANAGED_BY_THIS_TOOL
    label = manifest.labels.get(INSTANCE_LABEL)
    if label is not None and manifest.labels.get(key) == value:
        yield Violation(
            message=f'label {INSTANCE_LABEL} "{label}" is Argo CD\'s tracking label, and '
            "this tool's constructs never write it",
            path=("metadata", "labels", INSTANCE_LABEL),
        )


def deploy_scope(path: str) -> tuple[str, ...]:
    """Where a file is applied to one cluster: ``rendered/<env>`` in this repo's layout,
    the file's directory elsewhere."""
    parts = _path_parts(path.replace("\\", "/"))
    if "rendered" in parts:
        index = len(parts) - 1 - parts[::-1].index("rendered")
        if len(parts) > index + 2:
            return parts[: index + 2]
    return parts[:-1]


def _path_parts(path: str) -> tuple[str, ...]:
    """``PurePosixPath(path).parts``, without building a path for the plain relative or
    absolute paths objects are loaded from (asked for every repeated object)."""
    if not posix_normal(path):
        return PurePosixPath(path).parts
    if path.startswith("/"):
        return ("/", *path[1:].split("/"))
    return tuple(path.split("/"))


@rule("GH003", "duplicate-object", family=FAMILY, severity=Severity.ERROR)
def duplicate_object(manifest: Manifest, graph: ObjectGraph, options: Any) -> Iterator[Violation]:
    """The same object (group, kind, namespace, name) is defined more than once.

    Why: The API server holds one object per identity, so one definition silently replaces
    the other: which one wins depends on apply order, and Argo CD warns that the resource
    appeared twice and applies only one. Usually two apps or an app and an overlay both
    render it, or a file was copied and not renamed. Each later definition is
    reported, naming the first. Only definitions bound for the same cluster are compared:
    under rendered/<env>/ that is the whole env (each env is its own cluster), elsewhere one
    directory (sibling directories are usually overlays or envs of one another). Objects
    named by generateName are not compared.
    Fix: Keep one definition and delete the other, or give them different names.
    """
    if not manifest.name or len(graph.same_identity(manifest)) < 2:
        return
    firsts = graph.cached("hygiene.first_in_scope", _first_in_scope)
    known = firsts.by_object.get(id(manifest))
    if known is not None and known[0] is manifest:
        first = known[1]
    else:  # not one of the graph's objects, though its identity is
        first = firsts.by_scope.get((manifest.identity, deploy_scope(manifest.path)), manifest)
    if first is not manifest:
        yield Violation(
            message=f"duplicate of {manifest.describe()}, first defined at "
            f"{first.path}:{first.line}",
            path=("metadata", "name"),
        )


Identity = tuple[str, str, str | None, str]


@dataclass(frozen=True)
class _FirstInScope:
    by_scope: dict[tuple[Identity, tuple[str, ...]], Manifest]
    """(identity, deploy scope) -> its first definition, for every repeated identity."""
    by_object: dict[int, tuple[Manifest, Manifest]]
    """Each repeated named object of the graph (by id) -> (itself, the first definition of
    its identity in its deploy scope): worked out once, not again per object."""


def _first_in_scope(graph: ObjectGraph) -> _FirstInScope:
    """The first definition of each repeated identity in each deploy scope, in one pass (a
    scan of the repeats per object is quadratic in how often an object is repeated)."""
    first: dict[tuple[Identity, tuple[str, ...]], Manifest] = {}
    repeated: list[tuple[Manifest, tuple[Identity, tuple[str, ...]]]] = []
    for manifest in graph.manifests:
        if len(graph.same_identity(manifest)) > 1:
            key = (manifest.identity, deploy_scope(manifest.path))
            first.setdefault(key, manifest)
            if manifest.name:
                repeated.append((manifest, key))
    return _FirstInScope(first, {id(m): (m, first[key]) for m, key in repeated})


RULES = (plaintext_secret, argo_tracking_metadata, duplicate_object)
