"""Every validator code, with a failing and a passing example (the lint case harness cannot
run validator rules: they are reported by engines, not by per-object checks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops.commands.catalog import CATALOG
from gitops.findings import Severity
from gitops.validate.rules import RULES
from tests.validate.helpers import codes, only, run

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.0
          resources:
            limits: {cpu: 500m, memory: 256Mi}
"""

CASES: dict[str, tuple[str, str]] = {
    "SC001": (DEPLOYMENT.replace("  replicas: 2", "  replica: 2"), DEPLOYMENT),
    "SC002": (DEPLOYMENT.replace("cpu: 500m", "cpu: 1.5.0"), DEPLOYMENT),
    "SC003": (DEPLOYMENT.replace("        - name: web\n", "        - tty: true\n"), DEPLOYMENT),
    "SC004": (
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n",
    ),
    "AV001": (
        "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: p}\n"
        "spec: {minAvailable: 1}\n",
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p}\n"
        "spec: {minAvailable: 1}\n",
    ),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_failing_and_passing_example(tmp_path: Path, code: str) -> None:
    failing, passing = CASES[code]
    assert code in codes(run(tmp_path, failing)), code
    assert run(tmp_path, passing).findings == []


def test_unusable_schema_sc005(tmp_path: Path) -> None:
    crd = """\
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
                    spec: {type: object, properties: {size: {type: string, pattern: "(unclosed"}}}
        ---
        apiVersion: example.com/v1
        kind: Widget
        metadata: {name: w}
        spec: {size: big}
        """
    finding = only(run(tmp_path, crd), "SC005")
    assert finding.kind == "Widget"
    assert "CRD" in finding.message
    assert run(tmp_path, crd.replace('"(unclosed"', '"^[a-z]+$"')).findings == []


def test_deprecated_api_version_av002(tmp_path: Path) -> None:
    hpa = """\
        apiVersion: autoscaling/v2beta2
        kind: HorizontalPodAutoscaler
        metadata: {name: h}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          maxReplicas: 3
        """
    finding = only(run(tmp_path, hpa, version="1.25"), "AV002")
    assert finding.severity is Severity.WARNING
    assert "removed in 1.26" in finding.message and "use autoscaling/v2" in finding.message
    assert codes(run(tmp_path, hpa.replace("v2beta2", "v2"), version="1.25")) == []


def test_every_validator_code_is_covered_and_catalogued() -> None:
    assert {r.code for r in RULES} == {*CASES, "SC005", "AV002"}
    for r in RULES:
        assert CATALOG.by_code[r.code] is r
        assert r.engine == "validate"
        assert r.doc.summary.endswith(".") and r.doc.fix.endswith(".")
        assert len(r.doc.why) > 40


def test_ignore_missing_schemas_makes_unknown_kinds_warnings(tmp_path: Path) -> None:
    widget = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"
    finding = only(run(tmp_path, widget, ignore_missing_schemas=True), "SC004")
    assert finding.severity is Severity.WARNING
