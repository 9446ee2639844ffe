"""Every exit-2 error the render side raises carries a fix (issue 8, Build 7): found by reading
the source, so a new error without one fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

ERRORS = {"ConfigError", "SourceError", "RenderError", "GitopsError"}
MODULES = [
    *(
        ROOT / "gitops" / "render" / f"{name}.py"
        for name in ("apps", "build", "envs", "lock", "objects", "rendered", "synth", "user_code")
    ),
    ROOT / "gitops" / "settings.py",
    ROOT / "gitops" / "k8s" / "render_index.py",
]


ONE_LINE = {"no_config_repo"}
"""Errors whose one-line message already ends in the fix (their exact text is tested)."""


def _errors_without_fix(path: Path) -> list[int]:
    lines = []
    tree = ast.parse(path.read_text(), str(path))
    exempt = {
        id(call)
        for func in ast.walk(tree)
        if isinstance(func, ast.FunctionDef) and func.name in ONE_LINE
        for call in ast.walk(func)
    }
    for node in ast.walk(tree):
        if id(node) in exempt:
            continue
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
