"""The local synth cache: ``gitops check`` skips cdk8s only when no input of the render changed
and ``rendered/`` is exactly what was rendered; anything else renders for real, so a stale
cache never hides drift. Real CLI processes, real cdk8s, real git."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from gitops.errors import ExitCode
from tests.conftest import Run, copy_sources, git, gitops_process

HIT = "synth cache: hit"
MISS = "synth cache: miss"
HELPER = """\
\"\"\"A helper module outside apps/ that an app imports (the render must notice its edits).\"\"\"

import os

AVAILABILITY = float(os.environ.get("ACME_AVAILABILITY", "99.9"))
"""
ROLLOUT = "rendered/prod/my-app/rollout.my-app.yaml"
NO_CI = {"CI": "", "GITOPS_NO_CACHE": "", "GITOPS_DEBUG": "1"}


def _check(root: Path, *args: str, **env: str) -> Run:
    return gitops_process(root, "check", "--format", "json", *args, env={**NO_CI, **env})


def _drift(run: Run) -> set[tuple[str, str]]:
    findings = json.loads(run.out)["findings"]
    return {(f["code"], f["path"]) for f in findings if str(f["code"]).startswith("RD")}


@pytest.fixture(scope="module")
def rendered_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This config repo, with my-app's availability objective taken from a helper module at
    the repo root, rendered by ``gitops synth`` (which records the cache) and committed."""
    root = copy_sources(tmp_path_factory.mktemp("cache") / "repo", rendered=True)
    (root / "acme_lib").mkdir()
    (root / "acme_lib" / "__init__.py").write_text("")
    (root / "acme_lib" / "objectives.py").write_text(HELPER)
    app = root / "apps" / "my_app.py"
    text = app.read_text()
    assert text.count("objective=99.9,") == 1
    app.write_text(
        text.replace("objective=99.9,", "objective=objectives.AVAILABILITY,").replace(
            "from constructs import Construct\n",
            "from constructs import Construct\n\nfrom acme_lib import objectives\n",
        )
    )
    synth = gitops_process(root, "synth", env=NO_CI)
    assert synth.code == 0, synth.err
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    return root


@pytest.fixture
def repo(rendered_repo: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(rendered_repo, copy, symlinks=True)
    return copy


def test_a_hit_skips_the_render_and_stays_out_of_git(repo: Path) -> None:
    assert (repo / ".gitops" / "cache" / "synth.json").is_file()
    run = _check(repo)
    assert run.code == ExitCode.OK, run.out + run.err
    assert HIT in run.err
    assert _drift(run) == set()
    # Nothing the cache wrote shows up as a change to commit.
    assert git(repo, "status", "--porcelain", "--ignored=no") == ""
    assert ".gitops/cache/" in git(repo, "status", "--porcelain", "--ignored")


@pytest.mark.parametrize(
    ("args", "env"),
    [(("--no-cache",), {}), ((), {"CI": "true"}), ((), {"GITOPS_NO_CACHE": "1"})],
    ids=["--no-cache", "CI=true", "GITOPS_NO_CACHE=1"],
)
def test_the_cache_can_be_turned_off(
    repo: Path, args: tuple[str, ...], env: dict[str, str]
) -> None:
    run = _check(repo, *args, **env)
    assert run.code == ExitCode.OK, run.out + run.err
    assert HIT not in run.err and MISS not in run.err


def _append(path: str, text: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        with (root / path).open("a", encoding="utf-8") as handle:
            handle.write(text)

    return edit


@pytest.mark.parametrize(
    "edit",
    [
        _append("apps/my_app.py", "\n# a comment\n"),
        _append("envs/prod.py", "\n# a comment\n"),
        _append("envs/prod.images.yaml", "# a comment\n"),
        _append("acme_lib/objectives.py", "\n# a comment\n"),
        _append("pyproject.toml", "\n# a comment\n"),
    ],
    ids=["app module", "env module", "images file", "helper module", "pyproject"],
)
def test_an_edit_to_any_input_renders_again(repo: Path, edit: Callable[[Path], None]) -> None:
    """Edits that render the same tree: the check renders (a miss), finds no drift, and the
    record it leaves makes the next check a hit."""
    edit(repo)
    first = _check(repo)
    assert first.code == ExitCode.OK, first.out + first.err
    assert MISS in first.err and HIT not in first.err
    second = _check(repo)
    assert second.code == ExitCode.OK and HIT in second.err


def _replace(path: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        text = (root / path).read_text(encoding="utf-8")
        assert old in text
        (root / path).write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


@pytest.mark.parametrize(
    ("edit", "env", "drifted"),
    [
        (_replace("acme_lib/objectives.py", '"99.9"', '"99.5"'), {}, "rendered/prod/my-app/"),
        ((lambda root: None), {"ACME_AVAILABILITY": "99.5"}, "rendered/prod/my-app/"),
        (_replace("envs/prod.images.yaml", "my-app: ", "my-app: x"), {}, ROLLOUT),
        (
            _replace("apps/my_app.py", "objective=objectives", "objective=-1 + objectives"),
            {},
            "rendered/prod/my-app/",
        ),
        (_replace(ROLLOUT, "revisionHistoryLimit: 5", "revisionHistoryLimit: 3"), {}, ROLLOUT),
    ],
    ids=["helper value", "environment variable", "image", "app code", "hand-edited rendered file"],
)
def test_a_stale_cache_never_hides_drift(
    repo: Path, edit: Callable[[Path], None], env: dict[str, str], drifted: str
) -> None:
    assert HIT in _check(repo).err  # the record is current before the change
    edit(repo)
    run = _check(repo, **env)
    assert run.code == ExitCode.FINDINGS, run.out + run.err
    assert HIT not in run.err
    assert any(code == "RD001" and path.startswith(drifted) for code, path in _drift(run)), run.out
