"""Custom resources: packaged CRD schemas, CRDs in the input, the user's CRD files and schema
directories, and the openAPIV3Schema conversion."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from gitops.errors import ConfigError
from gitops.validate.crds import packaged_crd, packaged_files
from gitops.validate.openapi import crd_json_schema
from gitops.validate.vendor_crds import vendor
from tests.validate.helpers import codes, only, run, shared_dir

REQUIRED = [
    ("argoproj.io", "Application"),
    ("argoproj.io", "ApplicationSet"),
    ("argoproj.io", "AppProject"),
    ("argoproj.io", "Rollout"),
    ("argoproj.io", "AnalysisTemplate"),
    ("monitoring.coreos.com", "PrometheusRule"),
    ("monitoring.coreos.com", "ServiceMonitor"),
    ("external-secrets.io", "ExternalSecret"),
    ("argoproj.io", "Workflow"),
]
WIDGET_CRD = """\
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
              required: [size]
              properties:
                size: {type: integer, minimum: 1}
                port: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}
                note: {type: string, nullable: true}
                extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
    - name: v1alpha1
      served: false
      storage: false
      schema:
        openAPIV3Schema: {type: object}
"""
WIDGET = "apiVersion: example.com/%s\nkind: Widget\nmetadata: {name: w}\nspec: %s\n"


@pytest.mark.parametrize(("group", "kind"), REQUIRED, ids=[k for _, k in REQUIRED])
def test_packaged_crds_cover_what_we_emit_and_record_their_source(group: str, kind: str) -> None:
    crd = packaged_crd(group, kind)
    assert crd is not None
    assert set(crd.source) >= {"repository", "path", "commit", "license", "sha256"}
    assert packaged_crd(group, kind.lower()) is None  # kinds are case-sensitive


def test_packaged_schemas_are_what_the_upstream_crds_give(tmp_path: Path) -> None:
    shared = shared_dir()
    if shared is None or not (shared / "crds").is_dir():
        pytest.skip("no upstream CRDs (../shared/crds) to compare with")
    vendor(shared / "crds", tmp_path)
    packaged = Path(__file__).parents[2] / "gitops" / "validate" / "crd_schemas"
    for group, kind in packaged_files():
        ours = gzip.decompress((packaged / group / f"{kind}.json.gz").read_bytes())
        fresh = gzip.decompress((tmp_path / group / f"{kind}.json.gz").read_bytes())
        assert ours == fresh, f"{group}/{kind}: run python -m gitops.validate.vendor_crds"
    for group_dir in tmp_path.iterdir():
        if group_dir.is_dir():
            assert (packaged / group_dir.name / "LICENSE").read_bytes() == (
                group_dir / "LICENSE"
            ).read_bytes()


def test_a_packaged_crd_validates_custom_resources(tmp_path: Path) -> None:
    rule = """\
        apiVersion: monitoring.coreos.com/v1
        kind: PrometheusRule
        metadata: {name: r}
        spec:
          groups:
            - name: g
              rules: [{alert: Down, expr: up == 0, for: 5m}]
        """
    assert run(tmp_path, rule).findings == []
    finding = only(run(tmp_path, rule.replace("alert: Down", "alret: Down")), "SC001")
    assert "packaged CRD prometheus-operator/prometheus-operator@" in dict(finding.extra)["schema"]


def test_an_unserved_crd_version_is_reported_as_removed(tmp_path: Path) -> None:
    secret = "apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata: {name: s}\n"
    finding = only(run(tmp_path, secret), "AV001")
    assert "no longer served" in finding.message and "external-secrets.io/v1" in finding.message


def test_crds_in_the_input_register_their_schemas(tmp_path: Path) -> None:
    good = (
        WIDGET_CRD + "---\n" + WIDGET % ("v1", "{size: 2, port: http, note: null, extra: {a: 1}}")
    )
    assert run(tmp_path, good).findings == []
    bad = WIDGET_CRD + "---\n" + WIDGET % ("v1", "{size: 0, port: 1.5, color: red}")
    assert sorted(codes(run(tmp_path, bad))) == ["SC001", "SC002", "SC002"]
    missing = WIDGET_CRD + "---\n" + WIDGET % ("v1", "{}")
    assert codes(run(tmp_path, missing)) == ["SC003"]
    unserved = WIDGET_CRD + "---\n" + WIDGET % ("v1alpha1", "{}")
    assert codes(run(tmp_path, unserved)) == ["AV001"]
    unknown_version = WIDGET_CRD + "---\n" + WIDGET % ("v2", "{}")
    message = only(run(tmp_path, unknown_version), "SC004").message
    assert message.startswith("example.com/v2 Widget is not served: CRD ")
    assert message.endswith("serves Widget as example.com/v1")


def test_configured_crd_files_and_schema_dirs(tmp_path: Path) -> None:
    (tmp_path / "crds").mkdir()
    (tmp_path / "crds" / "widget.yaml").write_text(WIDGET_CRD)
    widget = WIDGET % ("v1", "{size: 0}")
    assert codes(run(tmp_path, widget, crds=("crds/*.yaml",))) == ["SC002"]
    (tmp_path / "schemas" / "example.com").mkdir(parents=True)
    schema = {"type": "object", "properties": {"spec": {"type": "object", "required": ["color"]}}}
    (tmp_path / "schemas" / "example.com" / "widget_v1.json").write_text(json.dumps(schema))
    assert codes(run(tmp_path, widget, schema_dirs=("schemas",))) == ["SC003"]
    with pytest.raises(ConfigError, match="matches no files"):
        run(tmp_path, widget, crds=("nothing/*.yaml",))
    with pytest.raises(ConfigError, match="not a directory"):
        run(tmp_path, widget, schema_dirs=("missing",))


def test_schemas_are_never_fetched(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    remote = {"$ref": "https://example.com/schemas/widget.json"}
    (tmp_path / "schemas" / "widget_v1.json").write_text(json.dumps(remote))
    finding = only(run(tmp_path, WIDGET % ("v1", "{}"), schema_dirs=("schemas",)), "SC005")
    assert "not available offline" in finding.message


def test_conversion_follows_the_api_server() -> None:
    openapi = {
        "type": "object",
        "properties": {
            "count": {"type": "integer", "minimum": 0, "exclusiveMinimum": True, "format": "int32"},
            "when": {"type": "string", "format": "date-time"},
            "wait": {"type": "string", "format": "duration"},
            "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
            "one": {"anyOf": [{"properties": {"a": {"type": "string"}}}, {"required": ["b"]}]},
        },
    }
    schema = crd_json_schema(openapi, strict=True)
    props = schema["properties"]
    assert props["count"] == {"type": ["integer", "null"], "exclusiveMinimum": 0}
    assert props["when"]["format"] == "date-time"
    assert "format" not in props["wait"]  # Go durations, not ISO 8601
    assert "additionalProperties" not in props["free"]
    assert "additionalProperties" not in props["one"]["anyOf"][0]  # junctor branches stay open
    assert schema["additionalProperties"] is False
    assert crd_json_schema(openapi, strict=False).get("additionalProperties") is None


def test_names_from_the_input_never_become_file_paths(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "secret_v1.json").write_text('{"type": "object"}')
    sneaky = "apiVersion: ../v1\nkind: Secret\nmetadata: {name: s}\n"
    assert codes(run(tmp_path, sneaky, schema_dirs=("schemas",))) == ["SC004"]


def test_schema_dir_refs_resolve_to_local_files_only_inside_the_dirs(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "_size.json").write_text('{"type": "integer"}')
    (tmp_path / "outside.json").write_text('{"type": "integer"}')
    schema = {"properties": {"spec": {"properties": {"size": {"$ref": "_size.json"}}}}}
    (tmp_path / "schemas" / "widget_v1.json").write_text(json.dumps(schema))
    assert codes(run(tmp_path, WIDGET % ("v1", "{size: big}"), schema_dirs=("schemas",))) == [
        "SC002"
    ]
    schema["properties"]["spec"]["properties"]["size"]["$ref"] = "../outside.json"
    (tmp_path / "schemas" / "widget_v1.json").write_text(json.dumps(schema))
    finding = only(run(tmp_path, WIDGET % ("v1", "{size: 1}"), schema_dirs=("schemas",)), "SC005")
    assert "outside the configured schema directories" in finding.message


CRON_WORKFLOW = """\
    apiVersion: argoproj.io/v1alpha1
    kind: CronWorkflow
    metadata: {name: nightly, namespace: ml}
    spec:
      schedules: ["0 2 * * *"]
      timezone: UTC
      concurrencyPolicy: Forbid
      workflowSpec:
        entrypoint: main
        securityContext: {runAsNonRoot: true}
        templates:
          - name: main
            container: {image: "ghcr.io/acme/train:1.0.0", command: [python, train.py]}
    """


def test_cron_workflow_and_cluster_workflow_template_are_packaged(tmp_path: Path) -> None:
    for kind, base in (
        ("CronWorkflow", "Workflow"),
        ("ClusterWorkflowTemplate", "WorkflowTemplate"),
    ):
        crd = packaged_crd("argoproj.io", kind)
        assert crd is not None
        assert crd.source["derived"] == f"derived from the {base} CRD"
        assert crd.source["license"] == "Apache-2.0"
    assert run(tmp_path, CRON_WORKFLOW).findings == []
    # the workflowSpec is the Workflow CRD's spec: a typo inside a template is a schema finding
    typo = CRON_WORKFLOW.replace("command: [python", "comand: [python")
    assert "comand" in only(run(tmp_path, typo), "SC001").message
    cluster = """\
        apiVersion: argoproj.io/v1alpha1
        kind: ClusterWorkflowTemplate
        metadata: {name: shared-steps}
        spec:
          templates:
            - name: hello
              container: {image: "ghcr.io/acme/hello:1.0.0"}
        """
    assert run(tmp_path, cluster).findings == []
