"""kubeconform's JSON output, read back into the built-in engine's problems.

kubeconform 0.7.0 (jsonschema v6 inside) puts only the top-level cause in ``validationErrors``
(``/spec: validation failed``); every individual error is in the resource's ``msg``, as
``- at '<json pointer>': <reason>`` entries nested by indentation (two spaces a level, the
newlines turned into spaces), several names in one entry for ``additional properties 'a', 'b'
not allowed`` and ``missing properties 'x', 'y'``. This module splits that text into entries,
keeps the leaves (a ``validation failed`` entry only groups its children; an ``anyOf``/``oneOf``
failure is one problem, as in the built-in engine) and turns each into the problems the
built-in engine reports for the same error: one per unknown field (with its "did you mean"),
one per missing field, one message per invalid value, worded the same way.

Older kubeconform versions listed each error in ``validationErrors``; those are read when the
message holds no entries. See ``../shared/corpus/kubeconform-output/`` for real output.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gitops.validate import messages
from gitops.validate.formats import FORMAT_HINTS
from gitops.validate.messages import (
    INVALID_VALUE,
    MISSING_FIELD,
    UNKNOWN_FIELD,
    JsonPath,
    SchemaProblem,
    display_path,
)

_ENTRY = re.compile(r"(\s*)- at '((?:[^'\\]|\\.)*)': ")
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")
_GOT_WANT = re.compile(r"^(\w+): got (\S+), want (\S+)$")
_GROUPS = ("validation failed", "allOf failed")
_ALTERNATIVES = ("anyOf failed", "oneOf failed")
_LIMITS = frozenset(
    {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
    | {f"{bound}{what}" for bound in ("min", "max") for what in ("Items", "Length", "Properties")}
)


@dataclass(frozen=True)
class Entry:
    """One ``- at '<pointer>': <reason>`` line of kubeconform's message."""

    depth: int
    pointer: str
    reason: str


def entries(message: str) -> list[Entry]:
    """The ``- at`` entries of ``message``, in order, with their nesting depth (0 = top)."""
    text = message.replace("\r", "").replace("\n", " ")
    found = list(_ENTRY.finditer(text))
    out = []
    for number, match in enumerate(found):
        end = found[number + 1].start() if number + 1 < len(found) else len(text)
        # The first entry follows "with '<schema>#'" and one space; each nested level adds two.
        depth = max(0, (len(match.group(1)) - 1) // 2)
        out.append(Entry(depth, _unquote(match.group(2)), text[match.end() : end].strip()))
    return out


def leaves(found: Sequence[Entry]) -> list[Entry]:
    """The entries that are errors in their own right (module docstring)."""
    out: list[Entry] = []
    skip_below: int | None = None
    for number, entry in enumerate(found):
        if skip_below is not None:
            if entry.depth > skip_below:
                continue
            skip_below = None
        has_children = number + 1 < len(found) and found[number + 1].depth > entry.depth
        if entry.reason.startswith(_ALTERNATIVES):
            out.append(entry)
            skip_below = entry.depth
        elif not (has_children and entry.reason.startswith(_GROUPS)):
            out.append(entry)
    return out


def resource_problems(
    resource: Mapping[str, Any], body: Any, schema: Mapping[str, Any] | None
) -> list[SchemaProblem]:
    """The problems one kubeconform result holds for the object ``body`` (whose standalone
    schema is ``schema``, to name the known fields of an unknown one)."""
    message = str(resource.get("msg") or "")
    found = [(e.pointer, e.reason) for e in leaves(entries(message))]
    if not found:
        errors = resource.get("validationErrors") or []
        found = [(str(e.get("path", "")), str(e.get("msg", ""))) for e in errors]
    if not found:
        found = [("", message)]
    return [p for pointer, reason in found for p in problems(body, pointer, reason, schema)]


def problems(
    body: Any, pointer: str, reason: str, schema: Mapping[str, Any] | None = None
) -> list[SchemaProblem]:
    """The built-in engine's problems for one kubeconform error at ``pointer``."""
    path = json_path(body, pointer)
    where = display_path(path)
    value = _at(body, path)
    names = [_unquote(n) for n in _QUOTED.findall(reason)]
    if reason.startswith("additional propert") and names:
        known = messages.known_fields(schema_at(schema, path))
        return [
            SchemaProblem(UNKNOWN_FIELD, (*path, name), messages.unknown_field(name, where, known))
            for name in names
        ]
    if reason.startswith("missing propert") and names:
        place = "" if not path else f" in {where}"
        return [
            SchemaProblem(MISSING_FIELD, path, f"missing required field {json.dumps(name)}{place}")
            for name in names
        ]
    kind, facts = _kind(reason, names, schema_at(schema, path))
    if kind is None:
        return [SchemaProblem(INVALID_VALUE, path, f"{where}: {reason}")]
    return [SchemaProblem(INVALID_VALUE, path, f"{where}: {messages.invalid(kind, facts, value)}")]


def _kind(
    reason: str, names: Sequence[str], schema: Mapping[str, Any] | None
) -> tuple[str | None, dict[str, Any]]:
    """The jsonschema keyword and facts (as the built-in engine's library names them)."""
    if reason.startswith("got ") and ", want " in reason:
        return "type", {"types": reason.split(", want ", 1)[1].split(" or ")}
    if reason.startswith("value must be "):
        if schema is not None and "const" in schema:
            return "const", {"expected_value": schema["const"]}
        if schema is not None and isinstance(schema.get("enum"), list):
            return "enum", {"options": schema["enum"]}
        rest = reason.removeprefix("value must be ").removeprefix("one of ")
        return "enum", {"options": [_literal(o) for o in _split_values(rest)]}
    if " does not match pattern " in reason and names:
        if schema is not None and schema.get("format") in FORMAT_HINTS:
            return "format", {"format": schema["format"]}  # a pattern the engine added
        return "pattern", {"pattern": names[-1]}
    if " is not valid " in reason:
        fmt = reason.rsplit(" is not valid ", 1)[1].split(":", 1)[0].strip()
        return "format", {"format": fmt}
    if reason.startswith("items at ") and reason.endswith(" are equal"):
        return "uniqueItems", {}
    if reason.startswith("oneOf failed, subschemas"):
        return "oneOf", {"context": []}
    if reason.startswith("oneOf failed"):
        return "oneOf", {"context": [[1]]}
    if reason.startswith("anyOf failed"):
        return "anyOf", {}
    limit = _GOT_WANT.match(reason)
    if limit and limit.group(1) in _LIMITS:
        return limit.group(1), {"limit": _literal(limit.group(3))}
    return None, {}


def json_path(body: Any, pointer: str) -> JsonPath:
    """A JSON pointer into ``body`` as a path; list indexes become integers."""
    steps: list[str | int] = []
    node = body
    for raw in pointer.split("/")[1:] if pointer.startswith("/") else []:
        step = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and step.isdigit():
            steps.append(int(step))
            node = node[int(step)] if int(step) < len(node) else None
        else:
            steps.append(step)
            node = node.get(step) if isinstance(node, dict) else None
    return tuple(steps)


def schema_at(schema: Mapping[str, Any] | None, path: JsonPath) -> Mapping[str, Any] | None:
    """The subschema of a standalone schema (local ``#/$defs/`` references) that checks the
    value at ``path``, or None when it cannot be followed."""
    if schema is None:
        return None
    root = schema
    node: Mapping[str, Any] | None = _resolve(root, schema)
    for step in path:
        if node is None:
            return None
        node = _resolve(root, _child(root, node, step))
    return node


def _child(root: Mapping[str, Any], node: Mapping[str, Any], step: str | int) -> Any:
    if isinstance(step, int):
        items = node.get("items")
        return items if isinstance(items, dict) else None
    properties = node.get("properties")
    if isinstance(properties, dict) and step in properties:
        return properties[step]
    additional = node.get("additionalProperties")
    if isinstance(additional, dict):
        return additional
    for part in node.get("allOf") or []:
        found = _child(root, _resolve(root, part) or {}, step)
        if found is not None:
            return found
    return None


def _resolve(root: Mapping[str, Any], node: Any) -> Mapping[str, Any] | None:
    for _ in range(64):  # definitions refer to definitions; never loop forever
        if not isinstance(node, dict):
            return None
        ref = node.get("$ref")
        if not isinstance(ref, str):
            parts = node.get("allOf")
            if "properties" not in node and isinstance(parts, list) and len(parts) == 1:
                node = parts[0]
                continue
            return node
        if not ref.startswith("#/$defs/"):
            return None
        node = (root.get("$defs") or {}).get(ref.removeprefix("#/$defs/"))
    return None


def _at(body: Any, path: JsonPath) -> Any:
    node = body
    for step in path:
        in_list = isinstance(node, list) and isinstance(step, int) and step < len(node)
        if not (in_list or (isinstance(node, dict) and step in node)):
            return None
        node = node[step]
    return node


def _unquote(text: str) -> str:
    """Go's ``%q`` with ``'`` quoting (jsonschema v6's ``quote``) back to the text."""
    if "\\" not in text:
        return text
    try:
        value = json.loads('"' + text.replace("\\'", "'").replace('"', '\\"') + '"')
    except ValueError:
        return text
    return value if isinstance(value, str) else text


def _split_values(text: str) -> list[str]:
    return [m.group(0) for m in re.finditer(r"'(?:[^'\\]|\\.)*'|[^,\s][^,]*", text)]


def _literal(text: str) -> Any:
    text = text.strip()
    if text.startswith("'") and text.endswith("'") and len(text) >= 2:
        return _unquote(text[1:-1])
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return {"true": True, "false": False, "<nil>": None}.get(text, text)
