"""A render of some apps (``synth --app``, what set-image and promote run) publishes file by
file: only files whose bytes change are written, files it no longer renders are deleted (and
folders left empty with them), and the journal makes it crash-safe like a directory swap."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from gitops.errors import ExitCode
from tests.conftest import gitops, tree

JOURNAL = ".gitops/synth-journal.json"


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs (no except clause in gitops catches it)."""


def _change_my_app(repo: Path) -> None:
    app = repo / "apps" / "my_app.py"
    app.write_text(app.read_text().replace('"REDIS_PORT": "6379"', '"REDIS_PORT": "6380"'))


def _exclude_nightly_report_from_dev(repo: Path) -> None:
    env = repo / "envs" / "dev.py"
    env.write_text(
        env.read_text().replace(
            'exclude_apps=("ml-inference-api",)',
            'exclude_apps=("ml-inference-api", "nightly-report")',
        )
    )
    images = repo / "envs" / "dev.images.yaml"
    lines = images.read_text().splitlines(keepends=True)
    images.write_text("".join(x for x in lines if not x.startswith("nightly-report:")))


def _expected(repo: Path, where: Path) -> dict[str, bytes]:
    """What a full render of ``repo``'s sources gives."""
    shutil.copytree(repo, where)
    assert gitops(where, "synth").code == ExitCode.OK
    return tree(where)


def _identities(repo: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(repo).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in (repo / "rendered").rglob("*.yaml")
    }


def _leftovers(repo: Path) -> list[str]:
    found = [p.name for p in (repo / "rendered").glob(".gitops-*")]
    found += [p.name for p in (repo / ".gitops").iterdir() if p.name.startswith(".render-index")]
    return found + [JOURNAL] * (repo / JOURNAL).exists()


def test_only_the_changed_files_are_written(config_repo: Path, tmp_path: Path) -> None:
    _change_my_app(config_repo)
    expected = _expected(config_repo, tmp_path / "fresh")
    original = tree(config_repo)
    before = _identities(config_repo)
    run = gitops(config_repo, "synth", "--app", "my-app")
    assert run.code == ExitCode.OK, run.err
    assert tree(config_repo) == expected
    after = _identities(config_repo)
    rewritten = sorted(p for p in after if after[p] != before.get(p))
    changed = sorted(p for p in after if expected[p] != original.get(p))
    assert rewritten == changed
    assert changed and all("/my-app/" in p for p in changed)
    assert len(changed) < 10 < len(after)  # the app's changed objects, not the tree
    assert _leftovers(config_repo) == []


def test_files_no_longer_rendered_are_deleted_with_their_folder(
    config_repo: Path, tmp_path: Path
) -> None:
    _exclude_nightly_report_from_dev(config_repo)
    expected = _expected(config_repo, tmp_path / "fresh")
    assert (config_repo / "rendered" / "dev" / "nightly-report").is_dir()
    run = gitops(config_repo, "synth", "--app", "nightly-report")
    assert run.code == ExitCode.OK, run.err
    assert tree(config_repo) == expected
    assert not (config_repo / "rendered" / "dev" / "nightly-report").exists()
    assert (config_repo / "rendered" / "dev").is_dir()
    assert _leftovers(config_repo) == []


@pytest.mark.parametrize("how", ["error", "kill"])
def test_a_failure_between_the_renames_is_completed_by_the_next_synth(
    config_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    _change_my_app(config_repo)
    _exclude_nightly_report_from_dev(config_repo)
    expected = _expected(config_repo, tmp_path / "fresh")
    real = os.replace
    calls = {"n": 0}

    def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if "/.gitops-tmp-files." in str(src):
            calls["n"] += 1
            if calls["n"] == 2:  # one file published, the others not yet
                if how == "kill":
                    raise Killed
                raise OSError(5, "Input/output error", str(src))
        real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    run = gitops(config_repo, "synth", "--app", "my-app", "--app", "nightly-report")
    if how == "kill":
        assert run.code == ExitCode.INTERNAL
    else:
        assert run.code == ExitCode.USAGE
        assert "rendered/ is half-updated: 1 of " in run.err and " files were published" in run.err
    monkeypatch.undo()
    journal = json.loads((config_repo / JOURNAL).read_text())
    assert journal["version"] == 2 and journal["writes"] and journal["deletes"]
    refused = gitops(config_repo, "check")
    assert refused.code == ExitCode.USAGE and "a gitops synth was interrupted" in refused.err

    run = gitops(config_repo, "synth", "--app", "my-app")
    assert run.code == ExitCode.OK, run.err
    assert "completed a gitops synth that was interrupted" in run.err
    assert tree(config_repo) == expected
    assert _leftovers(config_repo) == []


@pytest.mark.parametrize(
    "step",
    [
        {
            "writes": [
                {"target": "rendered/../apps/my_app.py", "new": "rendered/.gitops-tmp-files.1/0"}
            ]
        },
        {"writes": [{"target": "rendered/dev/x.yaml", "new": "apps/my_app.py"}]},
        {
            "writes": [
                {
                    "target": "rendered/.gitops-tmp-files.1/x",
                    "new": "rendered/.gitops-tmp-files.1/0",
                }
            ]
        },
        {"deletes": ["rendered/../pyproject.toml"]},
        {"deletes": ["apps/my_app.py"]},
        {"deletes": [7]},
    ],
    ids=[
        "write-outside",
        "write-from-outside",
        "write-into-work",
        "delete-outside",
        "delete-source",
        "malformed",
    ],
)
def test_a_journal_cannot_steer_file_steps_outside_rendered(
    config_repo: Path, step: dict[str, Any]
) -> None:
    journal = {
        "version": 2,
        "swaps": [],
        "removals": [],
        "writes": [],
        "deletes": [],
        "index": ".gitops/.render-index.json.1",
        **step,
    }
    (config_repo / JOURNAL).write_text(json.dumps(journal))
    before = tree(config_repo)
    sources = {p: p.read_bytes() for p in (config_repo / "apps").iterdir() if p.is_file()}
    run = gitops(config_repo, "synth")
    assert run.code == ExitCode.USAGE
    assert f"{JOURNAL} is not a journal this gitops wrote" in run.err
    assert tree(config_repo) == before
    assert {p: p.read_bytes() for p in (config_repo / "apps").iterdir() if p.is_file()} == sources
    assert (config_repo / "pyproject.toml").is_file()
