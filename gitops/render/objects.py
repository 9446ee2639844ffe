"""From built objects to rendered files: checks, namespace handling, file names, bytes.

Each object becomes ``rendered/<env>/<app>/<kind>.<name>.yaml``, or
``rendered/<env>/cluster/<kind>.<name>.yaml`` when it is cluster-scoped (scope from CRDs and
the built-in list: ``gitops.k8s.scopes``). The app's own Namespace stays in the app's folder:
the app's Argo CD Application creates it before anything else (see
``gitops.constructs.argocd``). What cannot be
committed safely is an error naming the object and the construct that made it: a kind or
name Kubernetes would reject (both become file names), a missing name, a cdk8s hash label in
a selector, Argo CD's own tracking metadata, Secret data (also inside a ``List``), or an
object outside the app's namespace. A file name longer than the filesystem's 255 bytes keeps
its start and ends in ``~<16 hex digits of the name's SHA-256>.yaml`` (``~`` is in no valid
name, so a shortened name never equals another file's).
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
_KIND = re.compile(r"^[A-Za-z]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?$")
"""What Kubernetes accepts as a kind: lower-cased, a DNS-1035 label (CRD names validation)."""
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_RBAC_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._:-]*[A-Za-z0-9])?$")
"""RBAC objects are named by path segment (``system:aggregate-to-edit``); this is the part of
that which is also a safe file name."""
_RBAC_GROUP = "rbac.authorization.k8s.io"
MAX_NAME = 253
MAX_FILE_NAME = 255
_HASH_CHARS = 16


@dataclass(frozen=True)
class BuiltObject:
    """An object as an app (or the bootstrap) built it, before checks and placement."""

    body: dict[str, Any]
    env: str | None
    app: str | None
    """The app that built it; None for the Argo CD bootstrap in ``rendered/argocd``."""
    source: str
    construct: str
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
    if not _KIND.fullmatch(body["kind"]):
        raise _fail(
            obj,
            f"kind {body['kind']!r} is not a valid kind (letters, digits and '-', starting with "
            "a letter, at most 63 characters)",
            "correct the kind (e.g. ConfigMap, Deployment) where the construct sets it",
        )
    meta = body.get("metadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str):
        raise _fail(
            obj, "has no metadata.name", "give every object an explicit name (no generated names)"
        )
    name = meta["name"]
    rbac = api_group(body["apiVersion"]) == _RBAC_GROUP
    if len(name) > MAX_NAME or not (_RBAC_NAME if rbac else _DNS_SUBDOMAIN).fullmatch(name):
        what = (
            "letters, digits, '.', '_', ':' and '-'"
            if rbac
            else "a DNS subdomain: lower-case letters, digits, '-' and '.'"
        )
        raise _fail(
            obj,
            f"name {name!r} is not a valid object name ({what}, starting and ending with a "
            f"letter or digit, at most {MAX_NAME} characters)",
            "rename the object where the construct names it",
        )
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
    secret = _secret_with_data(body)
    if secret:
        raise _fail(
            obj,
            f"{secret} with data: anyone who can read the repository can read it",
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


def _secret_with_data(body: Mapping[str, Any], typed: bool = False) -> str | None:
    """What in ``body`` is a core Secret carrying data (``is a Secret``, ``holds a Secret in
    items[2]``), looking into ``List``, ``SecretList`` and any other ``*List`` with items;
    ``typed`` means the items of a SecretList, which may omit their kind."""
    kind, version = body.get("kind"), body.get("apiVersion")
    core = version is None or (isinstance(version, str) and api_group(version) == "")
    if (kind == "Secret" or (typed and kind is None)) and core:
        return "is a Secret" if body.get("data") or body.get("stringData") else None
    items = body.get("items")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, Mapping) and _secret_with_data(item, kind == "SecretList"):
                return f"holds a Secret in items[{i}]"
    return None


def file_name(kind: str, name: str) -> str:
    """``<kind>.<name>.yaml``, shortened deterministically when over the filesystem limit."""
    full = f"{kind.lower()}.{name}.yaml"
    if len(full.encode()) <= MAX_FILE_NAME:
        return full
    digest = hashlib.sha256(name.encode()).hexdigest()[:_HASH_CHARS]
    keep = MAX_FILE_NAME - len(f"{kind.lower()}.~{digest}.yaml")
    return f"{kind.lower()}.{name[:keep]}~{digest}.yaml"


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
    name = file_name(str(body["kind"]), body["metadata"]["name"])
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
    return f"{folder}/{name}"


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
        )
    return files
