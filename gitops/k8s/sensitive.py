"""Values that must never be printed: a Secret's ``data`` and ``stringData``.

Messages about such a value say what is wrong with it (its type, length and kinds of
characters) without the value; ``redact`` is the last line of defence for text that came
from elsewhere (a schema library's or kubeconform's message) and may quote it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

SECRET_FIELDS = ("data", "stringData")
HIDDEN = "<hidden: Secret value>"
_SHORTEST_REDACTED = 4
"""Shorter values are not searched for in free text (``a`` would hide every ``a``); messages
built here never show them anyway."""


def is_secret(body: Any) -> bool:
    return isinstance(body, dict) and body.get("kind") == "Secret"


def is_sensitive_path(body: Any, path: Sequence[str | int]) -> bool:
    """Is ``path`` (in the object ``body``) a Secret's data, or inside it?"""
    return bool(path) and path[0] in SECRET_FIELDS and is_secret(body)


def describe_hidden(value: Any) -> str:
    """What a message may say about a secret value: its type, length and character classes."""
    if isinstance(value, str):
        return f"a {len(value)}-character string ({character_classes(value)}; value hidden)"
    if isinstance(value, bool) or value is None:
        return "a boolean" if isinstance(value, bool) else "null"
    if isinstance(value, int | float):
        return f"{'a number' if isinstance(value, float) else 'an integer'} (value hidden)"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return f"a list of {len(value)} item(s)"
    return "a value (hidden)"


def character_classes(text: str) -> str:
    found = []
    for label, test in (
        ("letters", str.isalpha),
        ("digits", str.isdigit),
        ("whitespace", str.isspace),
    ):
        if any(test(c) for c in text):
            found.append(label)
    if any(not (c.isalnum() or c.isspace()) for c in text):
        found.append("other characters")
    return ", ".join(found) or "empty"


def secret_values(body: Any) -> list[str]:
    """Every scalar under a Secret's data fields, as text, longest first (for ``redact``)."""
    if not is_secret(body):
        return []
    found = {
        text
        for field in SECRET_FIELDS
        for text in _scalars(body.get(field))
        if len(text) >= _SHORTEST_REDACTED
    }
    return sorted(found, key=lambda t: (-len(t), t))


def _scalars(value: Any) -> Iterator[str]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack += item.values()
        elif isinstance(item, list):
            stack += item
        elif item is not None and not isinstance(item, bool):
            yield str(item)


def redact(text: str, values: Sequence[str]) -> str:
    """``text`` with each of ``values`` (and its JSON-escaped form) replaced by ``HIDDEN``."""
    for value in values:
        if value in text:
            text = text.replace(value, HIDDEN)
        escaped = value.encode("unicode_escape").decode("ascii").replace('"', '\\"')
        if escaped != value and escaped in text:
            text = text.replace(escaped, HIDDEN)
    return text
