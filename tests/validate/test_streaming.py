"""Streaming validation (one file loaded, checked and dropped at a time) reports exactly what
validating everything at once reports: the same bytes in every format, on the peers' corpus,
on vendor-style YAML, and when a CRD comes after the objects it defines."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops.commands.validate import outcome_report
from gitops.k8s.manifests import load
from gitops.report import REPORTERS
from gitops.validate.config import ValidateSettings
from gitops.validate.run import Outcome, validate
from tests.bench.gen_vendor import generate as generate_vendor
from tests.validate.helpers import REPO, shared_dir

SHARED = shared_dir()


def _reports(outcome: Outcome) -> dict[str, str]:
    report = outcome_report(outcome)
    return {name: reporter(report) for name, reporter in sorted(REPORTERS.items())}


def _both(paths: list[str], root: Path, **settings: object) -> tuple[Outcome, Outcome]:
    options = ValidateSettings(**settings)  # type: ignore[arg-type]
    streamed = validate(paths, root=root, settings=options, explicit_version="1.31")
    at_once = validate(
        paths, root=root, settings=options, explicit_version="1.31", loaded=load(paths)
    )
    return streamed, at_once


@pytest.mark.skipif(SHARED is None, reason="peer corpus (../shared) not present")
@pytest.mark.parametrize("ignore_missing_schemas", [False, True])
def test_streaming_reports_the_same_bytes_on_the_peer_corpus(ignore_missing_schemas: bool) -> None:
    assert SHARED is not None
    streamed, at_once = _both(
        [str(SHARED / "corpus")], REPO, ignore_missing_schemas=ignore_missing_schemas
    )
    assert streamed.objects > 2000 and len(streamed.findings) > 100
    assert _reports(streamed) == _reports(at_once)


def test_streaming_reports_the_same_bytes_on_vendor_yaml(tmp_path: Path) -> None:
    generate_vendor(tmp_path / "vendor", 400)
    (tmp_path / "vendor" / "broken.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
        "spec:\n  replica: 2\n  replicas: x\n---\na: [\n"
    )
    streamed, at_once = _both([str(tmp_path / "vendor")], tmp_path)
    assert streamed.objects == 401 and streamed.findings
    assert _reports(streamed) == _reports(at_once)


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
          spec:
            type: object
            properties: {size: {type: integer}}
"""
WIDGET = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: big}\n"


@pytest.mark.parametrize("crd_first", [True, False])
def test_a_crd_applies_to_objects_in_files_before_it(tmp_path: Path, crd_first: bool) -> None:
    names = ("a.yaml", "b.yaml") if crd_first else ("b.yaml", "a.yaml")
    (tmp_path / names[0]).write_text(CRD)
    (tmp_path / names[1]).write_text(WIDGET)
    streamed, at_once = _both([str(tmp_path)], tmp_path)
    assert [f.message for f in streamed.findings] == [
        'spec.size: expected an integer, got string "big"'
    ]
    assert _reports(streamed) == _reports(at_once)
