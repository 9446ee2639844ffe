"""Synth writes and deletes only inside the real rendered/ and .gitops/ (issue 8, items 1-3,
13, 16, 17): symlinks a pull request can commit are refused, kinds and names that would make
paths are rejected as Kubernetes rejects them, long names are shortened, modes follow the umask.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gitops.errors import ExitCode
from tests.conftest import gitops

Write = Callable[[Path, str], Path]


def snapshot(root: Path) -> dict[str, bytes | str]:
    """Every file (its bytes) and symlink (its target) under ``root``, without following links."""
    found: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[rel] = f"-> {os.readlink(path)}"
            elif path.is_file():
                found[rel] = path.read_bytes()
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
    # The lock file (ignored by git) may be created by the refused run itself; it holds nothing.
    return {
        k: v for k, v in found.items() if "__pycache__" not in k and not k.endswith("synth.lock")
    }


def _refused(repo: Path, *expected: str, args: tuple[str, ...] = ("synth",)) -> str:
    run = gitops(repo, *args)
    assert run.code == ExitCode.USAGE, run.out + run.err
    assert run.err.startswith("error: "), run.err
    assert "Traceback" not in run.err
    for text in expected:
        assert text in run.err, run.err
    return run.err


def test_rendered_as_a_symlink_to_the_repo_deletes_nothing(config_repo: Path) -> None:
    import shutil

    shutil.rmtree(config_repo / "rendered")
    (config_repo / "rendered").symlink_to(".")
    before = snapshot(config_repo)
    err = _refused(config_repo, "rendered is a symbolic link", "git rm rendered")
    assert "nothing was changed" in err
    assert snapshot(config_repo) == before
    _refused(config_repo, "rendered is a symbolic link", args=("synth", "--check"))


def test_rendered_as_a_symlink_elsewhere_leaves_that_directory_alone(
    config_repo: Path, tmp_path: Path
) -> None:
    import shutil

    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "dev").mkdir(parents=True)
    (elsewhere / "dev" / "keep.yaml").write_text("precious: true\n")
    (elsewhere / "notes.txt").write_text("mine\n")
    shutil.rmtree(config_repo / "rendered")
    (config_repo / "rendered").symlink_to(elsewhere)
    before = snapshot(tmp_path)
    _refused(config_repo, "rendered is a symbolic link")
    assert snapshot(tmp_path) == before


def test_env_directory_as_a_symlink_is_refused_every_time_with_the_right_fix(
    config_repo: Path, tmp_path: Path
) -> None:
    import shutil

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.yaml").write_text("precious: true\n")
    shutil.rmtree(config_repo / "rendered" / "prod")
    (config_repo / "rendered" / "prod").symlink_to(outside)
    before = snapshot(tmp_path)
    for _ in range(2):
        err = _refused(config_repo, "rendered/prod is a symbolic link", "git rm rendered/prod")
        assert "disk space" not in err
    assert snapshot(tmp_path) == before
    assert not list((config_repo / "rendered").glob(".gitops-*"))
    (config_repo / "rendered" / "prod").unlink()
    assert gitops(config_repo, "synth").code == ExitCode.OK
    assert gitops(config_repo, "synth", "--check").code == ExitCode.OK


def test_a_symlinked_file_or_subdirectory_inside_rendered_is_refused(
    config_repo: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not for the repo\n")
    link = config_repo / "rendered" / "dev" / "my-app" / "evil.yaml"
    link.symlink_to(outside / "secret.txt")
    before = snapshot(outside)
    _refused(config_repo, "rendered/dev/my-app/evil.yaml is a symbolic link")
    link.unlink()
    (config_repo / "rendered" / "dev" / "sub").symlink_to(outside)
    _refused(config_repo, "rendered/dev/sub is a symbolic link")
    assert snapshot(outside) == before


def test_dot_gitops_as_a_symlink_is_refused(config_repo: Path, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(config_repo / ".gitops", tmp_path / "state")
    shutil.rmtree(config_repo / ".gitops")
    (config_repo / ".gitops").symlink_to(tmp_path / "state")
    before = snapshot(tmp_path / "state")
    _refused(config_repo, ".gitops is a symbolic link")
    assert snapshot(tmp_path / "state") == before


NATIVE_APP = """
from cdk8s import ApiObject, ApiObjectMetadata, JsonPatch
from constructs import Construct

from gitops.constructs import AppChart
from gitops.constructs.environment import Environment


class Operator(AppChart):
    app_name = "operator"

    def __init__(self, scope: Construct, env: Environment) -> None:
        super().__init__(scope, env)
        obj = ApiObject(self, "odd", api_version={api_version!r}, kind={kind!r},
                        metadata=ApiObjectMetadata(name={name!r}))
        obj.add_json_patch(JsonPatch.add("/data", {{"k": "v"}}))
"""


def _native(write: Write, repo: Path, kind: str, name: str, api_version: str = "v1") -> None:
    write(
        repo / "apps" / "operator.py",
        NATIVE_APP.format(kind=kind, name=name, api_version=api_version),
    )


@pytest.mark.parametrize(
    ("kind", "name", "expected"),
    [
        ("../../../envs/prod", "images", "kind '../../../envs/prod' is not a valid kind"),
        ("../../../../../../../tmp/x", "y", "is not a valid kind"),
        ("Config/Map", "settings", "kind 'Config/Map' is not a valid kind"),
        ("Config\nMap", "settings", "is not a valid kind"),
        ("K" * 64, "settings", "is not a valid kind"),
        ("ConfigMap", "../../../envs/prod", "name '../../../envs/prod' is not a valid object name"),
        ("ConfigMap", "a/b", "is not a valid object name"),
        ("ConfigMap", "Upper", "is not a valid object name"),
        ("ConfigMap", "a" * 254, "at most 253 characters"),
        ("ConfigMap", "x\ny", "is not a valid object name"),
    ],
    ids=[
        "kind-up-to-envs",
        "kind-to-tmp",
        "kind-slash",
        "kind-newline",
        "kind-too-long",
        "name-up-to-envs",
        "name-slash",
        "name-upper",
        "name-254",
        "name-newline",
    ],
)
def test_kinds_and_names_that_would_make_paths_are_refused(
    config_repo: Path, write: Write, kind: str, name: str, expected: str
) -> None:
    _native(write, config_repo, kind, name)
    before = snapshot(config_repo.parent)
    err = _refused(config_repo, expected, "from construct dev/operator/odd (apps/operator.py)")
    assert "fix: " in err
    assert snapshot(config_repo.parent) == before


def test_rbac_names_may_hold_colons(config_repo: Path, write: Write) -> None:
    _native(write, config_repo, "Role", "system:aggregate-to-view", "rbac.authorization.k8s.io/v1")
    run = gitops(config_repo, "synth")
    assert run.code == ExitCode.OK, run.err
    assert (
        config_repo / "rendered" / "dev" / "operator" / "role.system:aggregate-to-view.yaml"
    ).is_file()


def test_a_253_character_name_renders_under_a_shortened_file_name(
    config_repo: Path, write: Write
) -> None:
    name = ("a" * 62 + ".") * 4 + "b"
    assert len(name) == 253
    _native(write, config_repo, "ConfigMap", name)
    run = gitops(config_repo, "synth")
    assert run.code == ExitCode.OK, run.err
    digest = hashlib.sha256(name.encode()).hexdigest()[:16]
    expected = f"configmap.{name[: 255 - len('configmap.~.yaml') - 16]}~{digest}.yaml"
    assert len(expected) == 255
    path = config_repo / "rendered" / "prod" / "operator" / expected
    assert path.is_file()
    assert f"name: {name}" in path.read_text()
    index = json.loads((config_repo / ".gitops" / "render-index.json").read_text())["files"]
    assert index[f"rendered/prod/operator/{expected}"]["name"] == name
    assert gitops(config_repo, "synth", "--check").code == ExitCode.OK


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.usefixtures("umask_022")
def test_modes_follow_the_umask(config_repo: Path) -> None:
    app = config_repo / "apps" / "my_app.py"
    app.write_text(app.read_text().replace('"REDIS_PORT": "6379"', '"REDIS_PORT": "6380"'))
    assert gitops(config_repo, "synth").code == ExitCode.OK
    rendered = config_repo / "rendered"
    for directory in [rendered / "dev", rendered / "argocd", rendered / "dev" / "my-app"]:
        assert stat.S_IMODE(directory.stat().st_mode) == 0o755, directory
    index = config_repo / ".gitops" / "render-index.json"
    assert stat.S_IMODE(index.stat().st_mode) == 0o644
    some_file = next((rendered / "dev" / "my-app").iterdir())
    assert stat.S_IMODE(some_file.stat().st_mode) == 0o644


LIST_APP = """
from cdk8s import ApiObject, ApiObjectMetadata, JsonPatch
from constructs import Construct

from gitops.constructs import AppChart
from gitops.constructs.environment import Environment


class Operator(AppChart):
    app_name = "operator"

    def __init__(self, scope: Construct, env: Environment) -> None:
        super().__init__(scope, env)
        obj = ApiObject(self, "bundle", api_version="v1", kind={kind!r},
                        metadata=ApiObjectMetadata(name="bundle"))
        obj.add_json_patch(JsonPatch.add("/items", {items!r}))
"""


@pytest.mark.parametrize(
    ("kind", "items", "expected"),
    [
        (
            "List",
            [{"apiVersion": "v1", "kind": "Secret", "data": {"password": "aHVudGVyMg=="}}],
            "holds a Secret in items[0] with data",
        ),
        ("SecretList", [{"metadata": {"name": "x"}}, {"stringData": {"k": "v"}}], "items[1]"),
        (
            "List",
            [
                {
                    "apiVersion": "v1",
                    "kind": "List",
                    "items": [{"kind": "Secret", "data": {"a": "Yg=="}}],
                }
            ],
            "holds a Secret in items[0] with data",
        ),
    ],
    ids=["list", "secretlist", "nested-list"],
)
def test_a_secret_inside_a_list_is_refused_like_a_secret(
    config_repo: Path, write: Write, kind: str, items: list[object], expected: str
) -> None:
    write(config_repo / "apps" / "operator.py", LIST_APP.format(kind=kind, items=items))
    before = snapshot(config_repo)
    err = _refused(config_repo, expected, "anyone who can read the repository")
    assert "aHVudGVyMg" not in err
    assert snapshot(config_repo) == before


COLLIDING_APP = """
from cdk8s import ApiObject, ApiObjectMetadata
from constructs import Construct

from gitops.constructs import AppChart
from gitops.constructs.environment import Environment


class Operator(AppChart):
    app_name = "operator"

    def __init__(self, scope: Construct, env: Environment) -> None:
        super().__init__(scope, env)
        ApiObject(self, "first", api_version="v1", kind="ConfigMap",
                  metadata=ApiObjectMetadata(name="same"))
        ApiObject(self, "second", api_version="v1", kind="ConfigMap",
                  metadata=ApiObjectMetadata(name="same"))
"""


def test_a_collision_names_both_constructs(config_repo: Path, write: Write) -> None:
    write(config_repo / "apps" / "operator.py", COLLIDING_APP)
    err = _refused(config_repo, "two objects map to rendered/dev/operator/configmap.same.yaml")
    assert "construct dev/operator/first" in err
    assert "construct dev/operator/second" in err
