"""gitops diff against real git repositories: identity matching, semantic field diffs,
grouping across environments, renames, Secret redaction, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitops.errors import ExitCode
from tests.conftest import gitops, gitops_process
from tests.review.gitrepo import (
    ENVS,
    app_files,
    commit,
    configmap,
    deployment,
    git,
    init,
    move,
    secret,
    write,
)


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "repo"
    base = init(root, {**app_files(), "rendered/dev/shop/configmap.cfg.yaml": configmap("cfg")})
    return root, base


def diff_json(root: Path, *args: str) -> dict:  # type: ignore[type-arg]
    run = gitops(root, "diff", "--format", "json", *args)
    assert run.code == 0, run.err
    return json.loads(run.out)


def test_one_construct_change_is_one_block_listing_every_env(repo: tuple[Path, str]) -> None:
    root, base = repo
    commit(root, "replicas everywhere", app_files(replicas=3))
    run = gitops(root, "diff", "--base", base, "--head", "HEAD")
    assert run.code == 0, run.err
    assert run.out.count("changed apps/Deployment shop/web") == 1
    assert "~ dev, prod, staging: changed apps/Deployment shop/web  [replicas]" in run.out
    assert "@@ spec.replicas @@\n    - 2\n    + 3" in run.out
    document = diff_json(root, "--base", base, "--head", "HEAD")
    assert [(c["env"], c["change"]) for c in document["changes"]] == [
        ("dev", "changed"),
        ("prod", "changed"),
        ("staging", "changed"),
    ]
    assert document["changes"][0]["fields"] == [{"path": "spec.replicas", "old": 2, "new": 3}]
    assert document["summary"]["changed"] == 3 and document["version"] == 1


def test_only_prod_overlay_change_touches_only_prod(repo: tuple[Path, str]) -> None:
    root, base = repo
    commit(root, "prod", {"rendered/prod/shop/deployment.web.yaml": deployment(replicas=6)})
    document = diff_json(root, "--base", base)
    assert [(c["env"], c["app"], c["name"]) for c in document["changes"]] == [
        ("prod", "shop", "web")
    ]
    assert document["summary"]["rows"] == [
        {"env": "prod", "app": "shop", "added": 0, "removed": 0, "changed": 1, "risk": ["replicas"]}
    ]


def test_image_bump_in_staging_names_the_container_and_is_risky(repo: tuple[Path, str]) -> None:
    root, base = repo
    commit(
        root,
        "bump",
        {"rendered/staging/shop/deployment.web.yaml": deployment(image="ghcr.io/acme/web:1.1.0")},
    )
    document = diff_json(root, "--base", base)
    (change,) = document["changes"]
    assert change["env"] == "staging" and change["risk"] == ["image"]
    assert change["fields"] == [
        {
            "path": "spec.template.spec.containers[web].image",
            "old": "ghcr.io/acme/web:1.0.0",
            "new": "ghcr.io/acme/web:1.1.0",
        }
    ]


def test_added_and_deleted_apps(repo: tuple[Path, str]) -> None:
    root, base = repo
    removed = {f"rendered/{env}/shop/deployment.web.yaml": None for env in ENVS}
    commit(root, "swap apps", {**removed, **app_files("cart", name="cart", namespace="cart")})
    run = gitops(root, "diff", "--base", base)
    assert "+ dev, prod, staging: added apps/Deployment cart/cart" in run.out
    assert "- dev, prod, staging: removed apps/Deployment shop/web  [deletion]" in run.out
    rows = diff_json(root, "--base", base)["summary"]["rows"]
    assert {(r["env"], r["app"], r["added"], r["removed"]) for r in rows} == {
        (env, app, int(app == "cart"), int(app == "shop"))
        for env in ENVS
        for app in ("cart", "shop")
    }


def test_moved_file_is_no_change(repo: tuple[Path, str]) -> None:
    root, base = repo
    move(root, "rendered/dev/shop/deployment.web.yaml", "rendered/dev/shop/web/deployment.yaml")
    commit(root, "move")
    document = diff_json(root, "--base", base)
    assert document["changes"] == []
    run = gitops(root, "diff", "--base", base, "--exit-code")
    assert run.code == 0 and "no changes to rendered objects" in run.out


def test_renamed_object_is_a_rename(repo: tuple[Path, str]) -> None:
    root, base = repo
    commit(
        root,
        "rename",
        {
            "rendered/dev/shop/configmap.cfg.yaml": None,
            "rendered/dev/shop/configmap.settings.yaml": configmap("settings"),
        },
    )
    (change,) = diff_json(root, "--base", base)["changes"]
    assert (change["change"], change["renamedFrom"], change["name"]) == (
        "renamed",
        "cfg",
        "settings",
    )
    assert "renamed ConfigMap shop/cfg -> settings" in gitops(root, "diff", "--base", base).out


def test_key_and_named_list_reorder_is_no_change(repo: tuple[Path, str]) -> None:
    root, base = repo
    reordered = """\
kind: Deployment
apiVersion: apps/v1
spec:
  template:
    spec:
      containers:
      - image: ghcr.io/acme/proxy:2.0.0
        name: sidecar
      - env:
        - value: web
          name: MODE
        - name: LOG_LEVEL
          value: info
        image: ghcr.io/acme/web:1.0.0
        name: web
    metadata:
      labels:
        app.kubernetes.io/name: web
  replicas: 2
metadata:
  labels:
    app.kubernetes.io/name: web
  namespace: shop
  name: web
"""
    commit(root, "reorder", {"rendered/dev/shop/deployment.web.yaml": reordered})
    assert diff_json(root, "--base", base)["changes"] == []
    run = gitops(root, "diff", "--base", base, "--exit-code")
    assert run.code == ExitCode.OK


def test_named_list_item_change_names_the_item(repo: tuple[Path, str]) -> None:
    root, base = repo
    text = deployment().replace("value: info", "value: debug")
    commit(root, "debug", {"rendered/dev/shop/deployment.web.yaml": text})
    (change,) = diff_json(root, "--base", base)["changes"]
    assert change["fields"] == [
        {
            "path": "spec.template.spec.containers[web].env[LOG_LEVEL].value",
            "old": "info",
            "new": "debug",
        }
    ]
    assert gitops(root, "diff", "--base", base, "--exit-code").code == ExitCode.FINDINGS


def test_secret_values_never_appear_in_any_format(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    old_value, new_value, added_value = "hunter2-OLD-s3cret", "hunter2-NEW-s3cret", "tok-ADDED-9z"
    base = init(
        root, {"rendered/dev/shop/secret.db.yaml": secret("db", password=old_value, user="app")}
    )
    commit(
        root,
        "rotate",
        {
            "rendered/dev/shop/secret.db.yaml": secret("db", password=new_value, token=added_value),
            "rendered/prod/shop/secret.new.yaml": secret("new", password=new_value),
        },
    )
    outputs = [
        gitops(root, "diff", "--base", base, "--format", f).out
        for f in ("text", "json", "markdown")
    ]
    out_dir = tmp_path / "parts"
    gitops(root, "diff", "--base", base, "--format", "markdown", "--output-dir", str(out_dir))
    outputs += [p.read_text() for p in out_dir.iterdir()]
    for output in outputs:
        for value in (old_value, new_value, added_value, "app"[:0] + "hunter2", "tok-ADDED"):
            assert value not in output
    (changed, added) = json.loads(outputs[1])["changes"]
    paths = {f["path"]: f for f in changed["fields"]}
    assert set(paths) == {"stringData.password", "stringData.token", "stringData.user"}
    assert "old" not in paths["stringData.token"] and "new" not in paths["stringData.user"]
    old, new = paths["stringData.password"]["old"], paths["stringData.password"]["new"]
    assert (
        old.startswith("<redacted sha256:") and new.startswith("<redacted sha256:") and old != new
    )
    assert changed["risk"] == ["secret"] and added["change"] == "added"


def test_env_and_app_filters(repo: tuple[Path, str]) -> None:
    root, base = repo
    commit(root, "replicas", app_files(replicas=3))
    document = diff_json(root, "--base", base, "--env", "prod")
    assert [c["env"] for c in document["changes"]] == ["prod"]
    assert diff_json(root, "--base", base, "--app", "shop")["summary"]["changed"] == 3
    bad = gitops(root, "diff", "--base", base, "--env", "qa")
    assert bad.code == ExitCode.USAGE and "unknown environment 'qa'" in bad.err


def test_default_base_is_the_merge_base_with_main_and_head_the_worktree(
    repo: tuple[Path, str],
) -> None:
    root, base = repo
    git(root, "checkout", "-q", "-b", "feature")
    commit(root, "feature", app_files(replicas=4))
    write(root, {"rendered/dev/shop/configmap.cfg.yaml": configmap("cfg", data="LEVEL: debug")})
    document = diff_json(root)
    assert document["base"]["commit"] == base and document["head"] == {
        "rev": "worktree",
        "commit": None,
    }
    assert {c["kind"] for c in document["changes"]} == {"Deployment", "ConfigMap"}


def test_unknown_revision_is_one_line_exit_2(repo: tuple[Path, str]) -> None:
    root, _ = repo
    run = gitops_process(root, "diff", "--base", "no-such-branch")
    assert run.code == ExitCode.USAGE
    assert (
        run.err.strip().count("\n") == 0 and "unknown --base revision 'no-such-branch'" in run.err
    )


def test_shallow_clone_lacking_the_base_says_to_fetch(
    repo: tuple[Path, str], tmp_path: Path
) -> None:
    root, base = repo
    commit(root, "second", app_files(replicas=3))
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{root}", str(clone))
    run = gitops_process(clone, "diff", "--base", base)
    assert run.code == ExitCode.USAGE
    assert run.err.strip().count("\n") == 0 and "shallow clone" in run.err and "fetch" in run.err


def test_no_rendered_dir_is_exit_2(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    init(root, {"README.md": "x\n"})
    run = gitops_process(root, "diff", "--base", "HEAD")
    assert run.code == ExitCode.USAGE and "no rendered/" in run.err
    assert run.err.strip().count("\n") <= 1


def test_markdown_splits_at_object_boundaries_within_the_limit(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    names = [f"cm-{i:03d}" for i in range(120)]
    base = init(
        root,
        {
            f"rendered/{env}/app-{i % 4}/configmap.{n}.yaml": configmap(n, data=f"V: '{n}'")
            for env in ("dev", "prod")
            for i, n in enumerate(names)
        },
    )
    commit(
        root,
        "change",
        {
            f"rendered/{env}/app-{i % 4}/configmap.{n}.yaml": configmap(
                n, data=f"V: '{n}-{env}-new'"
            )
            for env in ("dev", "prod")
            for i, n in enumerate(names)
        },
    )
    limit = 6000
    out_dir = tmp_path / "parts"
    run = gitops(
        root,
        "diff",
        "--base",
        base,
        "--format",
        "markdown",
        "--max-comment-chars",
        str(limit),
        "--output-dir",
        str(out_dir),
    )
    assert run.code == 0, run.err
    parts = [p.read_text() for p in sorted(out_dir.iterdir())]
    total = len(parts)
    assert total > 3
    blocks = 0
    for n, part in enumerate(parts, 1):
        assert len(part) <= limit
        assert part.startswith(f"<!-- gitops-diff:part={n} -->\n### gitops diff (part {n}/{total})")
        assert part.count("<details>") == part.count("</details>")
        assert part.count("```") % 2 == 0
        blocks += part.count("changed `ConfigMap`")
    assert blocks == 240  # every object change once, none cut in half
    assert "| dev | app-0 | 0 | 0 | 30 |" in parts[0]
    again = gitops(
        root, "diff", "--base", base, "--format", "markdown", "--max-comment-chars", str(limit)
    )
    assert again.out == "\n".join(parts)


def test_output_is_byte_identical_across_hash_seeds(repo: tuple[Path, str]) -> None:
    root, base = repo
    commit(root, "replicas", app_files(replicas=3, image="ghcr.io/acme/web:2.0.0"))
    outputs = {
        gitops_process(
            root, "diff", "--base", base, "--format", fmt, env={"PYTHONHASHSEED": seed}
        ).out
        for seed in ("1", "2")
        for fmt in ("markdown",)
    }
    assert len(outputs) == 1


def test_head_revision_ignores_the_working_tree(repo: tuple[Path, str]) -> None:
    root, base = repo
    head = commit(root, "replicas", app_files(replicas=3))
    write(root, {"rendered/dev/shop/configmap.cfg.yaml": configmap("cfg", data="LEVEL: x")})
    document = diff_json(root, "--base", base, "--head", head)
    assert document["head"]["commit"] == head
    assert {c["kind"] for c in document["changes"]} == {"Deployment"}


def test_too_small_comment_limit_is_a_usage_error(repo: tuple[Path, str]) -> None:
    root, base = repo
    run = gitops(root, "diff", "--base", base, "--format", "markdown", "--max-comment-chars", "100")
    assert run.code == ExitCode.USAGE and "too small" in run.err


def test_a_change_in_per_env_namespaces_is_still_one_block(tmp_path: Path) -> None:
    """With a namespace rule like ``{app}-{env}`` the same object lives in shop-dev,
    shop-staging and shop-prod: one construct change is still one block."""
    root = tmp_path / "repo"

    def files(replicas: int) -> dict[str, str | None]:
        return {
            f"rendered/{env}/shop/deployment.web.yaml": deployment(
                namespace=f"shop-{env}", replicas=replicas
            )
            for env in ENVS
        }

    base = init(root, files(2))
    commit(root, "replicas everywhere", files(3))
    run = gitops(root, "diff", "--base", base, "--head", "HEAD")
    assert run.code == 0, run.err
    assert run.out.count("changed apps/Deployment") == 1
    assert "~ dev, prod, staging: changed apps/Deployment shop-{env}/web  [replicas]" in run.out

    commit(root, "prod only", {"rendered/prod/shop/deployment.web.yaml": deployment(namespace="shop-prod", replicas=5)})
    only = gitops(root, "diff", "--base", "HEAD~1", "--head", "HEAD")
    assert "~ prod: changed apps/Deployment shop-prod/web  [replicas]" in only.out
