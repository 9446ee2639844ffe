"""Canonical YAML for rendered manifests: the same data always gives the same bytes.

Why not ``yaml.dump``: PyYAML spends 2 ms per Deployment in its pure-Python emitter and
0.4 ms with libyaml (most of it in the Python representer), which alone would use most of
the render budget; and the two emitters are separate code paths, so output could depend on
whether a machine's PyYAML was built with libyaml. Rendered objects are JSON data (mappings
with string keys, lists, strings, numbers, booleans, null), for which a canonical emitter is
small. Quoting decisions reuse PyYAML's YAML 1.1 resolver and add the YAML 1.2 and Go
``yaml.v2`` spellings (``1e3``, ``0o17``, ``y``, ``n``), so every consumer reads a string
back as a string.

Layout: keys are sorted, except that a document starts with ``apiVersion``, ``kind`` and
``metadata``, and nested mappings start with ``name`` and ``namespace``; sequences are not
indented under their key (kubectl's style); multi-line strings use literal blocks (``|``);
everything else that is not safe as a plain scalar is double-quoted.

Speed: the walk dispatches on the exact JSON types first (``type(x) is dict``), and reaches
the ``Mapping``/``Sequence`` ABC checks, ten times slower, only for other types; keys are
sorted plainly and only mappings holding a key that goes first are re-sorted. Dumping is
the largest Python cost of a render: the 3,683 objects of the 100-apps benchmark repo took
0.28 s CPU before this and 0.17 s with it (same bytes).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from itertools import repeat
from typing import Any

import yaml.resolver

# Keys that go first, in this order (a dict: its keys view tests membership in C).
_TOP_FIRST = {"apiVersion": 0, "kind": 1, "metadata": 2}
_NESTED_FIRST = {"name": 0, "namespace": 1}
_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"
# Read as non-strings by YAML 1.2 core schema or Go yaml.v2, though PyYAML reads them as strings.
_OTHER_IMPLICIT = re.compile(
    r"^(?:[yYnN]|[-+]?(?:\.\d+|\d+(?:\.\d*)?)(?:[eE][-+]?\d+)?|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_PLAIN_FIRST = re.compile(r"[A-Za-z0-9_/.(]")
# Characters written as-is: YAML's printable set without the characters YAML 1.1 reads as
# line breaks (U+0085, U+2028, U+2029) or a byte-order mark (U+FEFF); others are escaped.
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
    "\U00010000-\U0010ffff]"
)


def dumps(document: Mapping[str, Any]) -> str:
    """One YAML document (no ``---``), ending in a newline."""
    if not document:
        return "{}\n"
    lines: list[str] = []
    _mapping(document, 0, lines, _TOP_FIRST)
    return "\n".join(lines) + "\n"


def _mapping(
    value: Mapping[str, Any],
    indent: int,
    lines: list[str],
    first: Mapping[str, int] = _NESTED_FIRST,
) -> None:
    pad = " " * indent
    if not all(map(isinstance, value, repeat(str))):
        bad = next(key for key in value if not isinstance(key, str))
        raise TypeError(f"mapping key {bad!r} is not a string")
    keys = sorted(value)
    if not first.keys().isdisjoint(value):  # those go first, in their order; the rest sorted
        keys = [k for k in first if k in value] + [k for k in keys if k not in first]
    for key in keys:
        item = value[key]
        head = f"{pad}{_string(key)}:"
        kind = type(item)
        # Exact JSON types first (what renders are made of); then any Mapping or sequence.
        if kind is str:
            if "\n" in item and _is_block(item):
                _block(head, item, indent + 2, lines)
            else:
                lines.append(f"{head} {_string(item)}")
        elif kind is dict or (kind is not list and isinstance(item, Mapping)):
            if item:
                lines.append(head)
                _mapping(item, indent + 2, lines)
            else:
                lines.append(f"{head} {{}}")
        elif kind is list or kind is tuple or _is_sequence(item):
            if item:
                lines.append(head)
                _sequence(item, indent, lines)
            else:
                lines.append(f"{head} []")
        elif isinstance(item, str) and _is_block(item):
            _block(head, item, indent + 2, lines)
        else:
            lines.append(f"{head} {_inline(item)}")


def _sequence(value: Sequence[Any], indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for item in value:
        kind = type(item)
        if kind is str:
            if "\n" in item and _is_block(item):
                _block(f"{pad}-", item, indent + 2, lines)
            else:
                lines.append(f"{pad}- {_string(item)}")
        elif kind is dict or (kind is not list and isinstance(item, Mapping)):
            if item:
                nested: list[str] = []
                _mapping(item, indent + 2, nested)
                lines.append(f"{pad}- {nested[0][indent + 2 :]}")
                lines.extend(nested[1:])
            else:
                lines.append(f"{pad}- {{}}")
        elif kind is list or kind is tuple or _is_sequence(item):
            if item:
                nested = []
                _sequence(item, indent + 2, nested)
                lines.append(f"{pad}- {nested[0][indent + 2 :]}")
                lines.extend(nested[1:])
            else:
                lines.append(f"{pad}- []")
        elif isinstance(item, str) and _is_block(item):
            _block(f"{pad}-", item, indent + 2, lines)
        else:
            lines.append(f"{pad}- {_inline(item)}")


def _is_sequence(value: Any) -> bool:
    return isinstance(value, list | tuple)


def _inline(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{}"
    if _is_sequence(value):
        return "[]"
    return _scalar(value)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return _string(value)
    raise TypeError(f"cannot write {type(value).__name__} {value!r} as YAML")


def _float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    # YAML 1.1 floats need a dot: 1e-05 -> 1.0e-05 (what PyYAML writes, too).
    if "." not in text and "e" in text:
        text = text.replace("e", ".0e", 1)
    return text


@lru_cache(maxsize=65536)
def _string(value: str) -> str:
    if _is_plain(value):
        return value
    text = json.dumps(value, ensure_ascii=False)
    if value.isascii() and "\x7f" not in value:  # json.dumps escaped \x00-\x1f
        return text
    return _NON_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _is_plain(value: str) -> bool:
    return (
        bool(value)
        and _PLAIN_FIRST.match(value) is not None
        and value.isascii()
        and value.isprintable()  # for ASCII: only \x20-\x7e
        and ": " not in value
        and " #" not in value
        and not value.endswith((" ", ":"))
        and _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == _STR_TAG  # type: ignore[no-untyped-call]
        and _OTHER_IMPLICIT.fullmatch(value) is None
    )


def _is_block(value: str) -> bool:
    """Multi-line text that a literal block scalar reproduces exactly."""
    if "\n" not in value or "\r" in value or not _printable(value):
        return False
    body = value.rstrip("\n")
    # YAML takes the block's indentation from its first non-empty line: that line must not
    # start with blanks of its own (an empty first line does not exempt the next one).
    if not body or body.lstrip("\n").startswith((" ", "\t")):
        return False
    # No line may end in blanks (a block would drop them).
    return not (body.endswith((" ", "\t")) or " \n" in body or "\t\n" in body)


_PRINTABLE_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n\r"


def _printable(value: str) -> bool:
    """No character :data:`_NON_PRINTABLE` matches; ASCII text is checked in C, a few times
    faster than the regular expression on the long rule expressions and dashboards."""
    if value.isascii():
        return not value.encode("ascii").translate(None, _PRINTABLE_ASCII)
    return _NON_PRINTABLE.search(value) is None


def _block(head: str, value: str, indent: int, lines: list[str]) -> None:
    body = value.rstrip("\n")
    trailing = len(value) - len(body)
    chomp = "-" if trailing == 0 else "" if trailing == 1 else "+"
    lines.append(f"{head} |{chomp}")
    pad = " " * indent
    lines.extend(f"{pad}{line}" if line else "" for line in body.split("\n"))
    lines.extend("" for _ in range(trailing - 1))
