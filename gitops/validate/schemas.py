"""Kubernetes' own JSON schemas, from the ``kubernetes-validate`` package, made to check what
the API server checks.

Each version directory holds one schema per kind (``<kind>-<group>-<version>.json``, the group
cut at its first dot) whose ``$ref``s point into a shared ``_definitions.json`` (addressed as
``https://kubernetes.io/api/_definitions.json``). Both are read lazily and rewritten once:

- IntOrString (a ``oneOf`` that rejects ``null`` and explains nothing) becomes
  ``type: [integer, string, null]``; Quantity becomes a string-or-number with the
  ``quantity`` format, so ``cpu: 1.5.0`` fails as it does at the API server;
- formats other than those in ``gitops.validate.formats`` are dropped (see there why).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from gitops.validate.formats import CHECKED_FORMATS, QUANTITY
from gitops.validate.versions import schema_root

DEFINITIONS_URI = "https://kubernetes.io/api/_definitions.json"
_DEFS = "#/$defs/"
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
OBJECT_META_REF = DEFINITIONS_URI + _DEFS + OBJECT_META
_REPLACED: dict[str, dict[str, Any]] = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"type": ["integer", "string", "null"]},
    "io.k8s.apimachinery.pkg.api.resource.Quantity": {
        "type": ["string", "number", "null"],
        "format": QUANTITY,
    },
}
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")


def _directory(version: str, strict: bool) -> str:
    return f"v{version}.0-local" + ("-strict" if strict else "")


@cache
def definitions(version: str, strict: bool) -> dict[str, Any]:
    """The version's ``_definitions.json``, rewritten (module docstring)."""
    path = schema_root() / _directory(version, strict) / "_definitions.json"
    document: dict[str, Any] = json.loads(path.read_bytes())
    defs = document["$defs"]
    for name, schema in _REPLACED.items():
        if name in defs:
            defs[name] = json.loads(json.dumps(schema))
    for name in defs:
        defs[name] = prune_formats(defs[name])
    return document


@cache
def _kinds(version: str, strict: bool) -> Mapping[tuple[str, str], tuple[str, ...]]:
    """(group, kind) -> the versions the API server serves, from the definitions."""
    served: dict[tuple[str, str], list[str]] = {}
    for schema in definitions(version, strict)["$defs"].values():
        gvks = schema.get("x-kubernetes-group-version-kind")
        if isinstance(gvks, list) and "kind" in schema.get("properties", {}):
            for gvk in gvks:
                served.setdefault((gvk["group"], gvk["kind"]), []).append(gvk["version"])
    return {key: tuple(sorted(set(versions))) for key, versions in served.items()}


def served_versions(version: str, strict: bool, group: str, kind: str) -> tuple[str, ...]:
    """Versions of ``group``/``kind`` that Kubernetes ``version`` serves; () for no such kind."""
    return _kinds(version, strict).get((group, kind), ())


@cache
def kind_schema(
    version: str, strict: bool, group: str, api: str, kind: str
) -> dict[str, Any] | None:
    """The schema for objects of ``group/api`` ``kind`` in Kubernetes ``version``, or None."""
    if api not in served_versions(version, strict, group, kind):
        return None
    label = f"-{group.split('.')[0]}" if group else ""
    name = f"{kind.lower()}{label}-{api}.json"
    path = schema_root() / _directory(version, strict) / name
    try:
        schema: dict[str, Any] = prune_formats(json.loads(path.read_bytes()))
    except FileNotFoundError:
        return None
    return schema


def prune_formats(schema: Any) -> Any:
    """``schema`` without the ``format``s the validator does not check (in place)."""
    if not isinstance(schema, dict):
        return schema
    if "format" in schema and schema["format"] not in CHECKED_FORMATS:
        del schema["format"]
    for key, value in schema.items():
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            for sub in value.values():
                prune_formats(sub)
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            for sub in value:
                prune_formats(sub)
        elif isinstance(value, dict):
            prune_formats(value)
    return schema


def standalone(schema: Mapping[str, Any], version: str, strict: bool) -> dict[str, Any]:
    """``schema`` with every Kubernetes definition it reaches copied into its own ``$defs``, so
    that it needs no other file (what kubeconform reads from a local schema location)."""
    defs = definitions(version, strict)["$defs"]
    needed: dict[str, Any] = {}

    def rewrite(node: Any, in_definitions: bool) -> Any:
        if isinstance(node, list):
            return [rewrite(item, in_definitions) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and _is_definition(value, in_definitions):
                name = value.split(_DEFS, 1)[1]
                out[key] = _DEFS + name
                if name not in needed and name in defs:
                    needed[name] = None  # reserve first: definitions refer to each other
                    needed[name] = rewrite(defs[name], True)
            elif key != "$id":
                out[key] = rewrite(value, in_definitions)
        return out

    bundled: dict[str, Any] = rewrite(schema, False)
    bundled["$defs"] = {**bundled.get("$defs", {}), **dict(sorted(needed.items()))}
    return bundled


def _is_definition(ref: str, in_definitions: bool) -> bool:
    base, _, fragment = ref.partition("#")
    if not ("#" + fragment).startswith(_DEFS):
        return False
    return base in (DEFINITIONS_URI, "/api/_definitions.json") or (in_definitions and not base)
