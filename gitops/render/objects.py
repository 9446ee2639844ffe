"""From built objects to rendered files: checks, namespace handling, file names, bytes.

Each object becomes ``rendered/<env>/<app>/<kind>.<name>.yaml``, or
``rendered/<env>/cluster/<kind>.<name>.yaml`` when it is cluster-scoped (scope from CRDs and
the built-in list: ``gitops.k8s.scopes``). The app's own Namespace stays in the app's folder:
the app's Argo CD Application creates it before anything else (see
``gitops.constructs.argocd``). What cannot be
committed safely is an error naming the object and the construct that made it: a missing
name, a cdk8s hash label in a selector, Argo CD's own tracking metadata, Secret data, or an
object outside the app's namespace.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from gitops.errors import RenderError
from gitops.k8s.kinds import api_group
from gitops.k8s.scopes import Scopes
from gitops.render import canonical_yaml

CLUSTER_DIR = "cluster"
CDK8S_ADDR_LABEL = "cdk8s.io/metadata.addr"
ARGO_OWNED_LABELS = ("app.kubernetes.io/instance",)
ARGO_OWNED_ANNOTATIONS = ("argocd.argoproj.io/tracking-id",)
_FILE_SAFE_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._:-]*[A-Za-z0-9])?$")


@dataclass(frozen=True)
class BuiltObject:
    """An object as an app (or the bootstrap) built it, before checks and placement."""

    body: dict[str, Any]
    env: str | None
    app: str | None
    """The app that built it; None for the Argo CD bootstrap in ``rendered/argocd``."""
    source: str
    construct: str
    customized: tuple[tuple[str | int, ...], ...] = ()
    """JSON paths an environment's ``customize()`` changed (``()``: it added the object)."""
    customized_by: str = ""
    """The environment file whose ``customize()`` changed them."""
    folder: str | None = None
    """Where the file goes, for bootstrap objects (``rendered/argocd/...``); None: placed
    by env, app and scope."""

    def describe(self) -> str:
        meta = self.body.get("metadata") or {}
        kind = self.body.get("kind", "<no kind>")
        name = meta.get("name", "<no name>") if isinstance(meta, Mapping) else "<no name>"
        return f"{kind} {name!r} from construct {self.construct} ({self.source})"


@dataclass(frozen=True)
class RenderedFile:
    path: str
    content: bytes
    env: str | None
    app: str | None
    source: str
    construct: str
    api_version: str
    kind: str
    namespace: str | None
    name: str
    customized: tuple[tuple[str | int, ...], ...] = ()
    customized_by: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    def index_entry(self) -> dict[str, Any]:
        return {
            "env": self.env,
            "app": self.app,
            "source": self.source,
            "construct": self.construct,
            "apiVersion": self.api_version,
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
            "sha256": self.sha256,
            **(
                {
                    "customizedBy": self.customized_by,
                    "customized": [list(p) for p in self.customized],
                }
                if self.customized
                else {}
            ),
        }


def _fail(obj: BuiltObject, problem: str, fix: str) -> RenderError:
    return RenderError(f"{obj.describe()}: {problem}", fix=fix)


def _labels_in(body: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    """Label maps a cdk8s hash label could hide in: metadata, selectors, pod templates."""
    meta = body.get("metadata") or {}
    yield meta.get("labels") or {}
    spec = body.get("spec")
    if isinstance(spec, Mapping):
        selector = spec.get("selector")
        if isinstance(selector, Mapping):
            yield selector.get("matchLabels") or selector
        template = spec.get("template")
        if isinstance(template, Mapping):
            yield (template.get("metadata") or {}).get("labels") or {}


def normalize(obj: BuiltObject, app_namespace: str | None, scopes: Scopes) -> dict[str, Any]:
    """Check ``obj`` can be committed and return its body with the namespace settled."""
    body = obj.body
    for key in ("apiVersion", "kind"):
        if not isinstance(body.get(key), str) or not body[key]:
            raise _fail(obj, f"has no {key}", "set apiVersion and kind on the object")
    meta = body.get("metadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str):
        raise _fail(
            obj, "has no metadata.name", "give every object an explicit name (no generated names)"
        )
    if not _FILE_SAFE_NAME.fullmatch(meta["name"]):
        raise _fail(obj, f"name {meta['name']!r} is not a valid object name", "rename the object")
    for labels in _labels_in(body):
        if isinstance(labels, Mapping) and CDK8S_ADDR_LABEL in labels:
            raise _fail(
                obj,
                f"carries the {CDK8S_ADDR_LABEL} label, a hash of the construct path: renaming "
                "a construct would change an immutable selector",
                "use gitops.constructs workloads, or pass select=False to cdk8s-plus workloads "
                "and select pods by an explicit app.kubernetes.io/name label",
            )
    for key in ARGO_OWNED_LABELS:
        if key in (meta.get("labels") or {}):
            raise _fail(obj, f"sets the label {key}, which Argo CD owns", f"remove {key}")
    for key in ARGO_OWNED_ANNOTATIONS:
        if key in (meta.get("annotations") or {}):
            raise _fail(obj, f"sets the annotation {key}, which Argo CD owns", f"remove {key}")
    if (
        body["kind"] == "Secret"
        and api_group(body["apiVersion"]) == ""
        and (body.get("data") or body.get("stringData"))
    ):
        raise _fail(
            obj,
            "is a Secret with data: anyone who can read the repository can read it",
            "keep the secret in a secret manager and reference it (ExternalSecret, "
            "SealedSecret, Vault); read it with SecretEnv",
        )
    if scopes.is_cluster_scoped(body["apiVersion"], body["kind"]):
        meta.pop("namespace", None)
    elif app_namespace is not None:
        namespace = meta.setdefault("namespace", app_namespace)
        if namespace != app_namespace:
            raise _fail(
                obj,
                f"is in namespace {namespace!r}, but app {obj.app!r} deploys only into "
                f"{app_namespace!r} (its Argo CD project allows no other)",
                "drop metadata.namespace (the env's namespace rule decides it) or move the "
                f"object to the app that owns namespace {namespace!r}",
            )
    return body


def is_own_namespace(body: Mapping[str, Any], app_namespace: str | None) -> bool:
    return (
        body["kind"] == "Namespace"
        and api_group(body["apiVersion"]) == ""
        and body["metadata"]["name"] == app_namespace
    )


def file_path(
    rendered_dir: str,
    obj: BuiltObject,
    body: Mapping[str, Any],
    scopes: Scopes,
    app_namespace: str | None = None,
) -> str:
    kind = str(body["kind"]).lower()
    name = body["metadata"]["name"]
    if obj.folder is not None:
        folder = obj.folder
    elif obj.app is None:
        folder = f"{rendered_dir}/argocd"
    elif is_own_namespace(body, app_namespace):
        folder = f"{rendered_dir}/{obj.env}/{obj.app}"
    elif scopes.is_cluster_scoped(body["apiVersion"], body["kind"]):
        folder = f"{rendered_dir}/{obj.env}/{CLUSTER_DIR}"
    else:
        folder = f"{rendered_dir}/{obj.env}/{obj.app}"
    return f"{folder}/{kind}.{name}.yaml"


def header(source: str) -> str:
    return (
        f"# Generated by gitops from {source}. Do not edit: change the source, "
        "then run gitops synth.\n"
    )


def render_files(
    objects: Iterable[BuiltObject],
    rendered_dir: str,
    namespaces: Mapping[tuple[str, str], str],
    scopes: Scopes | None = None,
) -> dict[str, RenderedFile]:
    """Place and serialize ``objects``; two objects mapping to one file is an error.
    ``namespaces`` maps (env, app) to the app's namespace there."""
    scopes = scopes or Scopes()
    files: dict[str, RenderedFile] = {}
    owners: dict[str, BuiltObject] = {}
    for obj in objects:
        namespace = namespaces.get((obj.env, obj.app)) if obj.app and obj.env else None
        body = normalize(obj, namespace, scopes)
        path = file_path(rendered_dir, obj, body, scopes, namespace)
        if path in owners:
            raise RenderError(
                f"two objects map to {path}: {owners[path].describe()} and {obj.describe()}",
                fix="give one of them a different name (file names are <kind>.<name>.yaml)",
            )
        owners[path] = obj
        meta = body["metadata"]
        files[path] = RenderedFile(
            path=path,
            content=(header(obj.source) + canonical_yaml.dumps(body)).encode("utf-8"),
            env=obj.env,
            app=obj.app,
            source=obj.source,
            construct=obj.construct,
            api_version=body["apiVersion"],
            kind=body["kind"],
            namespace=meta.get("namespace"),
            name=meta["name"],
            customized=obj.customized,
            customized_by=obj.customized_by,
        )
    return files
