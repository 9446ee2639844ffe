"""This repository's rendered/ validates clean, each file against its environment's version."""

from __future__ import annotations

import os

from click.testing import CliRunner

from gitops.cli import cli
from gitops.k8s.render_index import read_index
from gitops.settings import INDEX_PATH
from gitops.validate.config import ValidateSettings
from gitops.validate.run import validate
from tests.validate.helpers import REPO


def test_rendered_is_clean() -> None:
    index = read_index(REPO / INDEX_PATH, INDEX_PATH)
    outcome = validate(
        [str(REPO / "rendered")], root=REPO, settings=ValidateSettings(), index=index
    )
    shown = "\n".join(f"{f.path}:{f.line} {f.code} {f.message}" for f in outcome.findings)
    assert outcome.findings == [], shown
    assert outcome.objects > 50


def test_gitops_validate_defaults_to_rendered(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("0 errors, 0 warnings, 0 info; 0 suppressed; ")
    assert os.path.isdir(REPO / "rendered")
