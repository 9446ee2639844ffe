"""A failure anywhere leaves rendered/ byte-for-byte as it was."""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gitops.errors import ExitCode
from tests.conftest import gitops, tree

BROKEN_APP = """
from constructs import Construct

from gitops.constructs import AppChart, WebService, WebServiceProps
from gitops.constructs.environment import Environment


class Broken(AppChart):
    app_name = "broken"

    def __init__(self, scope: Construct, env: Environment) -> None:
        super().__init__(scope, env)
        WebService(self, "web", WebServiceProps(image="ghcr.io/acme/broken:1.0.0"))
        if env.name == "staging":
            raise RuntimeError("staging database URL is not configured")
"""


def test_app_raising_midway_leaves_rendered_untouched(
    config_repo: Path, write: Callable[[Path, str], Path]
) -> None:
    before = tree(config_repo)
    write(config_repo / "apps" / "broken.py", BROKEN_APP)
    run = gitops(config_repo, "synth")
    assert run.code == ExitCode.USAGE
    assert "error: apps/broken.py:14: building app 'broken' for environment 'staging'" in run.err
    assert "RuntimeError: staging database URL is not configured" in run.err
    assert "Traceback" not in run.err
    assert len(run.err.strip().splitlines()) == 2  # the error and its fix
    assert tree(config_repo) == before


def test_write_failure_midway_leaves_previous_tree_and_no_work_dirs(
    config_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = config_repo / "apps" / "my_app.py"
    app.write_text(app.read_text().replace('"REDIS_PORT": "6379"', '"REDIS_PORT": "6380"'))
    before = tree(config_repo)
    real = pathlib.Path.write_bytes
    calls = {"n": 0}

    def failing_write(self: pathlib.Path, data: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 30:
            raise OSError(28, "No space left on device", str(self))
        return real(self, data)

    monkeypatch.setattr(pathlib.Path, "write_bytes", failing_write)
    run = gitops(config_repo, "synth")
    monkeypatch.undo()
    assert run.code == ExitCode.USAGE
    assert "No space left on device" in run.err
    after = tree(config_repo)
    # Directories swapped in before the failure are complete renders of the new sources;
    # the one being written when it failed, and those after it, are exactly as before.
    changed = {p for p in after if after[p] != before.get(p)}
    assert all(p.startswith("rendered/dev/") for p in changed), changed
    assert not list((config_repo / "rendered").glob(".gitops-*"))
    assert gitops(config_repo, "synth").code == 0
    assert gitops(config_repo, "synth", "--check").code == 0


def test_interrupted_swap_is_recovered_on_next_run(config_repo: Path) -> None:
    before = tree(config_repo)
    rendered = config_repo / "rendered"
    (rendered / "prod").rename(rendered / ".gitops-old-prod.abc123")
    (rendered / ".gitops-tmp-dev.xyz").mkdir()
    (rendered / ".gitops-tmp-dev.xyz" / "half-written.yaml").write_text("kind: Pod\n")
    check = gitops(config_repo, "synth", "--check")
    assert check.code == ExitCode.FINDINGS
    assert "missing  rendered/prod/my-app/rollout.my-app.yaml" in check.out
    assert gitops(config_repo, "synth").code == 0
    assert tree(config_repo) == before
    assert not list(rendered.glob(".gitops-*"))
