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
_flat_encoders: dict[int, Callable[[Any], str]] = {}
_CONTAINERS = (dict, list, tuple)


def _encoder(item_separator: str) -> Callable[[Any], str]:
    """``json.JSONEncoder(ensure_ascii=False, separators=(item_separator, ": ")).encode``,
    calling the C encoder the standard library builds for it directly: ``encode`` builds a
    new one on every call (with Python glue around it), which was half the cost of writing a
    report of 15,000 small findings."""
    make = getattr(json.encoder, "c_make_encoder", None)
    standard = json.JSONEncoder(ensure_ascii=False, separators=(item_separator, ": "))
    if make is None:  # no C accelerator: the standard encoder, as it is
        return standard.encode
    encode = make(
        None,  # no circular-reference markers: a finding's record has no cycles
        standard.default,
        json.encoder.encode_basestring,
        None,
        ": ",
        item_separator,
        False,
        False,
        True,
    )

    def encoded(value: Any) -> str:
        if isinstance(value, str):  # as JSONEncoder.encode does
            return json.encoder.encode_basestring(value)
        return "".join(encode(value, 0))

    return encoded


_compact = _encoder(", ")


def dumps_indented(value: Any, level: int = 0) -> str:
    """``value``'s text, as written ``level`` containers deep in a larger document."""
    out: list[str] = []
    _write(value, level, out)
    return "".join(out)


def _write(value: Any, level: int, out: list[str]) -> None:
    """Append ``value``'s text at nesting ``level`` to ``out`` (joined once, at the end: a
    report is megabytes, and joining per level would copy it once per level)."""
    if not isinstance(value, _CONTAINERS) or not value:
        out.append(_compact(value))
        return
    items = value.values() if isinstance(value, dict) else value
    inner = "\n" + _INDENT * (level + 1)
    closing = "\n" + _INDENT * level
    if not any([item for item in items if item and isinstance(item, _CONTAINERS)]):
        encoded = _flat_encoder(level)(value)
        out += (encoded[0], inner, encoded[1:-1], closing, encoded[-1])
        return
    separator = "," + inner
    if isinstance(value, dict):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            out += (separator if index else inner, _key(key), ": ")
            _write(item, level + 1, out)
        out += (closing, "}")
    else:
        out.append("[")
        for index, item in enumerate(value):
            out.append(separator if index else inner)
            _write(item, level + 1, out)
        out += (closing, "]")


def _flat_encoder(level: int) -> Callable[[Any], str]:
    encoder = _flat_encoders.get(level)
    if encoder is None:
        encoder = _flat_encoders[level] = _encoder(",\n" + _INDENT * (level + 1))
    return encoder


def _key(key: Any) -> str:
    """A key as the encoder writes it: strings as themselves, scalars as their JSON text."""
    if isinstance(key, str):
        return _compact(key)
    # {key: 0} encodes the key the way json.dumps converts it (True -> "true", 1.5 -> "1.5").
    return _compact({key: 0})[1:-4]
