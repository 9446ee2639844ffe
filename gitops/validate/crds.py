"""CustomResourceDefinitions as schema sources: packaged ones, the user's CRD files, and CRDs
found in the input.

A CRD names a group and kind and lists versions, each ``served`` or not, each with an
``openAPIV3Schema`` (``apiextensions.k8s.io/v1``; ``v1beta1`` CRDs may give one schema for all
versions under ``spec.validation``). This module reads those facts; ``gitops.validate.openapi``
turns a schema into JSON Schema.

The packaged schemas live in ``crd_schemas/<group>/<kind>.json.gz``: each is the upstream CRD
reduced to its names, versions and schemas (descriptions stripped), plus a ``source`` record
(repository, path, commit, license). ``crd_schemas/MANIFEST.md`` lists them;
``gitops.validate.vendor_crds`` regenerates them from the upstream files.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

CRD_KIND = "CustomResourceDefinition"
CRD_GROUP = "apiextensions.k8s.io"
PACKAGED_DIR = "crd_schemas"
_GROUP = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$")


@dataclass(frozen=True)
class CrdVersion:
    """One version of a custom resource as its CRD declares it."""

    group: str
    kind: str
    version: str
    served: bool
    openapi: Mapping[str, Any] | None
    """The version's ``openAPIV3Schema``; None when the CRD gives none."""
    source: str
    """Where the CRD came from, for messages (a file:line, or the packaged upstream)."""


def is_crd(body: Mapping[str, Any]) -> bool:
    api_version = str(body.get("apiVersion", ""))
    return body.get("kind") == CRD_KIND and api_version.startswith(CRD_GROUP + "/")


def crd_versions(body: Mapping[str, Any], source: str) -> list[CrdVersion]:
    """Every version a CRD object declares; [] when it is too malformed to say (the CRD's own
    schema check reports why)."""
    spec = body.get("spec")
    if not isinstance(spec, dict):
        return []
    names = spec.get("names")
    group, kind = spec.get("group"), names.get("kind") if isinstance(names, dict) else None
    if not isinstance(group, str) or not isinstance(kind, str):
        return []
    shared = _openapi(spec.get("validation"))
    versions = spec.get("versions")
    if not isinstance(versions, list) or not versions:
        single = spec.get("version")  # apiextensions.k8s.io/v1beta1 with one version
        versions = [{"name": single, "served": True}] if isinstance(single, str) else []
    found = []
    for entry in versions:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        openapi = _openapi(entry.get("schema")) or shared
        served = entry.get("served", True) is not False
        found.append(CrdVersion(group, kind, entry["name"], served, openapi, source))
    return found


def _openapi(holder: Any) -> Mapping[str, Any] | None:
    if isinstance(holder, dict) and isinstance(holder.get("openAPIV3Schema"), dict):
        schema: Mapping[str, Any] = holder["openAPIV3Schema"]
        return schema
    return None


@dataclass(frozen=True)
class PackagedCrd:
    group: str
    kind: str
    source: Mapping[str, str]
    """``repository``, ``branch``, ``path``, ``commit``, ``date``, ``license`` and ``sha256`` of
    the upstream CRD file."""
    body: Mapping[str, Any]

    @property
    def label(self) -> str:
        return f"packaged CRD {self.source['repository']}@{self.source['commit'][:12]}"


def packaged_files() -> Iterator[tuple[str, str]]:
    """(group, kind-lowercase) of every packaged CRD."""
    root = resources.files(__package__).joinpath(PACKAGED_DIR)
    for group_dir in sorted(root.iterdir(), key=lambda p: p.name):
        if not group_dir.is_dir():
            continue
        for entry in sorted(group_dir.iterdir(), key=lambda p: p.name):
            if entry.name.endswith(".json.gz"):
                yield group_dir.name, entry.name.removesuffix(".json.gz")


@cache
def packaged_crd(group: str, kind: str) -> PackagedCrd | None:
    """The packaged CRD for ``group``/``kind``, read on first use."""
    if not _GROUP.match(group) or not kind.isalnum():
        return None  # also keeps names from the input out of file paths
    ref = resources.files(__package__).joinpath(PACKAGED_DIR).joinpath(group)
    ref = ref.joinpath(f"{kind.lower()}.json.gz")
    try:
        data = json.loads(gzip.decompress(ref.read_bytes()))
    except (FileNotFoundError, NotADirectoryError):
        return None
    body = data["crd"]
    if body["spec"]["names"]["kind"] != kind:
        return None  # kinds are case-sensitive: "rollout" is not a kind the API server knows
    return PackagedCrd(group, kind, data["source"], body)
