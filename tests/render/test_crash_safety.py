"""A synth that dies anywhere leaves either the old tree or a journal the next synth completes,
and no command passes over a half-published rendered/ (issue 8, items 6 and 17)."""

from __future__ import annotations

import errno
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


def _change_an_app(repo: Path) -> None:
    app = repo / "apps" / "my_app.py"
    app.write_text(app.read_text().replace('"REDIS_PORT": "6379"', '"REDIS_PORT": "6380"'))


def _fresh_render(repo: Path, where: Path) -> dict[str, bytes]:
    shutil.copytree(repo, where)
    assert gitops(where, "synth").code == ExitCode.OK
    return tree(where)


def _leftovers(repo: Path) -> list[str]:
    found = [p.name for p in (repo / "rendered").glob(".gitops-*")]
    found += [p.name for p in (repo / ".gitops").iterdir() if p.name.startswith(".render-index")]
    return found + [JOURNAL] * (repo / JOURNAL).exists()


@pytest.mark.parametrize("how", ["error", "kill"])
def test_a_failure_between_the_renames_of_a_swap_is_completed_by_the_next_synth(
    config_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    _change_an_app(config_repo)
    expected = _fresh_render(config_repo, tmp_path / "fresh")
    real = os.rename
    calls = {"n": 0}

    def rename(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # rendered/argocd was moved aside; its replacement is not in yet
            if how == "kill":
                raise Killed
            raise OSError(errno.EIO, "Input/output error", str(src))
        real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "rename", rename)
    run = gitops(config_repo, "synth")
    monkeypatch.undo()
    if how == "error":
        assert run.code == ExitCode.USAGE
        assert "rendered/ is half-updated: 0 of 4 directories were published" in run.err
        assert "Input/output error" in run.err
        assert "run gitops synth: it completes the interrupted render first" in run.err
    else:
        assert run.code == ExitCode.INTERNAL
    assert not (config_repo / "rendered" / "argocd").exists()
    assert (config_repo / JOURNAL).is_file()

    for args in (
        ("check",),
        ("check", "--format", "json"),
        ("lint",),
        ("validate",),
        ("synth", "--check"),
    ):
        refused = gitops(config_repo, *args)
        assert refused.code == ExitCode.USAGE, (args, refused.out, refused.err)
        assert "a gitops synth was interrupted" in refused.err
        assert "fix: run gitops synth" in refused.err
        if "json" in args:  # a failure document, never half a report
            assert json.loads(refused.out)["errors"]
        else:
            assert refused.out == ""
    elsewhere = tmp_path / "other.yaml"
    elsewhere.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: y}\n")
    assert "interrupted" not in gitops(config_repo, "lint", str(elsewhere)).err

    run = gitops(config_repo, "synth")
    assert run.code == ExitCode.OK, run.err
    assert "completed a gitops synth that was interrupted" in run.err
    assert tree(config_repo) == expected
    assert _leftovers(config_repo) == []
    assert gitops(config_repo, "synth", "--check").code == ExitCode.OK


def test_disk_full_before_publishing_changes_nothing_and_leaves_no_work_files(
    config_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _change_an_app(config_repo)
    before = tree(config_repo)

    def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(src))

    monkeypatch.setattr(os, "replace", replace)
    run = gitops(config_repo, "synth")
    monkeypatch.undo()
    assert run.code == ExitCode.USAGE
    assert "No space left on device; nothing in rendered/ or .gitops/ was changed" in run.err
    assert "fix: free disk space, then run gitops synth again" in run.err
    assert tree(config_repo) == before
    assert _leftovers(config_repo) == []


def test_a_failing_index_write_never_claims_nothing_was_written(
    config_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _change_an_app(config_repo)
    real = os.replace

    def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if str(dst).endswith("render-index.json"):
            raise OSError(errno.EACCES, "Permission denied", str(dst))
        real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    run = gitops(config_repo, "synth")
    monkeypatch.undo()
    assert run.code == ExitCode.USAGE
    assert "nothing was written" not in run.err
    assert "4 of 4 directories were published" in run.err
    assert "make rendered/ and .gitops/ writable" in run.err
    assert (config_repo / JOURNAL).is_file()
    assert gitops(config_repo, "check").code == ExitCode.USAGE
    assert gitops(config_repo, "synth").code == ExitCode.OK
    assert gitops(config_repo, "synth", "--check").code == ExitCode.OK
    assert _leftovers(config_repo) == []


@pytest.mark.parametrize(
    "journal",
    [
        {
            "version": 1,
            "swaps": [
                {
                    "target": "rendered/../../outside",
                    "new": "rendered/.gitops-tmp-x",
                    "old": "rendered/.gitops-old-x",
                }
            ],
            "removals": [],
            "index": ".gitops/.render-index.json.1",
        },
        {
            "version": 1,
            "swaps": [],
            "removals": [{"target": "rendered/../apps", "old": "rendered/.gitops-removed-a"}],
            "index": ".gitops/.render-index.json.1",
        },
        {"version": 1, "swaps": [], "removals": [], "index": "../../outside/file"},
        {"version": 1, "swaps": "x"},
    ],
    ids=["swap-outside", "removal-outside", "index-outside", "malformed"],
)
def test_a_committed_journal_cannot_steer_synth_outside_rendered(
    config_repo: Path, tmp_path: Path, journal: dict[str, Any]
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "file").write_text("mine\n")
    (config_repo / JOURNAL).write_text(json.dumps(journal))
    before = tree(config_repo)
    apps = sorted(p.name for p in (config_repo / "apps").iterdir())
    run = gitops(config_repo, "synth")
    assert run.code == ExitCode.USAGE
    assert f"{JOURNAL} is not a journal this gitops wrote" in run.err
    assert (outside / "file").read_text() == "mine\n"
    assert sorted(p.name for p in (config_repo / "apps").iterdir()) == apps
    assert tree(config_repo) == before
