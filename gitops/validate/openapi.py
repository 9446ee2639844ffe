"""Turn a CRD's ``openAPIV3Schema`` into a JSON Schema (draft 2020-12) that checks what the
API server checks.

The API server reads a structural OpenAPI v3 schema with Kubernetes extensions; a JSON Schema
validator needs them spelled out:

- ``nullable`` and pruning: the API server drops ``null`` values of fields that are not
  nullable before validating, so ``null`` is accepted everywhere (as the core schemas do).
- ``x-kubernetes-int-or-string``: an integer or a string.
- ``x-kubernetes-preserve-unknown-fields``: unknown fields are kept, so they are allowed.
- strict mode: every other object that lists its ``properties`` rejects unknown fields, as
  ``kubectl apply`` (server-side field validation) does. Not inside ``allOf``/``anyOf``/
  ``oneOf``/``not``, whose branches list only some of the properties.
- OpenAPI 3.0's boolean ``exclusiveMinimum``/``exclusiveMaximum`` become numbers.
- ``metadata`` at the root is Kubernetes' ObjectMeta (``metadata_ref``), which the API server
  validates for every object; CRDs may only narrow ``name``, which JSON Schema cannot merge.

Descriptions, defaults, examples and the other ``x-kubernetes-*`` annotations carry no
constraint and are dropped. CEL rules (``x-kubernetes-validations``) are not evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitops.validate.formats import CHECKED_FORMATS

# "$ref" too: the API server refuses CRDs that use it, and it must never reach a file.
_DROPPED = frozenset(
    {"description", "default", "example", "externalDocs", "title", "xml", "$ref", "id"}
)
_JUNCTORS = ("allOf", "anyOf", "oneOf")
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions")
_SCHEMA_VALUES = ("additionalProperties", "items", "not", "propertyNames", "contains")


def crd_json_schema(
    openapi: Mapping[str, Any], *, strict: bool, metadata_ref: str | None = None
) -> dict[str, Any]:
    """The JSON Schema for one served version of a CRD, from its ``openAPIV3Schema``."""
    schema = _convert(openapi, strict=strict, in_junctor=False)
    # Every object has apiVersion, kind and metadata, whether or not the CRD lists them.
    properties = schema.setdefault("properties", {})
    if not isinstance(properties, dict):
        return schema  # e.g. "properties: null": compiling it reports the schema unusable
    for field in ("apiVersion", "kind"):
        properties.setdefault(field, {"type": ["string", "null"]})
    if metadata_ref is not None:
        properties["metadata"] = {"$ref": metadata_ref}
    else:
        properties.setdefault("metadata", {"type": ["object", "null"]})
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def strip_annotations(openapi: Any) -> Any:
    """``openapi`` without descriptions and examples (what the package stores: smaller)."""
    if isinstance(openapi, list):
        return [strip_annotations(item) for item in openapi]
    if not isinstance(openapi, dict):
        return openapi
    out: dict[str, Any] = {}
    for key, value in openapi.items():
        if key in ("description", "example", "externalDocs"):
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: strip_annotations(sub) for name, sub in value.items()}
        else:
            out[key] = strip_annotations(value)
    return out


def _convert(node: Mapping[str, Any], *, strict: bool, in_junctor: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    preserve = node.get("x-kubernetes-preserve-unknown-fields") is True
    for key, value in node.items():
        if not isinstance(key, str):
            key = str(key)  # "5:" is "5" once the API server reads the YAML as JSON
        if key in _DROPPED or key.startswith("x-") or key == "nullable":
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {
                str(name): _convert(sub, strict=strict, in_junctor=in_junctor)
                for name, sub in value.items()
                if isinstance(sub, dict)
            }
        elif key in _SCHEMA_VALUES and isinstance(value, dict):
            inner_junctor = in_junctor or key == "not"
            out[key] = _convert(value, strict=strict, in_junctor=inner_junctor)
        elif key in _JUNCTORS and isinstance(value, list):
            out[key] = [
                _convert(sub, strict=strict, in_junctor=True)
                for sub in value
                if isinstance(sub, dict)
            ]
        elif key in ("exclusiveMinimum", "exclusiveMaximum") and isinstance(value, bool):
            bound = "minimum" if key == "exclusiveMinimum" else "maximum"
            if value and bound in node:
                out[key] = node[bound]
        elif key == "format":
            if value in CHECKED_FORMATS:
                out[key] = value
        else:
            out[key] = value
    if out.get("exclusiveMinimum") is not None and node.get("exclusiveMinimum") is True:
        out.pop("minimum", None)
    if out.get("exclusiveMaximum") is not None and node.get("exclusiveMaximum") is True:
        out.pop("maximum", None)
    if node.get("x-kubernetes-int-or-string") is True:
        out["type"] = ["integer", "string"]
        # controller-gen adds anyOf [integer, string]: the type says the same, readably.
        any_of = out.get("anyOf", [])
        if isinstance(any_of, list) and all(set(sub) <= {"type"} for sub in any_of):
            out.pop("anyOf", None)
    if "type" in out:
        types = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = [*types, "null"] if "null" not in types else types
    embedded = node.get("x-kubernetes-embedded-resource") is True
    if embedded and isinstance(out.get("properties"), dict):
        for field in ("apiVersion", "kind"):
            out["properties"].setdefault(field, {"type": ["string", "null"]})
        out["properties"].setdefault("metadata", {"type": ["object", "null"]})
    if preserve:
        if out.get("additionalProperties") is False:
            del out["additionalProperties"]
    elif (
        strict
        and not in_junctor
        and isinstance(out.get("properties"), dict)
        and "additionalProperties" not in out
    ):
        out["additionalProperties"] = False
    return out
