"""Whether a kind is namespaced or cluster-scoped, from the best source that knows.

In order:

1. CustomResourceDefinitions the caller supplies (found in the rendered input, or configured
   in ``[tool.gitops.validate] crds``): their ``spec.scope``;
2. the CRDs packaged with gitops (``gitops/validate/crd_schemas``, read here as package data,
   so this module does not import the validator): their ``spec.scope``;
3. built-in kinds: the packaged Kubernetes schemas (kubernetes-validate) name every one
   (``builtin_kinds``) but carry no scope (only ``x-kubernetes-group-version-kind``), so a
   built-in kind is cluster-scoped exactly when ``gitops.k8s.kinds.CLUSTER_SCOPED`` lists
   it; tests/k8s/test_scopes.py keeps that list complete against the schemas;
4. anything else: the same built-in list (well-known custom kinds such as Kyverno's
   ``ClusterPolicy``), then namespaced, which is what most custom resources are.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from gitops.k8s.kinds import BUILTIN_API_GROUPS, CLUSTER_SCOPED, api_group

CLUSTER = "Cluster"
NAMESPACED = "Namespaced"
_GROUP = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$")
_SCHEMA_FILE = re.compile(r"^([a-z0-9]+)-(?:([a-z0-9]+)-)?(v\d+(?:(?:alpha|beta)\d+)?)\.json$")


def crd_scope(body: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """(group, kind, scope) a CustomResourceDefinition declares; None for any other object or
    a CRD too malformed to say (its schema check reports why)."""
    if body.get("kind") != "CustomResourceDefinition":
        return None
    if api_group(str(body.get("apiVersion", ""))) != "apiextensions.k8s.io":
        return None
    spec = body.get("spec")
    if not isinstance(spec, Mapping):
        return None
    names = spec.get("names")
    group, scope = spec.get("group"), spec.get("scope")
    kind = names.get("kind") if isinstance(names, Mapping) else None
    if (
        not isinstance(group, str)
        or not isinstance(kind, str)
        or scope not in (CLUSTER, NAMESPACED)
    ):
        return None
    return group, kind, str(scope)


@cache
def packaged_crd_scope(group: str, kind: str) -> str | None:
    """``spec.scope`` of the CRD gitops packages for ``group``/``kind``, or None."""
    if not _GROUP.fullmatch(group) or not kind.isalnum():
        return None  # also keeps names from the input out of file paths
    ref = resources.files("gitops").joinpath("validate", "crd_schemas", group)
    try:
        data = json.loads(gzip.decompress(ref.joinpath(f"{kind.lower()}.json.gz").read_bytes()))
    except (FileNotFoundError, NotADirectoryError):
        return None
    spec = data["crd"]["spec"]
    if spec["names"]["kind"] != kind:
        return None  # kinds are case-sensitive
    scope = spec.get("scope")
    return scope if scope in (CLUSTER, NAMESPACED) else None


@cache
def _schema_dir() -> Path | None:
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(spec.submodule_search_locations[0]) / "kubernetes-json-schema"
    local = sorted(
        (p for p in root.glob("v1.*.0-local") if p.is_dir()),
        key=lambda p: int(p.name.split(".")[1]),
    )
    return local[-1] if local else None


@cache
def builtin_kinds() -> frozenset[tuple[str, str]]:
    """(first label of the group, lower-case kind) of every kind in the newest packaged
    Kubernetes schemas: file names are ``<kind>-<group label>-<version>.json`` (no group label
    for the core group)."""
    directory = _schema_dir()
    if directory is None:
        return frozenset()
    found = set()
    for path in directory.iterdir():
        match = _SCHEMA_FILE.fullmatch(path.name)
        if match:
            found.add((match.group(2) or "", match.group(1)))
    return frozenset(found)


def is_builtin_kind(group: str, kind: str) -> bool:
    """Whether the packaged Kubernetes schemas define ``group``/``kind``."""
    return group in BUILTIN_API_GROUPS and (group.split(".")[0], kind.lower()) in builtin_kinds()


@dataclass(frozen=True)
class Scopes:
    """Scope lookups with the CRDs the caller knows of (the input's and configured ones)."""

    crds: Mapping[tuple[str, str], str] = field(default_factory=dict)
    """(group, kind) -> ``Cluster`` or ``Namespaced`` from CRDs the caller supplies."""

    @classmethod
    def from_crds(cls, bodies: Iterable[Mapping[str, Any]]) -> Scopes:
        found: dict[tuple[str, str], str] = {}
        for body in bodies:
            declared = crd_scope(body)
            if declared:
                group, kind, scope = declared
                found[(group, kind)] = scope
        return cls(found)

    def scope(self, api_version: str, kind: str) -> str:
        group = api_group(api_version)
        known = self.crds.get((group, kind))
        if known is None and group not in BUILTIN_API_GROUPS:
            known = packaged_crd_scope(group, kind)  # built-in groups have no CRDs
        if known is not None:
            return known
        return CLUSTER if (group, kind) in CLUSTER_SCOPED else NAMESPACED

    def is_cluster_scoped(self, api_version: str, kind: str) -> bool:
        return self.scope(api_version, kind) == CLUSTER
