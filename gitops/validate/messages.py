"""Schema errors as one readable line each, pointing at the offending field.

The schema library reports the keyword that failed, the instance path and the values
involved; this module turns that into what a reviewer needs: the field (as a kubectl-style
path), what was expected, what was found, and for an unknown field the nearest known name.
An unknown-field error names the field itself, so its line is the typo's line.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gitops.k8s.sensitive import describe_hidden, is_sensitive_path
from gitops.validate.formats import FORMAT_HINTS

UNKNOWN_FIELD = "unknown-field"
INVALID_VALUE = "invalid-field-value"
MISSING_FIELD = "missing-required-field"

JsonPath = tuple[str | int, ...]
SchemaAt = Callable[[Any], Mapping[str, Any] | None]
"""The schema object a failed keyword belongs to (given the error), for suggestions."""

_SHOWN = 60
_TYPE_NAMES = {
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "boolean": "true or false",
    "object": "an object (a mapping)",
    "array": "a list",
}


@dataclass(frozen=True)
class SchemaProblem:
    rule: str
    """UNKNOWN_FIELD, INVALID_VALUE or MISSING_FIELD."""
    path: JsonPath
    message: str


def display_path(path: Sequence[str | int]) -> str:
    """``("spec", "containers", 0, "image")`` -> ``spec.containers[0].image``."""
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        elif text:
            text += f".{step}" if _plain(step) else f"[{json.dumps(step)}]"
        else:
            text = step if _plain(step) else f"[{json.dumps(step)}]"
    return text or "(object)"


def _plain(step: str) -> bool:
    return bool(step) and all(c.isalnum() or c in "-_" for c in step)


def describe(value: Any) -> str:
    """A short, typed rendering of ``value`` for a message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"number {value}"
    if isinstance(value, str):
        shown = json.dumps(value if len(value) <= _SHOWN else value[:_SHOWN] + "...")
        return f"string {shown}"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return f"a list of {len(value)} item(s)"
    return repr(value)


def problems_of(error: Any, schema_at: SchemaAt, body: Any = None) -> list[SchemaProblem]:
    """Readable problems for one ``jsonschema_rs.ValidationError``; the value is shown as the
    object holds it (the library's copy turns, e.g., ``.nan`` into null)."""
    path: JsonPath = tuple(error.instance_path)
    where = display_path(path)
    kind = error.kind.name
    facts = error.kind.as_dict()
    value = _at(body, path, error.instance)
    hidden = is_sensitive_path(body, path)
    if kind == "additionalProperties":
        known = _known_fields(schema_at(error))
        return [
            SchemaProblem(UNKNOWN_FIELD, (*path, name), _unknown(name, where, known))
            for name in facts.get("unexpected") or []
        ]
    if kind == "required":
        field = facts.get("property")
        place = "" if not path else f" in {where}"
        return [
            SchemaProblem(MISSING_FIELD, path, f"missing required field {json.dumps(field)}{place}")
        ]
    if hidden:
        return [
            SchemaProblem(INVALID_VALUE, path, f"{where}: {_invalid_hidden(kind, facts, value)}")
        ]
    return [SchemaProblem(INVALID_VALUE, path, f"{where}: {_invalid(kind, facts, value, error)}")]


def _at(body: Any, path: JsonPath, default: Any) -> Any:
    node = body
    for step in path:
        in_list = isinstance(node, list) and isinstance(step, int) and step < len(node)
        if not (in_list or (isinstance(node, dict) and step in node)):
            return default
        node = node[step]
    return node if body is not None else default


def _unknown(name: str, where: str, known: Sequence[str]) -> str:
    place = "at the top level" if where == "(object)" else f"in {where}"
    text = f"unknown field {json.dumps(name)} {place}"
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.7)
    if not close:
        close = [k for k in known if k.lower() == name.lower()]
    return text + (f"; did you mean {json.dumps(close[0])}?" if close else "")


def _known_fields(schema: Mapping[str, Any] | None) -> list[str]:
    properties = schema.get("properties") if schema else None
    return sorted(properties) if isinstance(properties, dict) else []


def _invalid_hidden(kind: str, facts: Mapping[str, Any], value: Any) -> str:
    """The problem with a Secret value, without the value (nor a schema message quoting it)."""
    shown = describe_hidden(value)
    if kind == "type":
        types = facts.get("types") or [facts.get("type")]
        wanted = [_TYPE_NAMES.get(t, t) for t in types if t != "null"]
        return f"expected {' or '.join(wanted)}, got {shown}"
    if kind == "format":
        hint = FORMAT_HINTS.get(str(facts.get("format")), f"a valid {facts.get('format')}")
        return f"{shown} is not {hint}"
    return f"{shown} fails the schema's {kind} check"


def _invalid(kind: str, facts: Mapping[str, Any], value: Any, error: Any) -> str:
    if kind == "type":
        types = facts.get("types") or [facts.get("type")]
        wanted = [_TYPE_NAMES.get(t, t) for t in types if t != "null"]
        return f"expected {' or '.join(wanted)}, got {describe(value)}"
    if kind == "format":
        hint = FORMAT_HINTS.get(str(facts.get("format")), f"a valid {facts.get('format')}")
        return f"{describe(value)} is not {hint}"
    if kind == "enum":
        options = facts.get("options") or []
        shown = ", ".join(json.dumps(o) for o in options[:10]) + (
            ", ..." if len(options) > 10 else ""
        )
        return f"{describe(value)} is not one of {shown}"
    if kind == "const":
        expected = json.dumps(facts.get("expected_value"), default=str)
        return f"expected {expected}, got {describe(value)}"
    if kind == "pattern":
        if "pattern" not in facts:  # the regex engine gave up (backtracking limit)
            return (
                f"{describe(value)} could not be checked against the schema's pattern "
                f"({facts.get('error', 'the pattern cannot be evaluated')}); simplify the "
                "pattern or the value"
            )
        return f"{describe(value)} does not match the pattern {facts['pattern']}"
    limits = {
        "minimum": "less than the minimum",
        "maximum": "greater than the maximum",
        "exclusiveMinimum": "not greater than",
        "exclusiveMaximum": "not less than",
    }
    if kind in limits:
        return f"{describe(value)} is {limits[kind]} {facts.get('limit')}"
    sizes = {
        "minItems": ("at least", "item(s)"),
        "maxItems": ("at most", "item(s)"),
        "minLength": ("at least", "character(s)"),
        "maxLength": ("at most", "character(s)"),
        "minProperties": ("at least", "field(s)"),
        "maxProperties": ("at most", "field(s)"),
    }
    if kind in sizes:
        bound, unit = sizes[kind]
        return f"{describe(value)} must have {bound} {facts.get('limit')} {unit}"
    if kind == "uniqueItems":
        return f"{describe(value)} has duplicate items; each item must be unique"
    if kind == "oneOf" and not any(facts.get("context") or [[1]]):
        return f"{describe(value)} matches more than one of the allowed forms (oneOf)"
    if kind in ("anyOf", "oneOf"):
        return f"{describe(value)} matches none of the allowed forms ({kind})"
    message = str(error.message).splitlines()[0]
    return message if len(message) <= 200 else message[:200] + "..."


# The same wording for errors another engine found (gitops.validate.kubeconform_output).


def unknown_field(name: str, where: str, known: Sequence[str]) -> str:
    """The message for the unknown field ``name`` in ``where``, suggesting one of ``known``."""
    return _unknown(name, where, known)


def known_fields(schema: Mapping[str, Any] | None) -> list[str]:
    """The field names ``schema`` defines (for "did you mean")."""
    return _known_fields(schema)


def invalid(kind: str, facts: Mapping[str, Any], value: Any) -> str:
    """The message for a failed ``kind`` keyword (facts as jsonschema-rs names them)."""
    return _invalid(kind, facts, value, None)
