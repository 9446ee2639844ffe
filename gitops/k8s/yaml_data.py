"""YAML documents to JSON data, keeping where each key and item starts.

libyaml's C composer gives a node tree with line and column marks; the functions here turn it
into plain data. Most Kubernetes documents use no anchors, aliases or merge keys ("plain"
documents): for those, ``build_plain`` records the position of every mapping key and
sequence item in a flat integer table while it builds, so a finding's line is a walk of the
table, and neither the node tree nor the text is kept; keys and short strings are interned
(they repeat across objects: a fifth less memory). Documents that do use them (or have
non-string keys) are built by ``build_shared``, which shares aliased values like PyYAML, and
their positions come from composing the text again when a finding asks (``Document``).
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from sys import intern as _intern
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _BOOL, _NULL, _FLOAT, _MERGE = (
    _TAG + t for t in ("str", "int", "bool", "null", "float", "merge")
)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_INTERN_LONGEST = 40
_RESOLVED: dict[str, str] = {}
_RESOLVED_MAX = 50_000
_RESOLVED_LONGEST = 64
"""At most this many distinct plain scalars, none longer than this, have their tag
remembered: keys and common values repeat, long text rarely does."""


class Loader(_BaseLoader):  # type: ignore[misc]
    """The C safe loader with cheaper tag resolution, which the C composer calls for every
    node: each distinct plain scalar is resolved once (regular expressions, in Python, were
    a fifth of composing; keys and common values repeat), collections get the default tag,
    and the path-resolver hooks are no-ops (this loader has no path resolvers, so that is
    what the inherited methods would do, only slower)."""

    yaml_path_resolvers: dict[Any, Any] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode:
            if not implicit[0]:
                return _STR
            tag = _RESOLVED.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(_RESOLVED) < _RESOLVED_MAX and len(value) <= _RESOLVED_LONGEST:
                    _RESOLVED[value] = tag
            return tag
        if kind is SequenceNode:
            return self.DEFAULT_SEQUENCE_TAG
        if kind is MappingNode:
            return self.DEFAULT_MAPPING_TAG
        return super().resolve(kind, value, implicit)

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


def compose(text: str) -> Node | None:
    return yaml.compose(text, Loader=Loader)


class DuplicateKey(Exception):
    def __init__(self, key: str, line: int, column: int, first: int) -> None:
        self.key, self.line, self.column, self.first = key, line, column, first


class BadScalar(Exception):
    """A scalar its explicit tag cannot construct, e.g. ``!!int abc``. The message does not
    quote the value: it may be a Secret's (the loader cannot tell yet)."""

    def __init__(self, node: ScalarNode, tag: str) -> None:
        self.line, self.column = node.start_mark.line + 1, node.start_mark.column + 1
        self.message = f"the {len(node.value)}-character value tagged {tag} is not a valid {tag}"


class TooDeep(Exception):
    """A document nested deeper than ``MAX_DEPTH`` collections."""

    def __init__(self, node: Node) -> None:
        self.line, self.column = node.start_mark.line + 1, node.start_mark.column + 1


class Recursive(Exception):
    """An alias inside the node it refers to (``&m {self: *m}``): no JSON value has that shape."""

    def __init__(self, node: Node) -> None:
        self.line, self.column = node.start_mark.line + 1, node.start_mark.column + 1


class BadMerge(Exception):
    """A merge key (``<<``) whose value is not a mapping or a list of mappings."""

    def __init__(self, node: Node) -> None:
        self.line, self.column = node.start_mark.line + 1, node.start_mark.column + 1


MAX_DEPTH = 200
"""Nested collections a document may have. Real objects stay far below (a CRD's schema is
the deepest, a few dozen); deeper input only costs every engine that walks it recursively."""


class _NotPlain(Exception):
    """The document needs ``build_shared``: a merge key, a non-string key, a duplicate key."""


def expanded_size(node: Node, memo: dict[int, int], depth: int = MAX_DEPTH) -> int:
    """Nodes ``node`` stands for once aliases are expanded (shared nodes counted per use);
    ``TooDeep`` past ``MAX_DEPTH``."""
    known = memo.get(id(node))
    if known is not None:
        return known
    if not depth:
        raise TooDeep(node)
    memo[id(node)] = 1  # cycles (recursive aliases) count once
    if isinstance(node, MappingNode):
        size = 1 + sum(
            expanded_size(k, memo, depth - 1) + expanded_size(v, memo, depth - 1)
            for k, v in node.value
        )
    elif isinstance(node, SequenceNode):
        size = 1 + sum(expanded_size(v, memo, depth - 1) for v in node.value)
    else:
        size = 1
    memo[id(node)] = size
    return size


def scalar(node: ScalarNode) -> Any:
    tag = node.tag
    if tag == _STR:
        return node.value
    try:
        if tag == _INT:
            value = node.value
            if value.isdecimal() and value[0] != "0":
                return int(value)
            return _CONSTRUCTOR.construct_yaml_int(node)
        if tag == _BOOL:
            return _CONSTRUCTOR.construct_yaml_bool(node)
        if tag == _NULL:
            return None
        if tag == _FLOAT:
            return _CONSTRUCTOR.construct_yaml_float(node)
    except (ValueError, KeyError, IndexError):
        raise BadScalar(node, tag.replace(_TAG, "!!")) from None
    # Timestamps, binary and custom tags stay text: Kubernetes reads them as strings.
    return node.value


def build_plain(node: Node) -> tuple[Any, array[int]] | None:
    """Data and position table of a document without aliases (the caller knows it has no
    anchors); None when it needs ``build_shared``.

    The table holds three integers per mapping key and sequence item, in document order:
    line, column, and the table index just past the entries of its value (its next sibling).
    """
    table: list[int] = []
    try:
        data = _plain(node, table, MAX_DEPTH)
    except _NotPlain:
        return None
    return data, array("i", table)


def _plain(node: Node, table: list[int], depth: int) -> Any:
    kind = type(node)
    if kind is ScalarNode:
        if node.tag != _STR:
            return scalar(node)  # type: ignore[arg-type]
        value = node.value
        return _intern(value) if len(value) <= _INTERN_LONGEST else value
    if not depth:
        raise TooDeep(node)
    depth -= 1
    if kind is MappingNode:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not ScalarNode or key_node.tag == _MERGE:
                raise _NotPlain
            key = _intern(key_node.value) if key_node.tag == _STR else scalar(key_node)
            if type(key) is not str or key in out:
                raise _NotPlain
            mark = key_node.start_mark
            at = len(table)
            table += (mark.line, mark.column, 0)
            out[key] = _plain(value_node, table, depth)
            table[at + 2] = len(table)
        return out
    items: list[Any] = []
    for child in node.value:
        mark = child.start_mark
        at = len(table)
        table += (mark.line, mark.column, 0)
        items.append(_plain(child, table, depth))
        table[at + 2] = len(table)
    return items


def build_shared(node: Node, memo: dict[int, Any], depth: int = MAX_DEPTH) -> Any:
    """JSON data from a composed node; aliases share the built value, like PyYAML. Raises
    ``Recursive`` for an alias inside its own anchor, ``TooDeep`` past ``MAX_DEPTH`` and
    ``BadMerge`` for a merge key of the wrong type."""
    built = memo.get(id(node))
    if built is not None:
        if built is _BUILDING:
            raise Recursive(node)
        return built
    if isinstance(node, ScalarNode):
        return scalar(node)
    if not depth:
        raise TooDeep(node)
    memo[id(node)] = _BUILDING
    if isinstance(node, MappingNode):
        out: dict[Any, Any] = {}
        lines: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged = build_shared(value_node, memo, depth - 1)
                parts = merged if isinstance(merged, list) else [merged]
                if not all(isinstance(part, dict) for part in parts):
                    raise BadMerge(value_node)
                for part in parts:
                    for k, v in part.items():
                        out.setdefault(k, v)
                continue
            key = build_shared(key_node, memo, depth - 1)
            if not isinstance(key, str | int | float | bool) and key is not None:
                key = str(key)
            if key in lines:
                raise DuplicateKey(
                    str(key),
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                    lines[key],
                )
            lines[key] = key_node.start_mark.line + 1
            out[key] = build_shared(value_node, memo, depth - 1)
        memo[id(node)] = out
        return out
    assert isinstance(node, SequenceNode)
    items = [build_shared(child, memo, depth - 1) for child in node.value]
    memo[id(node)] = items
    return items


_BUILDING = object()
"""Memo mark of a node being built: meeting it again means the node contains itself."""


class Document:
    """Where one document's keys and items are: its position table (plain documents) or its
    text, composed again on the first question (documents with aliases or merge keys)."""

    __slots__ = ("_data", "_node", "_root", "_table", "line_offset", "text")

    def __init__(
        self,
        line_offset: int,
        root_line: int,
        root_column: int,
        data: Any = None,
        table: array[int] | None = None,
        text: str | None = None,
    ) -> None:
        """``line_offset``: lines before the document in its file; ``root_line`` and
        ``root_column``: where its root node starts in its text (0-based); ``data`` and
        ``table`` from ``build_plain``, or else ``text`` to compose again."""
        self.line_offset = line_offset
        self._root = (root_line, root_column)
        self._data, self._table, self.text = data, table, text
        self._node: Node | None = None

    def locate(self, path: Sequence[str | int]) -> tuple[int, int]:
        """1-based line and column of the deepest existing node along ``path`` (for a
        mapping key, the key's position)."""
        line, column, _ = self.walk(path)
        return line, column

    def walk(self, path: Sequence[str | int]) -> tuple[int, int, int | None]:
        """``locate(path)``, and where the path goes on into a string (the number of its
        steps that lead to the string) or None: one walk for both, as every finding asks
        both (a path may continue into YAML held in a string). Documents with aliases say
        None: their data is not walked here."""
        if self._table is None:
            line, column = self._locate_composed(path)
            return line, column, None
        data, table, at = self._data, self._table, 0
        line, column = self._root
        steps = 0
        for step in path:
            if isinstance(data, dict) and isinstance(step, str):
                if step not in data:
                    break
                for key in data:
                    if key == step:
                        break
                    at = table[at + 2]
            elif isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data):
                for _ in range(step):
                    at = table[at + 2]
            else:
                break
            line, column = table[at], table[at + 1]
            data = data[step]
            at += 3
            steps += 1
        inside = steps if steps < len(path) and isinstance(data, str) else None
        return line + self.line_offset + 1, column + 1, inside

    def _locate_composed(self, path: Sequence[str | int]) -> tuple[int, int]:
        node = self._node
        if node is None:
            node = self._node = compose(self.text or "")
            if node is None:
                return self.line_offset + 1, 1
        best = (node.start_mark.line, node.start_mark.column)
        for step in path:
            child: Node | None = None
            if isinstance(node, MappingNode) and isinstance(step, str):
                for key, value in node.value:
                    if isinstance(key, ScalarNode) and key.value == step:
                        best = (key.start_mark.line, key.start_mark.column)
                        child = value
                        break
            elif (
                isinstance(node, SequenceNode)
                and isinstance(step, int)
                and 0 <= step < len(node.value)
            ):
                child = node.value[step]
                best = (child.start_mark.line, child.start_mark.column)
            if child is None:
                break
            node = child
        return best[0] + self.line_offset + 1, best[1] + 1
