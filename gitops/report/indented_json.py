"""``json.dumps(value, indent=2, ensure_ascii=False)``, written by the C encoder.

The standard library only uses its C encoder without ``indent``; the indenting encoder is
pure Python and took longer than the lint run itself for reports with many findings. Here
every container whose items are all scalars (or empty containers) is one C call with the
indentation as its item separator, and only the containers above those are joined in Python.
The output is byte-for-byte what ``json.dumps`` writes (a test compares the two).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

_INDENT = "  "
_compact = json.JSONEncoder(ensure_ascii=False).encode
_flat_encoders: dict[int, Callable[[Any], str]] = {}
_CONTAINERS = (dict, list, tuple)


def dumps_indented(value: Any) -> str:
    return _dumps(value, 0)


def _dumps(value: Any, level: int) -> str:
    if not isinstance(value, _CONTAINERS) or not value:
        return _compact(value)
    items = value.values() if isinstance(value, dict) else value
    inner = "\n" + _INDENT * (level + 1)
    if not any([item for item in items if item and isinstance(item, _CONTAINERS)]):
        encoded = _flat_encoder(level)(value)
        return encoded[0] + inner + encoded[1:-1] + "\n" + _INDENT * level + encoded[-1]
    if isinstance(value, dict):
        parts = [f"{_key(key)}: {_dumps(item, level + 1)}" for key, item in value.items()]
        opening, closing = "{", "}"
    else:
        parts = [_dumps(item, level + 1) for item in value]
        opening, closing = "[", "]"
    return opening + inner + ("," + inner).join(parts) + "\n" + _INDENT * level + closing


def _flat_encoder(level: int) -> Callable[[Any], str]:
    encoder = _flat_encoders.get(level)
    if encoder is None:
        separator = ",\n" + _INDENT * (level + 1)
        encoder = _flat_encoders[level] = json.JSONEncoder(
            ensure_ascii=False, separators=(separator, ": ")
        ).encode
    return encoder


def _key(key: Any) -> str:
    """A key as the encoder writes it: strings as themselves, scalars as their JSON text."""
    if isinstance(key, str):
        return _compact(key)
    # {key: 0} encodes the key the way json.dumps converts it (True -> "true", 1.5 -> "1.5").
    return _compact({key: 0})[1:-4]
