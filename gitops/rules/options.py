"""Rule options: check user values against a rule's options dataclass, and describe its fields.

A rule's options are a frozen dataclass instance (its defaults). Config values come from TOML,
so they arrive as ``str``, ``int``, ``float``, ``bool``, ``list`` and ``dict``; this module
checks each against the field's type hint and converts arrays to the tuple or frozenset the
dataclass declares. The field docstrings (a string literal right after the field, the
convention our dataclasses already follow) become the option's documentation.
"""

from __future__ import annotations

import dataclasses
import inspect
import itertools
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gitops.rules.registry import Rule


class OptionError(ValueError):
    """An option that does not exist on the rule, or a value of the wrong type."""


@dataclass(frozen=True)
class OptionDoc:
    name: str
    type: str
    default: Any
    doc: str


def option_names(rule: Rule) -> list[str]:
    if rule.options is None:
        return []
    return [f.name for f in dataclasses.fields(rule.options)]


def check_options(rule: Rule, values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` converted to the types of ``rule``'s options; OptionError names the problem."""
    valid = option_names(rule)
    if not valid:
        raise OptionError(f"{rule.code} {rule.name} has no options")
    hints = typing.get_type_hints(type(rule.options))
    checked: dict[str, Any] = {}
    for key, value in values.items():
        if key not in valid:
            raise OptionError(
                f"unknown option {key!r} for {rule.code} {rule.name}; "
                f"valid options: {', '.join(valid)}"
            )
        try:
            checked[key] = _convert(value, hints[key])
        except TypeError:
            raise OptionError(
                f"option {key!r} of {rule.code} {rule.name} must be {_describe(hints[key])}, "
                f"got {value!r}; valid options: {', '.join(valid)}"
            ) from None
    return checked


def with_options(rule: Rule, values: Mapping[str, Any]) -> Any:
    """The rule's default options with checked ``values`` applied."""
    if not values:
        return rule.options
    return dataclasses.replace(rule.options, **values)


def _convert(value: Any, hint: Any) -> Any:
    """``value`` as ``hint`` describes it; TypeError when it does not fit."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        for arm in args:
            try:
                return _convert(value, arm)
            except TypeError:
                continue
        raise TypeError
    if hint is type(None):
        if value is None:
            return None
        raise TypeError
    if origin is typing.Literal:
        if value in args and type(value) in {type(a) for a in args}:
            return value
        raise TypeError
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise TypeError
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise TypeError
    if hint is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise TypeError
    if hint is str:
        if isinstance(value, str):
            return value
        raise TypeError
    if origin in (tuple, list, frozenset, set) or hint in (tuple, list, frozenset, set):
        if not isinstance(value, list | tuple):
            raise TypeError
        item = args[0] if args else Any
        items = [_convert(v, item) for v in value]
        container = origin or hint
        return frozenset(items) if container in (frozenset, set) else container(items)
    if origin in (dict, Mapping) or hint in (dict, Mapping):
        if not isinstance(value, dict):
            raise TypeError
        key_hint, value_hint = args if args else (Any, Any)
        return {_convert(k, key_hint): _convert(v, value_hint) for k, v in value.items()}
    if isinstance(hint, type) and isinstance(value, hint):
        return value
    raise TypeError


def _describe(hint: Any) -> str:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(a) for a in args)
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if origin in (tuple, list, frozenset, set):
        plural = {str: "strings", int: "integers", float: "numbers", bool: "booleans"}
        return f"a list of {plural.get(args[0], _describe(args[0])) if args else 'values'}"
    if origin in (dict, Mapping):
        return "a table"
    names = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}
    return names.get(hint, "None" if hint is type(None) else getattr(hint, "__name__", str(hint)))


def option_docs(rule: Rule) -> list[OptionDoc]:
    """Each option of ``rule``: name, type, default and the field's docstring."""
    if rule.options is None:
        return []
    cls = type(rule.options)
    hints = typing.get_type_hints(cls)
    docs = _field_docstrings(cls)
    return [
        OptionDoc(
            name=f.name,
            type=_describe(hints[f.name]),
            default=getattr(rule.options, f.name),
            doc=docs.get(f.name, ""),
        )
        for f in dataclasses.fields(rule.options)
    ]


def _field_docstrings(cls: type) -> dict[str, str]:
    import ast  # only documentation reads the source; keep it out of every command's start-up
    import textwrap

    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    body = ast.parse(source).body[0]
    if not isinstance(body, ast.ClassDef):
        return {}
    docs: dict[str, str] = {}
    statements = body.body
    for current, following in itertools.pairwise(statements):
        if (
            isinstance(current, ast.AnnAssign)
            and isinstance(current.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[current.target.id] = " ".join(following.value.value.split())
    return docs


def format_value(value: Any) -> str:
    """An option value as TOML would spell it (for docs and messages)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, tuple | list | frozenset | set):
        items = sorted(value, key=str) if isinstance(value, frozenset | set) else value
        return "[" + ", ".join(format_value(v) for v in items) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {format_value(v)}" for k, v in value.items()) + "}"
    return str(value)
