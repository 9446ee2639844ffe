"""A hand-edited render index is an exit-2 error with the fix, never a crash (issue 8, item 9)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gitops.errors import ExitCode
from tests.conftest import gitops


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d["files"].update({"rendered/dev/x.yaml": 5}), "is int 5, not an object"),
        (lambda d: d["files"].update({"rendered/dev/x.yaml": ["a"]}), "is list"),
        (lambda d: next(iter(d["files"].values())).update({"app": 7}), "has app = 7"),
        (lambda d: d["environments"].update({"dev": "x"}), "environments entry 'dev' is str"),
    ],
    ids=["int", "list", "int-field", "environment"],
)
@pytest.mark.parametrize("args", [("synth",), ("check",), ("lint",), ("validate",)])
def test_a_malformed_index_entry_is_a_usage_error(
    config_repo: Path, edit: Any, expected: str, args: tuple[str, ...]
) -> None:
    path = config_repo / ".gitops" / "render-index.json"
    document = json.loads(path.read_text())
    edit(document)
    path.write_text(json.dumps(document))
    run = gitops(config_repo, *args)
    assert run.code == ExitCode.USAGE, run.out + run.err
    assert ".gitops/render-index.json: " in run.err
    assert expected in run.err
    assert "fix: delete it and run gitops synth to regenerate it" in run.err


def test_a_partial_run_refuses_kept_entries_without_a_kind(config_repo: Path) -> None:
    path = config_repo / ".gitops" / "render-index.json"
    document = json.loads(path.read_text())
    kept = "rendered/prod/my-app/configmap.my-app-config.yaml"
    del document["files"][kept]["apiVersion"]
    path.write_text(json.dumps(document))
    run = gitops(config_repo, "synth", "--app", "ml-inference-api")
    assert run.code == ExitCode.USAGE, run.err
    assert f"the entry for {kept}, which this partial run keeps, has no apiVersion" in run.err
    assert gitops(config_repo, "synth").code == ExitCode.OK
