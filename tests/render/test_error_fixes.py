"""Every exit-2 error the render side raises carries a fix (issue 8, Build 7): found by reading
the source, so a new error without one fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

ERRORS = {"ConfigError", "SourceError", "RenderError", "GitopsError"}
MODULES = [
    *sorted((ROOT / "gitops" / "render").glob("*.py")),
    ROOT / "gitops" / "settings.py",
    ROOT / "gitops" / "k8s" / "render_index.py",
]


def _errors_without_fix(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ERRORS
            and not any(k.arg == "fix" for k in node.keywords)
        ):
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_error_raised_has_a_fix(path: Path) -> None:
    assert _errors_without_fix(path) == []
