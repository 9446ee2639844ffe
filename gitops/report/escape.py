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


class _Table(dict[int, str]):
    """``str.translate`` table of the characters to escape, filled in as characters are met
    (building it for all of Unicode up front costs 40 ms of every command's start-up)."""

    def __missing__(self, code: int) -> str:
        if _escaped(code):
            self[code] = _escape(code)
            return self[code]
        raise LookupError(code)  # translate keeps the character


def _escaped(code: int) -> bool:
    """Controls (C0, DEL, C1), format characters (bidi overrides, zero-width), line and
    paragraph separators, lone surrogates; not the soft hyphen. Only the BMP and the tag
    characters U+E0000-U+E007F are escaped."""
    if not (code < 0x10000 or 0xE0000 <= code < 0xE0080) or code == 0xAD:
        return False
    return unicodedata.category(chr(code)) in ("Cc", "Cf", "Zl", "Zp", "Cs")


_TABLE = _Table()


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


_NOT_PLAIN_ASCII = re.compile("[^\x00-\x7e]+")
"""Runs of characters to look at: DEL and everything beyond ASCII (a simple range, which the
regular expression engine scans fast; a class of the thousands of characters below is slow)."""


def _json_escape(match: re.Match[str]) -> str:
    run = match.group()
    if run.isprintable():
        return run
    return "".join(_json_escaped(c) if _escaped(ord(c)) else c for c in run)


def _json_escaped(char: str) -> str:
    units = char.encode("utf-16-be", "surrogatepass")
    return "".join(
        f"\\u{int.from_bytes(units[i : i + 2], 'big'):04x}" for i in range(0, len(units), 2)
    )


def json_safe(text: str) -> str:
    """JSON text with what JSON encoders leave as it is but a terminal acts on (DEL, C1
    controls, bidi overrides, line separators; JSON escapes C0 controls itself) written as
    ``\\uXXXX`` escapes: the same JSON value, safe to print."""
    if text.isascii() and "\x7f" not in text:
        return text
    return _NOT_PLAIN_ASCII.sub(_json_escape, text)
