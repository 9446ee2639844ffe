"""Bad input: one message naming the file, line and fix; exit 2; rendered/ untouched."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from gitops.errors import ExitCode
from tests.conftest import gitops, gitops_process, tree

Write = Callable[[Path, str], Path]


def _fails(repo: Path, *expected: str) -> str:
    before = tree(repo)
    run = gitops(repo, "synth")
    assert run.code == ExitCode.USAGE, run.out + run.err
    assert run.err.startswith("error: ")
    assert "Traceback" not in run.err
    for text in expected:
        assert text in run.err, run.err
    assert tree(repo) == before
    return run.err


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_app_module_that_fails_to_import(config_repo: Path, write: Write) -> None:
    write(config_repo / "apps" / "typo.py", "from gitops.constructs import WebServise\n")
    _fails(config_repo, "apps/typo.py:1: loading app apps/typo.py failed: ImportError")


def test_app_module_with_a_syntax_error(config_repo: Path, write: Write) -> None:
    write(config_repo / "apps" / "bad.py", "class Bad(:\n    pass\n")
    _fails(config_repo, "apps/bad.py:1: loading app apps/bad.py failed: SyntaxError")


def test_app_module_without_an_app(config_repo: Path, write: Write) -> None:
    write(config_repo / "apps" / "helpers.py", "PORT = 8080\n")
    _fails(config_repo, "apps/helpers.py: an app module must define exactly one AppChart subclass")


def test_bad_environment_value_names_the_field(config_repo: Path) -> None:
    _replace(
        config_repo / "envs" / "prod.py", 'kubernetes_version="1.31"', 'kubernetes_version="1.99"'
    )
    _fails(
        config_repo,
        "envs/prod.py:11: kubernetes_version '1.99'",
    )


def test_overlay_bounds_inverted(config_repo: Path) -> None:
    _replace(
        config_repo / "envs" / "staging.py",
        "min_replicas=2, max_replicas=6, host",
        "min_replicas=7, max_replicas=6, host",
    )
    _fails(config_repo, "envs/staging.py:", "min_replicas 7 above max_replicas 6")


def test_overlay_for_unknown_app(config_repo: Path) -> None:
    _replace(config_repo / "envs" / "dev.py", '"my-app": AppOverlay', '"my-ap": AppOverlay')
    _fails(config_repo, "envs/dev.py:23: ENVIRONMENT.apps has an overlay for unknown app 'my-ap'")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "my-app: ghcr.io/acme/my-app:latest\n",
            "envs/dev.images.yaml:2: image 'ghcr.io/acme/my-app:latest' for 'my-app' uses the moving tag 'latest'",
        ),
        ("my-app: ghcr.io/acme/my-app\n", "has no tag or digest"),
        (
            "my-ap: ghcr.io/acme/my-app:1.0.0\n",
            "envs/dev.images.yaml:3: image for unknown app 'my-ap'",
        ),
        (
            "my-app: ghcr.io/acme/my-app:1.0.1\n",
            "envs/dev.images.yaml:3: app 'my-app' is listed twice (first on line 2)",
        ),
    ],
    ids=["latest", "no-tag", "unknown-app", "duplicate"],
)
def test_bad_images_file(config_repo: Path, line: str, expected: str) -> None:
    images = config_repo / "envs" / "dev.images.yaml"
    text = images.read_text()
    if "listed twice" in expected or "unknown app" in expected:
        images.write_text(text + line)
    else:
        images.write_text(text.replace("my-app: ghcr.io/acme/my-app:1.9.0-rc.2\n", line))
    _fails(config_repo, expected)


def test_missing_image_names_the_images_file(config_repo: Path) -> None:
    images = config_repo / "envs" / "prod.images.yaml"
    images.write_text(
        "".join(x for x in images.read_text().splitlines(True) if not x.startswith("my-app"))
    )
    _fails(
        config_repo,
        "envs/prod.images.yaml: no image for app 'my-app' in environment 'prod'",
        "add a line 'my-app: ",
    )


def test_unknown_settings_key_lists_valid_ones(config_repo: Path) -> None:
    _replace(config_repo / "pyproject.toml", 'revision = "main"', 'revison = "main"')
    _fails(
        config_repo,
        "unknown key 'revison' in [tool.gitops]",
        "use one of: argocd_layout, argocd_namespace, lint, monitoring, on_app_removal, repo_url, "
        "revision, validate",
    )


def test_missing_repo_url(config_repo: Path) -> None:
    _replace(
        config_repo / "pyproject.toml",
        'repo_url = "https://github.com/acme/platform-config.git"\n',
        "",
    )
    _fails(config_repo, "[tool.gitops] has no repo_url")


NATIVE = """
from cdk8s import ApiObject, ApiObjectMetadata, JsonPatch
from constructs import Construct

from gitops.constructs import AppChart
from gitops.constructs.environment import Environment


class Native(AppChart):
    app_name = "native"

    def __init__(self, scope: Construct, env: Environment) -> None:
        super().__init__(scope, env)
        obj = ApiObject(self, "obj", api_version="{api}", kind="{kind}", metadata=ApiObjectMetadata(**{meta}))
        obj.add_json_patch(JsonPatch.add("/{field}", {value}))
"""


@pytest.mark.parametrize(
    ("api", "kind", "meta", "field", "value", "expected"),
    [
        (
            "v1",
            "Secret",
            {"name": "db"},
            "data",
            {"password": "aHVudGVyMg=="},
            "is a Secret with data",
        ),
        (
            "v1",
            "ConfigMap",
            {"name": "c", "namespace": "other"},
            "data",
            {"a": "b"},
            "is in namespace 'other', but app 'native' deploys only into 'native-dev'",
        ),
        (
            "v1",
            "ConfigMap",
            {"name": "c", "labels": {"app.kubernetes.io/instance": "x"}},
            "data",
            {},
            "sets the label app.kubernetes.io/instance, which Argo CD owns",
        ),
        (
            "apps/v1",
            "Deployment",
            {"name": "d"},
            "spec",
            {"selector": {"matchLabels": {"cdk8s.io/metadata.addr": "native-c8a1b2c3"}}},
            "carries the cdk8s.io/metadata.addr label",
        ),
    ],
    ids=["secret-data", "foreign-namespace", "argo-label", "cdk8s-hash-selector"],
)
def test_objects_that_cannot_be_committed(
    config_repo: Path,
    write: Write,
    api: str,
    kind: str,
    meta: dict[str, object],
    field: str,
    value: object,
    expected: str,
) -> None:
    write(
        config_repo / "apps" / "native.py",
        NATIVE.format(api=api, kind=kind, meta=meta, field=field, value=value),
    )
    err = _fails(config_repo, expected)
    assert f"{kind} " in err and "construct dev/native/obj (apps/native.py)" in err


def _stub_node(tmp_path: Path, version: str) -> Path:
    stub = tmp_path / "bin" / "node"
    stub.parent.mkdir()
    # A stand-in for the `node` binary: the subject under test is gitops' version check.
    stub.write_text(f"#!/bin/sh\necho {version}\n")
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    return stub


def test_missing_node_is_one_clear_line(config_repo: Path) -> None:
    run = gitops_process(config_repo, "synth", env={"JSII_NODE": "/nonexistent/node"})
    assert run.code == ExitCode.USAGE
    assert run.err.splitlines()[0] == (
        "error: Node.js ('/nonexistent/node') was not found on PATH; cdk8s needs Node.js 20 or newer to render apps"
    )
    assert "Traceback" not in run.err


def test_too_old_node_names_the_version_needed(config_repo: Path, tmp_path: Path) -> None:
    stub = _stub_node(tmp_path, "v18.19.1")
    run = gitops_process(config_repo, "synth", env={"JSII_NODE": str(stub)})
    assert run.code == ExitCode.USAGE
    assert (
        run.err.splitlines()[0] == "error: Node.js 18 is too old: cdk8s needs Node.js 20 or newer"
    )


def test_internal_errors_exit_3_without_traceback(
    config_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gitops.render.synth as synth

    def boom(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(synth, "make_plan", boom)
    run = gitops(config_repo, "synth")
    assert run.code == ExitCode.INTERNAL
    assert run.err.startswith("internal error: ZeroDivisionError: division by zero")
    assert "Traceback" not in run.err
    monkeypatch.setenv("GITOPS_DEBUG", "1")
    debug = gitops(config_repo, "synth")
    assert debug.code == ExitCode.INTERNAL
    assert "Traceback" in debug.err and "ZeroDivisionError: division by zero" in debug.err


def test_slo_alert_that_could_never_fire_stops_synth(config_repo: Path) -> None:
    _replace(config_repo / "apps" / "my_app.py", "objective=99.9,", "objective=90,")
    _fails(
        config_repo,
        "apps/my_app.py:",
        "SLO 'availability' alert page 1h/5m could never fire: burn factor 14.4 x error budget "
        "0.1 = 1.44 >= 1",
    )


def test_slo_selector_that_is_not_promql_stops_synth(config_repo: Path) -> None:
    _replace(
        config_repo / "apps" / "my_app.py",
        "errors='http_requests_total{code=~\"5..\"}'",
        "errors='http_requests_total{code=~\"5..\"'",
    )
    _fails(config_repo, "apps/my_app.py:", "is not valid PromQL")
