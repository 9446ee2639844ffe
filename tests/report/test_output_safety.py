"""No secret value and no control character from a manifest reaches any report, in any
format, from any verb (through the real CLI; stdout and stderr both checked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops.report import REPORTERS
from tests.conftest import gitops

SECRET_VALUES = (
    "SUPERSECRETVALUE!!!",
    "-----BEGIN PRIVATE KEY-----MIIEvQIBADANBg",
    "HUNTER2HUNTER2",
    "123456789",
    "987654321",
    "TOPSECRETINT",
    'QUOTED\\"SECRET',
)
SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: creds
  namespace: shop
data:
  password: SUPERSECRETVALUE!!!
  tls.key: "-----BEGIN PRIVATE KEY-----MIIEvQIBADANBg"
  .dockerconfigjson: '{"auths":{"x":{"auth":"HUNTER2HUNTER2"}}}'
  num: 123456789
  quoted: "QUOTED\\\\\\"SECRET"
  nested: {deeper: HUNTER2HUNTER2}
stringData:
  token: 987654321
---
apiVersion: v1
kind: Secret
metadata: {name: tagged}
data:
  password: !!int TOPSECRETINT
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Secret
  metadata: {name: in-list}
  data: {key: SUPERSECRETVALUE!!!}
"""
EVIL_NAME = "x\\n::error file=pwned.yaml,line=1::INJECTED\\e]8;;http://evil\\a\\u202e"
EVIL = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: "{EVIL_NAME}"
  namespace: "ns\\r\\n::warning::ALSO"
spec:
  replicas: "\\e[31mred\\n::error::VALUE"
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: "c\\n::notice::C", image: "nginx:latest\\n::error::IMAGE"}}]
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text('[tool.gitops]\nrepo_url = "https://x/y"\n')
    (tmp_path / "secret.yaml").write_text(SECRET)
    (tmp_path / "evil.yaml").write_text(EVIL)
    return tmp_path


@pytest.mark.parametrize("verb", ["lint", "validate"])
@pytest.mark.parametrize("output_format", sorted(REPORTERS))
def test_no_secret_value_in_any_output(repo: Path, verb: str, output_format: str) -> None:
    run = gitops(repo, verb, "--format", output_format, str(repo / "secret.yaml"))
    assert run.code == 1, run.err
    for value in SECRET_VALUES:
        assert value not in run.out and value not in run.err, value
    if verb == "validate":
        # Still says what is wrong, and where.
        assert "data.password" in run.out and "19-character string" in run.out


def test_secret_values_are_hidden_even_when_quoted_by_another_engine(repo: Path) -> None:
    """The last line of defence: a message that quotes a value (kubeconform's do) is
    redacted when it becomes a finding."""
    from gitops.k8s.manifests import load
    from gitops.validate import rules
    from gitops.validate.located import finding

    manifest = load([str(repo / "secret.yaml")]).manifests[0]
    found = finding(
        manifest,
        rules.RULES[0],
        ("data", "password"),
        'data.password: "SUPERSECRETVALUE!!!" is not valid; also 123456789',
        kubernetes_version="1.31",
    )
    assert "SUPERSECRET" not in found.message and "123456789" not in found.message


@pytest.mark.parametrize("verb", ["lint", "validate"])
@pytest.mark.parametrize("output_format", sorted(REPORTERS))
def test_no_control_character_or_workflow_command_from_manifests(
    repo: Path, verb: str, output_format: str
) -> None:
    run = gitops(repo, verb, "--format", output_format, str(repo / "evil.yaml"))
    assert run.code == 1, run.err
    if output_format != "github":  # annotations name the file, not the object
        assert "INJECTED" in run.out  # the name is shown, escaped
    for line in run.out.splitlines():
        assert "\x1b" not in line and "\x07" not in line and "\u202e" not in line
        assert "\r" not in line
        stripped = line.lstrip()
        if stripped.startswith("::"):
            # Only the github reporter writes workflow commands: one per finding, its own.
            assert output_format == "github", line
            assert stripped.startswith(("::error file=", "::warning file=", "::notice file="))
            assert "pwned" not in stripped.split("::")[1]


def test_text_escapes_a_path_that_would_be_a_workflow_command(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.gitops]\nrepo_url = "https://x/y"\n')
    evil = tmp_path / "::error file=a::INJECTED.yaml"
    evil.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: [1]\n")
    import os

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        run = gitops(tmp_path, "validate", evil.name)
    finally:
        os.chdir(cwd)
    assert run.code == 1
    assert "./::error file=a::INJECTED.yaml" in run.out
    assert not any(line.startswith("::") for line in run.out.splitlines())


def test_the_command_line_offers_every_reporter_and_no_other() -> None:
    """``--format`` choices are listed without importing the reporters: the same names."""
    from gitops.commands.choices import REPORT_FORMATS

    assert tuple(sorted(REPORTERS)) == REPORT_FORMATS
