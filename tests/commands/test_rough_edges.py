"""What a new team hits first, each through the real CLI in a fresh interpreter (no --root:
the root is found from the working directory, as when a person types the command)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import ROOT, Run, copy_sources, gitops

SARIF_SCHEMA = ROOT / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"

VENDORED_APP = """\
import cdk8s
from constructs import Construct

from gitops.constructs import AppChart
from gitops.envs import Environment


class Vendored(AppChart):
    app_name = "vendored"

    def __init__(self, scope: Construct, env: Environment) -> None:
        super().__init__(scope, env)
        cdk8s.Include(self, "settings", url="{url}")
"""

VENDORED_YAML = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: vendored-settings
data:
  mode: fast
"""


def run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    """``python -m gitops ARGS`` started in ``cwd``, without --root."""
    done = subprocess.run(
        [sys.executable, "-m", "gitops", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        timeout=300,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def vendoring_repo(tmp_path: Path) -> Path:
    """This repo's apps and envs plus an app that includes vendored YAML by a relative path."""
    repo = copy_sources(tmp_path / "repo")
    (repo / "vendor").mkdir()
    (repo / "vendor/settings.yaml").write_text(VENDORED_YAML, encoding="utf-8")
    app = VENDORED_APP.format(url="vendor/settings.yaml")
    (repo / "apps/vendored.py").write_text(app, encoding="utf-8")
    return repo


def test_synth_and_check_run_from_a_subdirectory_with_include_paths_from_the_root(
    vendoring_repo: Path,
) -> None:
    apps = vendoring_repo / "apps"
    synth = run(apps, "synth", "--env", "dev")
    assert synth.code == 0, synth.err
    # dev does not run ml-inference-api; every other app plus the vendored one
    seed_apps = len(list((ROOT / "apps").glob("[!_]*.py")))
    assert f"rendered {seed_apps} app(s) x 1 env(s)" in synth.out
    rendered = vendoring_repo / "rendered/dev/vendored/configmap.vendored-settings.yaml"
    assert "mode: fast" in rendered.read_text()
    assert not (apps / "rendered").exists()
    # Paths given from the subdirectory are the user's: ../rendered/... narrows to one app.
    narrowed = run(apps, "synth", "--check", "../rendered/dev/vendored")
    assert narrowed.code == 1, narrowed.err  # staging and prod were never rendered
    assert "rendered/staging/vendored/configmap.vendored-settings.yaml" in narrowed.out
    assert "rendered/staging/my-app" not in narrowed.out


def test_a_failing_include_is_one_line_without_a_node_stack_trace(vendoring_repo: Path) -> None:
    app = VENDORED_APP.format(url="vendor/missing.yaml")
    (vendoring_repo / "apps/vendored.py").write_text(app, encoding="utf-8")
    failed = run(vendoring_repo / "envs", "synth", "--check")
    assert failed.code == 2
    assert failed.out == ""
    assert failed.err.splitlines() == [
        "error: apps/vendored.py:13: building app 'vendored' for environment 'dev' failed: "
        "RuntimeError: no file 'vendor/missing.yaml' (paths are relative to the config repo "
        "root) and it is not a URL",
        "  fix: correct the code at that line; nothing under rendered/ was changed",
    ]
    debug = run(vendoring_repo / "envs", "synth", "--check", env={"GITOPS_DEBUG": "1"})
    assert debug.code == 2
    assert "Traceback (most recent call last)" in debug.err
    assert "_loadurl.mjs" in debug.err and "Node.js v" in debug.err


@pytest.mark.parametrize("verb", ["synth", "check", "lint", "validate"])
def test_outside_a_config_repo_is_a_usage_error_naming_gitops_init(
    tmp_path: Path, verb: str
) -> None:
    done = run(tmp_path, verb)
    assert done.code == 2, done.out + done.err
    assert done.out == ""
    assert done.err == (
        f"error: no config repo at {tmp_path}: no pyproject.toml with [tool.gitops] there or "
        "in any parent directory; run 'gitops init' to create one, or pass --root DIR\n"
    )


def test_exit_2_still_prints_a_json_document_with_errors(tmp_path: Path) -> None:
    done = run(tmp_path, "check", "--format", "json")
    assert done.code == 2
    document = json.loads(done.out)
    assert document["version"] == 1 and document["findings"] == []
    assert [e["exitCode"] for e in document["errors"]] == [2]
    assert "run 'gitops init'" in document["errors"][0]["message"]


def test_exit_2_still_prints_valid_sarif_with_a_tool_execution_notification(
    tmp_path: Path,
) -> None:
    done = run(tmp_path, "check", "--format", "sarif")
    assert done.code == 2
    document = json.loads(done.out)
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(document)
    shared = Path("/work/shared/schemas/sarif-schema-2.1.0.json")
    if shared.is_file():
        jsonschema.Draft4Validator(json.loads(shared.read_text())).validate(document)
    (invocation,) = document["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error"
    assert "run 'gitops init'" in notification["message"]["text"]


def test_exit_2_still_prints_a_github_error_annotation(vendoring_repo: Path) -> None:
    app = VENDORED_APP.format(url="vendor/missing.yaml")
    (vendoring_repo / "apps/vendored.py").write_text(app, encoding="utf-8")
    done = run(vendoring_repo, "check", "--format", "github")
    assert done.code == 2
    (line,) = done.out.splitlines()
    assert line.startswith("::error title=gitops::apps/vendored.py:13: building app 'vendored'")
    assert "%0Afix: correct the code at that line" in line


@pytest.mark.parametrize(
    "args",
    [
        ("check", "--format", "json", "--no-such-flag"),
        ("lint", "--format=json", "--no-such-flag"),
        ("--no-such-flag", "validate", "--format", "json"),
        ("chek", "--format", "json"),
        ("check", "--format", "json", "--fail-on", "sometimes"),
    ],
)
def test_a_usage_error_still_prints_a_json_document(tmp_path: Path, args: tuple[str, ...]) -> None:
    done = run(tmp_path, *args)
    assert done.code == 2, done.out + done.err
    document = json.loads(done.out)
    assert document["findings"] == []
    (error,) = document["errors"]
    assert error["exitCode"] == 2
    assert error["message"].startswith("usage error: ")
    assert error["fix"].startswith("see 'gitops")
    # click's usual usage message still goes to stderr for people.
    assert "Try 'gitops" in done.err and "Error: " in done.err


def test_a_usage_error_prints_valid_sarif_and_a_github_annotation(tmp_path: Path) -> None:
    sarif = run(tmp_path, "check", "--no-such-flag", "--format", "sarif")
    assert sarif.code == 2
    document = json.loads(sarif.out)
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(document)
    (invocation,) = document["runs"][0]["invocations"]
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["message"]["text"] == "usage error: No such option '--no-such-flag'."
    assert notification["properties"]["fix"] == "see 'gitops check --help'"

    github = run(tmp_path, "lint", "--format", "github", "--no-such-flag")
    assert github.code == 2
    assert github.out == (
        "::error title=gitops::usage error: No such option '--no-such-flag'."
        "%0Afix: see 'gitops lint --help'\n"
    )


@pytest.mark.parametrize(
    "args",
    [
        ("check", "--no-such-flag"),  # text: the error is on stderr only
        ("check", "--format", "text", "--no-such-flag"),
        ("check", "--format", "yaml"),  # an unknown format has no document to print
    ],
)
def test_a_usage_error_without_a_machine_format_prints_nothing_on_stdout(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    done = run(tmp_path, *args)
    assert done.code == 2
    assert done.out == ""
    assert "Error: " in done.err


CUSTOM_KIND = """\
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
  namespace: shop
spec: {}
"""


@pytest.mark.parametrize(
    ("lint_toml", "code", "shown"),
    [
        ("", 1, "error   SC004 missing-schema"),
        (
            """\
            [[tool.gitops.lint.ignore]]
            rules = ["SC004"]
            reason = "Widget's CRD is installed by the platform team"
            """,
            0,
            "1 suppressed",
        ),
        ('disable = ["SC004"]\n', 0, "0 errors, 0 warnings"),
        ('disable = ["schema"]\n', 0, "0 errors, 0 warnings"),
        ('severity = { missing-schema = "warning" }\n', 0, "warning SC004 missing-schema"),
        ('[tool.gitops.lint.env.dev]\nseverity = { SC004 = "info" }\n', 0, "info    SC004"),
    ],
    ids=["default", "ignore", "disable-code", "disable-family", "severity-name", "env-severity"],
)
def test_every_listed_rule_code_is_accepted_in_lint_config(
    tmp_path: Path, lint_toml: str, code: int, shown: str
) -> None:
    repo = tmp_path / "repo"
    (repo / "rendered/dev/shop").mkdir(parents=True)
    (repo / "rendered/dev/shop/widget.w.yaml").write_text(CUSTOM_KIND, encoding="utf-8")
    pyproject = "[tool.gitops]\n[tool.gitops.lint]\n" + textwrap.dedent(lint_toml)
    (repo / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    done = gitops(repo, "check")
    assert done.code == code, done.out + done.err
    assert shown in done.out


def test_lint_flags_accept_codes_of_other_engines(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.gitops]\n", encoding="utf-8")
    (tmp_path / "w.yaml").write_text(CUSTOM_KIND, encoding="utf-8")
    done = gitops(tmp_path, "lint", str(tmp_path / "w.yaml"), "--disable", "SC004")
    assert "unknown rule" not in done.err
    assert done.code in (0, 1), done.err


def test_a_directory_narrows_exactly_like_its_files(config_repo: Path) -> None:
    def objects(*paths: str) -> int:
        done = gitops(config_repo, "check", "--format", "json", *paths)
        assert done.code == 0, done.out
        return int(json.loads(done.out)["summary"]["objects"])

    everything = objects()
    folder = objects("rendered/prod/my-app")
    one_file = objects("rendered/prod/my-app/deployment.my-app.yaml")
    assert folder == one_file < everything


def test_synth_summary_counts_what_it_rendered(config_repo: Path) -> None:
    done = gitops(config_repo, "synth", "--env", "prod", "--app", "my-app")
    assert done.code == 0, done.err
    assert done.out.startswith("rendered 1 app(s) x 1 env(s): ")


def test_each_command_help_describes_its_own_options() -> None:
    validate = run(ROOT, "validate", "--help").out
    fail_on = validate.split("--fail-on [")[1].split("-h, --help")[0]
    assert "tool.gitops.lint" not in fail_on
    assert "error (default)" in " ".join(fail_on.split())
    lint = run(ROOT, "lint", "--help").out
    assert "[tool.gitops.lint]" in " ".join(lint.split("--fail-on [")[1].split())
