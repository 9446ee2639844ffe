"""Where the schema for an object comes from, in order: CRDs in the input, the configured CRD
files and schema directories, Kubernetes' own schemas, then the packaged CRDs.

A lookup answers with the schema and a label naming its source, with the versions a known kind
is served at (so an unserved ``apiVersion`` gets a precise message), or with nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitops.errors import ConfigError
from gitops.validate import schemas
from gitops.validate.crds import CrdVersion, crd_versions, packaged_crd
from gitops.validate.openapi import crd_json_schema

_ANY_OBJECT: Mapping[str, Any] = {"type": "object"}
_NAME = re.compile(r"^[A-Za-z0-9]{1,63}$")
"""A kind or version the API server could serve: a CRD's plural is a DNS label (63 characters
at most) and its kind no longer; longer input would also make too long a file name."""
_GROUP = re.compile(
    r"^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$"
)
"""A DNS subdomain, as an API group is."""
KUBERNETES = "kubernetes"
CRD = "crd"
SCHEMA_DIR = "schema-dir"


@dataclass(frozen=True)
class SchemaFound:
    schema: Mapping[str, Any]
    source: str
    """E.g. ``Kubernetes 1.31``, ``CRD crds/foo.yaml:1``, ``schemas/foo_v1.json``."""
    origin: str
    """KUBERNETES, CRD or SCHEMA_DIR."""
    base_uri: str | None = None
    """Where the schema's relative ``$ref``s resolve (schema directories only)."""


@dataclass(frozen=True)
class NotServed:
    """The kind is known, but not at this ``apiVersion``."""

    served: tuple[str, ...]
    """The versions that are served (``v1``, not ``apps/v1``)."""
    source: str
    unserved_by_crd: bool = False
    """The CRD lists the version with ``served: false`` (it was retired)."""


Lookup = SchemaFound | NotServed | None


class SchemaStore:
    def __init__(
        self,
        *,
        strict: bool,
        crds: Sequence[CrdVersion] = (),
        schema_dirs: Sequence[Path] = (),
    ) -> None:
        self.strict = strict
        self.schema_dirs = tuple(schema_dirs)
        self._crds: dict[tuple[str, str], dict[str, CrdVersion]] = {}
        for entry in crds:
            # The first definition of a version wins: callers list input CRDs first.
            self._crds.setdefault((entry.group, entry.kind), {}).setdefault(entry.version, entry)
        self._converted: dict[tuple[str, str, str, str], Mapping[str, Any]] = {}
        self._lookups: dict[tuple[str, str, str, str], Lookup] = {}

    def lookup(self, k8s: str, group: str, api: str, kind: str) -> Lookup:
        key = (k8s, group, api, kind)
        if key not in self._lookups:
            self._lookups[key] = self._lookup(k8s, group, api, kind)
        return self._lookups[key]

    def _lookup(self, k8s: str, group: str, api: str, kind: str) -> Lookup:
        if not (_NAME.match(kind) and _NAME.match(api) and (not group or _GROUP.match(group))):
            return None  # no such kind anywhere; and input never becomes a file path
        known = self._crds.get((group, kind))
        if known is not None:
            return self._from_crd(known, api)
        found = self._from_dirs(group, api, kind)
        if found is not None:
            return found
        core = schemas.kind_schema(k8s, self.strict, group, api, kind)
        if core is not None:
            return SchemaFound(core, f"Kubernetes {k8s}", KUBERNETES)
        served = schemas.served_versions(k8s, self.strict, group, kind)
        if served:
            return NotServed(served, f"Kubernetes {k8s}")
        packaged = packaged_crd(group, kind)
        if packaged is not None:
            versions = {v.version: v for v in crd_versions(packaged.body, packaged.label)}
            return self._from_crd(versions, api)
        return None

    def _from_crd(self, versions: Mapping[str, CrdVersion], api: str) -> Lookup:
        entry = versions.get(api)
        served = tuple(sorted(v for v, e in versions.items() if e.served))
        if entry is None or not entry.served:
            source = next(iter(versions.values())).source
            return NotServed(served, source, unserved_by_crd=entry is not None)
        key = (entry.group, entry.kind, entry.version, entry.source)
        schema = self._converted.get(key)
        if schema is None:
            openapi = entry.openapi if entry.openapi is not None else _ANY_OBJECT
            schema = crd_json_schema(
                openapi, strict=self.strict, metadata_ref=schemas.OBJECT_META_REF
            )
            self._converted[key] = schema
        return SchemaFound(schema, entry.source, CRD)

    def _from_dirs(self, group: str, api: str, kind: str) -> SchemaFound | None:
        lower = kind.lower()
        label = f"-{group.split('.')[0]}" if group else ""
        names = (f"{lower}{label}-{api}.json", f"{group}/{lower}_{api}.json", f"{lower}_{api}.json")
        for directory in self.schema_dirs:
            for name in names:
                path = directory / name
                try:
                    found = path.is_file()
                except OSError:
                    continue  # e.g. a name too long for the file system: no such schema
                if found:
                    try:
                        schema = json.loads(path.read_bytes())
                    except (OSError, ValueError) as exc:
                        raise ConfigError(f"{path}: not a readable JSON schema ({exc})") from None
                    return SchemaFound(
                        schemas.prune_formats(schema),
                        str(path),
                        SCHEMA_DIR,
                        base_uri=path.resolve().as_uri(),
                    )
        return None
