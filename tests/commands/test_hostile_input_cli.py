"""Valid YAML of unexpected shapes through the real CLI: findings and documented exit codes
(1 findings, 2 usage or input error), never an internal error (3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import gitops

ODD_SHAPES = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web, 80: x, true: y}
      annotations: {80: x, true: y}
    spec:
      containers:
      - name: c
        image: nginx:1.0
        livenessProbe:
          httpGet: {8080: x, port: 80}
        readinessProbe:
          httpGet: {1: 2}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec: [oops]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: shop}
spec:
  podSelector:
    matchExpressions:
    - key: {a: b}
      operator: In
      values: [x]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {80: web}, ports: [{port: 80}]}
---
apiVersion: v1
kind: ConfigMap
metadata: &m {name: loop, self: *m}
"""
CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: null}
          status: {type: object, properties: {5: {type: string}}}
          other: {type: string, pattern: '^(\\w+\\s?)*\\1$'}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec: {a: 1}
other: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!
---
apiVersion: example.com/v1
kind: %s
metadata: {name: long}
""" % ("K" * 300)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text('[tool.gitops]\nrepo_url = "https://x/y"\n')
    (tmp_path / "odd.yaml").write_text(ODD_SHAPES)
    (tmp_path / "crd.yaml").write_text(CRD)
    return tmp_path


@pytest.mark.parametrize("verb", ["lint", "validate"])
@pytest.mark.parametrize("name", ["odd.yaml", "crd.yaml"])
def test_odd_shapes_are_findings(repo: Path, verb: str, name: str) -> None:
    run = gitops(repo, verb, str(repo / name))
    # lint has no rule about CRD schemas: the CRD file is clean for it.
    assert run.code == (0 if (verb, name) == ("lint", "crd.yaml") else 1), run.err
    assert "internal error" not in run.err


def test_odd_shapes_report_what_is_wrong(repo: Path) -> None:
    lint = gitops(repo, "lint", str(repo / "odd.yaml"))
    assert "recursive alias" in lint.out
    validate = gitops(repo, "validate", str(repo / "odd.yaml"))
    assert 'unknown field "8080"' in validate.out
    assert "spec: expected an object (a mapping), got a list" in validate.out
    assert "matchExpressions[0].key: expected a string" in validate.out


def test_validate_without_input_is_a_usage_error_like_lint(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.gitops]\n")
    (tmp_path / "empty").mkdir()
    for verb in ("lint", "validate"):
        empty = gitops(tmp_path, verb, str(tmp_path / "empty"))
        assert empty.code == 2 and "no YAML or JSON files found" in empty.err, verb
        missing = gitops(tmp_path, verb)
        assert missing.code == 2 and "no rendered/" in missing.err, verb


def test_empty_kubernetes_version_and_missing_context_are_usage_errors(repo: Path) -> None:
    for verb in ("validate", "check"):
        run = gitops(repo, verb, "--kubernetes-version", "")
        assert run.code == 2 and "is not a Kubernetes version" in run.err, verb
    run = gitops(repo, "lint", "--context", str(repo / "missing"), str(repo / "odd.yaml"))
    assert run.code == 2 and "does not exist" in run.err


def test_a_300_character_kind_with_schema_dirs_is_a_missing_schema(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.gitops]\n[tool.gitops.validate]\nschema_dirs = ["schemas"]\n'
    )
    (tmp_path / "schemas").mkdir()
    (tmp_path / "long.yaml").write_text(
        f"apiVersion: {'g' * 70}.example.com/v1\nkind: {'K' * 300}\nmetadata: {{name: x}}\n"
    )
    run = gitops(tmp_path, "validate", str(tmp_path / "long.yaml"))
    assert run.code == 1, run.err
    assert "SC004" in run.out and "internal error" not in run.err


def test_a_pattern_the_regex_engine_gives_up_on_is_a_finding(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.gitops]\n")
    crd = CRD.replace("status: {type: object, properties: {5: {type: string}}}", "status: {}")
    crd = crd.replace("spec: {type: object, properties: null}", "spec: {type: object}")
    (tmp_path / "crd.yaml").write_text(crd)
    run = gitops(tmp_path, "validate", str(tmp_path / "crd.yaml"))
    assert run.code == 1, run.err
    assert "could not be checked against the schema's pattern" in run.out
