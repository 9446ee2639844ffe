"""set-image, promote and history against a real copy of this config repo in a real git
repository (real cdk8s renders, real git commands)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import copy_sources, git, gitops, tree

DIGEST_A = "sha256:" + "a" * 64
DIGEST_B = "sha256:" + "b" * 64


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = copy_sources(tmp_path / "repo", rendered=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    return root


def _state(root: Path) -> dict[str, bytes]:
    files = tree(root)
    for path in sorted((root / "envs").glob("*.yaml")):
        files[path.relative_to(root).as_posix()] = path.read_bytes()
    record = root / ".gitops" / "promotions.jsonl"
    if record.exists():
        files[".gitops/promotions.jsonl"] = record.read_bytes()
    return files


def _other_apps(images: Path) -> str:
    """The lines of apps other than the two these tests promote (kept as they are)."""
    seed = ("ml-inference-api:", "my-app:", "#")
    return "".join(f"{x}\n" for x in images.read_text().splitlines() if not x.startswith(seed))


def test_set_image_keeps_comments_and_order_and_renders_only_that_app(repo: Path) -> None:
    images = repo / "envs" / "staging.images.yaml"
    others = _other_apps(images)
    images.write_text(
        "# staging images\nml-inference-api: ghcr.io/acme/ml-inference-api:2.3.1  # pinned by bot\n"
        "my-app: ghcr.io/acme/my-app:1.8.4\n" + others
    )
    git(repo, "commit", "-qam", "comment")
    before = _state(repo)
    run = gitops(repo, "set-image", "my-app", "ghcr.io/acme/my-app:1.8.5", "--env", "staging")
    assert run.code == 0, run.err
    assert images.read_text() == (
        "# staging images\nml-inference-api: ghcr.io/acme/ml-inference-api:2.3.1  # pinned by bot\n"
        "my-app: ghcr.io/acme/my-app:1.8.5\n" + others
    )
    after = _state(repo)
    changed = sorted(p for p in after if after[p] != before.get(p))
    assert changed == [
        ".gitops/render-index.json",
        "envs/staging.images.yaml",
        "rendered/staging/my-app/rollout.my-app.yaml",
    ]
    assert (
        b"image: ghcr.io/acme/my-app:1.8.5\n"
        in after["rendered/staging/my-app/rollout.my-app.yaml"]
    )
    assert "my-app: ghcr.io/acme/my-app:1.8.4 -> ghcr.io/acme/my-app:1.8.5" in run.out
    assert gitops(repo, "synth", "--check").code == 0

    again = gitops(repo, "set-image", "my-app", "ghcr.io/acme/my-app:1.8.5", "--env", "staging")
    assert again.code == 0 and "nothing changed" in again.out
    assert _state(repo) == after


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("my-app", "ghcr.io/acme/my-app:latest", "--env", "dev"), "moving tag 'latest'"),
        (("my-app", "ghcr.io/acme/my-app", "--env", "dev"), "has no tag or digest"),
        (("my-app", "ghcr.io/acme/my-app:1.9.0", "--env", "prod"), "require_digests=True"),
        (("nope", "ghcr.io/acme/my-app:1.9.0", "--env", "dev"), "unknown app 'nope'"),
        (
            ("my-app", "ghcr.io/acme/my-app:1.9.0", "--env", "qa"),
            "--env 'qa' is not an environment",
        ),
        (("my-app", "ghcr.io/Acme/my-app:1.9.0", "--env", "dev"), "not a valid image repository"),
    ],
)
def test_set_image_refuses_bad_input_and_writes_nothing(
    repo: Path, args: tuple[str, ...], message: str
) -> None:
    before = _state(repo)
    run = gitops(repo, "set-image", *args)
    assert run.code == 2
    assert message in run.err
    assert run.err.count("error:") == 1
    assert _state(repo) == before


def _pin_staging(repo: Path, digest: str = DIGEST_A) -> None:
    # The other apps run in staging what prod runs: nothing of theirs to promote.
    staging, prod = repo / "envs" / "staging.images.yaml", repo / "envs" / "prod.images.yaml"
    prod_lines = {x.split(":")[0]: x for x in _other_apps(prod).splitlines()}
    staging.write_text(
        "".join(f"{prod_lines.get(x.split(':')[0], x)}\n" for x in staging.read_text().splitlines())
    )
    assert gitops(repo, "synth").code == 0
    for app, ref in (("my-app", "my-app:1.8.4"), ("ml-inference-api", "ml-inference-api:2.3.1")):
        run = gitops(repo, "set-image", app, f"ghcr.io/acme/{ref}@{digest}", "--env", "staging")
        assert run.code == 0, run.err
    git(repo, "commit", "-qam", "pin staging")


def test_promote_copies_exact_digests_records_and_is_idempotent(repo: Path) -> None:
    _pin_staging(repo)
    run = gitops(repo, "promote", "--to", "prod")
    assert run.code == 0, run.err
    prod = (repo / "envs" / "prod.images.yaml").read_text()
    assert f"my-app: ghcr.io/acme/my-app:1.8.4@{DIGEST_A}\n" in prod
    assert f"ml-inference-api: ghcr.io/acme/ml-inference-api:2.3.1@{DIGEST_A}\n" in prod
    assert prod.startswith("# Image each app runs in prod")
    rollout = (repo / "rendered/prod/my-app/rollout.my-app.yaml").read_text()
    assert f"image: ghcr.io/acme/my-app:1.8.4@{DIGEST_A}\n" in rollout
    records = [json.loads(x) for x in (repo / ".gitops/promotions.jsonl").read_text().splitlines()]
    assert [(r["app"], r["from"], r["to"]) for r in records] == [
        ("ml-inference-api", "staging", "prod"),
        ("my-app", "staging", "prod"),
    ]
    head = git(repo, "rev-parse", "HEAD").strip()
    assert all(r["sourceCommit"] == head for r in records)
    assert records[1]["previous"].startswith("ghcr.io/acme/my-app:1.8.3@sha256:93545a37")
    assert records[1]["gates"] == {"check_clean": True, "forced": False}
    assert gitops(repo, "check").code == 0

    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "promote")
    before = _state(repo)
    again = gitops(repo, "promote", "--to", "prod")
    assert again.code == 0 and "nothing to promote" in again.out
    assert _state(repo) == before

    history = gitops(repo, "history", "--env", "prod", "--format", "json")
    assert [p["app"] for p in json.loads(history.out)["promotions"]] == [
        "ml-inference-api",
        "my-app",
    ]
    text = gitops(repo, "history", "--app", "my-app")
    assert "my-app  staging -> prod" in text.out and f"1.8.4@{DIGEST_A}" in text.out


def test_promote_refuses_an_undigested_image_for_prod(repo: Path) -> None:
    before = _state(repo)
    run = gitops(repo, "promote", "--from", "staging", "--to", "prod", "--app", "my-app")
    assert run.code == 2
    assert "without a digest" in run.err
    assert (
        "gitops set-image my-app ghcr.io/acme/my-app:1.8.4@sha256:<digest> --env staging" in run.err
    )
    assert _state(repo) == before


def test_promote_follows_the_upstream_order(repo: Path) -> None:
    run = gitops(repo, "promote", "--from", "dev", "--to", "prod")
    assert run.code == 2
    assert "dev -> staging -> prod" in run.err


def test_a_failing_gate_refuses_unless_forced_with_a_reason(repo: Path) -> None:
    _pin_staging(repo)
    workload = repo / "rendered/staging/my-app/rollout.my-app.yaml"
    workload.write_text(workload.read_text() + "# hand edit\n")
    git(repo, "commit", "-qam", "hand edit")
    before = _state(repo)
    refused = gitops(repo, "promote", "--to", "prod", "--app", "my-app")
    assert refused.code == 1
    assert "gitops check of rendered/staging for my-app fails" in refused.err
    assert "rendered/staging/my-app/rollout.my-app.yaml" in refused.out  # the drift finding
    assert _state(repo) == before

    unreasoned = gitops(repo, "promote", "--to", "prod", "--app", "my-app", "--force")
    assert unreasoned.code == 2 and "--force needs --reason" in unreasoned.err

    forced = gitops(
        repo, "promote", "--to", "prod", "--app", "my-app", "--force", "--reason", "hotfix CVE-1"
    )
    assert forced.code == 0, forced.err
    record = json.loads((repo / ".gitops/promotions.jsonl").read_text())
    assert record["gates"]["forced"] is True and record["reason"] == "hotfix CVE-1"
    assert record["gates"]["check_clean"] is False


def test_dry_run_writes_nothing(repo: Path) -> None:
    _pin_staging(repo)
    before = _state(repo)
    run = gitops(repo, "promote", "--to", "prod", "--dry-run")
    assert run.code == 0, run.err
    assert "would promote my-app staging -> prod" in run.out
    assert _state(repo) == before


def test_an_interrupted_promote_leaves_no_partial_state(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pin_staging(repo)
    before = _state(repo)
    import gitops.render.promotion as promotion

    real_open = open

    def failing_open(path: object, *args: object, **kwargs: object) -> object:
        if str(path).endswith("promotions.jsonl"):
            raise OSError(28, "No space left on device")
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(promotion, "open", failing_open, raising=False)
    run = gitops(repo, "promote", "--to", "prod")
    assert run.code == 2
    assert "cannot append to .gitops/promotions.jsonl: No space left on device" in run.err
    assert _state(repo) == before


def test_promote_needs_a_clean_tree(repo: Path) -> None:
    _pin_staging(repo)
    prod = repo / "envs" / "prod.images.yaml"
    prod.write_text(prod.read_text() + "# local edit\n")
    before = _state(repo)
    run = gitops(repo, "promote", "--to", "prod")
    assert run.code == 2 and "uncommitted changes in envs/prod.images.yaml" in run.err
    assert _state(repo) == before


def test_require_digests_makes_an_undigested_image_a_synth_error_and_im002_an_error(
    repo: Path,
) -> None:
    prod = repo / "envs" / "prod.images.yaml"
    text = prod.read_text()
    line = next(i for i, x in enumerate(text.splitlines(), 1) if x.startswith("my-app:"))
    prod.write_text(text.replace(text.splitlines()[line - 1], "my-app: ghcr.io/acme/my-app:1.8.3"))
    before = _state(repo)
    run = gitops(repo, "synth")
    assert run.code == 2
    assert (
        f"envs/prod.images.yaml:{line}: image 'ghcr.io/acme/my-app:1.8.3' for 'my-app' has no digest"
        in run.err
    )
    assert _state(repo) == before

    # staging runs my-app:1.8.4 without a digest too; only prod requires one.
    rollout = repo / "rendered/prod/my-app/rollout.my-app.yaml"
    text = rollout.read_text()
    rollout.write_text(text.replace("1.8.3@" + text.split("1.8.3@")[1].split("\n")[0], "1.8.3"))
    lint = gitops(repo, "lint", "--format", "json", str(repo / "rendered"))
    findings = [f for f in json.loads(lint.out)["findings"] if f["code"] == "IM002"]
    assert [(f["path"].split("/")[1], f["severity"]) for f in findings] == [("prod", "error")]


EXTRA_SERVICE = """

_build = MyApp.__init__


def _with_extra_service(self, scope, env):  # a Service whose named port no container has
    _build(self, scope, env)
    self.add_manifest(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "my-app-extra"},
            "spec": {
                "selector": {"app.kubernetes.io/name": "my-app"},
                "ports": [{"name": "x", "port": 81, "targetPort": "no-such-port"}],
            },
        },
        "my-app/extra",
    )


MyApp.__init__ = _with_extra_service
"""


def test_the_gate_catches_a_cross_object_finding_inside_the_app(repo: Path) -> None:
    """PC014 relates two objects of the app (a Service and the pods it selects): the gate's
    per-app lint context still sees both, and refuses."""
    _pin_staging(repo)
    module = repo / "apps" / "my_app.py"
    module.write_text(module.read_text() + EXTRA_SERVICE)
    assert gitops(repo, "synth").code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "extra service")
    before = _state(repo)
    refused = gitops(repo, "promote", "--to", "prod", "--app", "my-app")
    assert refused.code == 1, refused.err
    assert "gitops check of rendered/staging for my-app fails" in refused.err
    assert "PC014" in refused.out and "rendered/staging/my-app/service.my-app-extra.yaml" in (
        refused.out
    )
    assert "no-such-port" in refused.out
    assert _state(repo) == before


def test_promote_runs_each_app_module_once_and_shows_the_rendered_change(repo: Path) -> None:
    """envs/ and apps/ are loaded once for the gate and the re-render (they were loaded four
    times), and the report shows the object change of the files it wrote."""
    _pin_staging(repo)
    for module in sorted((repo / "apps").glob("*.py")):
        module.write_text(
            module.read_text() + "\nimport builtins\n"
            "builtins.__dict__.setdefault('GITOPS_TEST_LOADS', []).append(__name__)\n"
        )
    git(repo, "commit", "-qam", "count loads")
    import builtins

    builtins.__dict__["GITOPS_TEST_LOADS"] = []
    try:
        run = gitops(repo, "promote", "--to", "prod", "--app", "my-app")
        loads = list(builtins.__dict__["GITOPS_TEST_LOADS"])
    finally:
        del builtins.__dict__["GITOPS_TEST_LOADS"]
    assert run.code == 0, run.err
    modules = sorted(f"apps.{p.stem}" for p in (repo / "apps").glob("*.py"))
    assert sorted(loads) == modules
    assert "~ prod: changed argoproj.io/Rollout my-app/my-app  [image]" in run.out
    assert f"+ ghcr.io/acme/my-app:1.8.4@{DIGEST_A}" in run.out
    assert "1 changed (1 object change in 1 app; prod)" in run.out
