"""Typed reads of fields in objects that nothing has validated yet.

Lint runs on any YAML, so a field may hold any type: ``labels`` may have integer keys, a
``spec`` may be a list, a selector ``key`` a mapping. Rules read fields through these
accessors, so a value of the wrong type reads as "not set" (the validator reports the type
error) and never raises. Each accessor takes the parent (of any type) and a key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

_EMPTY: Mapping[str, Any] = {}


def as_mapping(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a mapping, else an empty one."""
    return value if isinstance(value, dict) else _EMPTY


def get_mapping(parent: Any, key: str) -> Mapping[str, Any]:
    """``parent[key]`` when both are mappings, else an empty mapping."""
    if not isinstance(parent, dict):
        return _EMPTY
    value = parent.get(key)
    return value if isinstance(value, dict) else _EMPTY


def get_list(parent: Any, key: str) -> list[Any]:
    """``parent[key]`` when it is a list, else an empty one."""
    if not isinstance(parent, dict):
        return []
    value = parent.get(key)
    return value if isinstance(value, list) else []


def get_mappings(parent: Any, key: str) -> list[tuple[int, Mapping[str, Any]]]:
    """(index, item) of the mapping items of the list ``parent[key]``."""
    return [(i, item) for i, item in enumerate(get_list(parent, key)) if isinstance(item, dict)]


def get_str(parent: Any, key: str) -> str | None:
    """``parent[key]`` when it is a string, else None."""
    if not isinstance(parent, dict):
        return None
    value = parent.get(key)
    return value if isinstance(value, str) else None


def get_int(parent: Any, key: str) -> int | None:
    """``parent[key]`` when it is an integer (not a boolean), else None."""
    if not isinstance(parent, dict):
        return None
    value = parent.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def string_keyed(value: Any) -> Mapping[str, Any]:
    """The entries of a mapping whose keys are strings (labels, annotations, selectors: YAML
    allows ``80: x``, Kubernetes does not); an empty mapping for anything else."""
    if not isinstance(value, dict):
        return _EMPTY
    if all(type(key) is str for key in value):
        return value
    return {key: item for key, item in value.items() if isinstance(key, str)}


def string_map(value: Any) -> Mapping[str, str]:
    """Entries of a mapping with a string key and a string value (labels, annotations as
    Kubernetes stores them)."""
    keyed = string_keyed(value)
    if all(type(item) is str for item in keyed.values()):
        return keyed
    return {key: item for key, item in keyed.items() if isinstance(item, str)}


def canonical_json(value: Any) -> str:
    """``value`` as JSON text with sorted keys, for comparing two values: non-string keys
    (which ``json.dumps(sort_keys=True)`` cannot order against strings) are written as
    their ``repr``, so ``80`` and ``"80"`` stay different."""
    return json.dumps(_string_keys(value), sort_keys=True, default=str)


def _string_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k if type(k) is str else repr(k): _string_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_string_keys(v) for v in value]
    return value
