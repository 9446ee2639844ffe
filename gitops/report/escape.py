"""Text from manifests made safe to print: no control characters reach a terminal or a CI log.

Object names, paths and messages (which quote values) come from files a pull request can
change. A newline there would start a new output line (in GitHub Actions, a ``::error``
workflow command), an ESC or OSC sequence would drive the terminal, a bidirectional override
would reorder what a reviewer reads. Each such character is shown as a Python-style escape
(``\\n``, ``\\x1b``, ``\\u202e``), so the text stays readable and unambiguous.
"""

from __future__ import annotations

import re
import unicodedata

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(code: int) -> str:
    char = chr(code)
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_TABLE = {
    code: _escape(code)
    for code in (*range(0x10000), *range(0xE0000, 0xE0080))
    if unicodedata.category(chr(code)) in ("Cc", "Cf", "Zl", "Zp", "Cs") and chr(code) != "\u00ad"
}
"""Controls (C0, DEL, C1), format characters (bidi overrides, zero-width), line and paragraph
separators, lone surrogates; not the soft hyphen."""


def printable(text: str) -> str:
    """``text`` with control and format characters escaped (most text has none: one check)."""
    if text.isprintable():
        return text
    return text.translate(_TABLE)


def line_start(text: str) -> str:
    """``printable(text)``, made safe to begin an output line: GitHub Actions runs a line
    that starts with ``::`` as a workflow command."""
    text = printable(text)
    return f"./{text}" if text.startswith(":") else text


_JSON_UNESCAPED = re.compile(
    "[" + "".join(re.escape(chr(code)) for code in _TABLE if code >= 0x7F) + "]"
)
"""What JSON encoders leave as it is but a terminal acts on: DEL, C1 controls, bidi overrides,
line separators (JSON itself escapes C0 controls)."""


def _json_escape(match: re.Match[str]) -> str:
    units = match.group().encode("utf-16-be", "surrogatepass")
    return "".join(
        f"\\u{int.from_bytes(units[i : i + 2], 'big'):04x}" for i in (0, 2)[: len(units) // 2]
    )


def json_safe(text: str) -> str:
    """JSON text with the characters of ``_JSON_UNESCAPED`` written as ``\\uXXXX`` escapes
    (the same JSON value, safe to print)."""
    return _JSON_UNESCAPED.sub(_json_escape, text)
