"""Schema errors are one readable line each, located at the offending field's line."""

from __future__ import annotations

from pathlib import Path

from tests.validate.helpers import run

BROKEN = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {tier: 5}
spec:
  replica: 3
  replicas: "3"
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      contianers: []
      containers:
        - name: web
          image: registry.example.com/web:1.0
          resources:
            limits:
              cpu: 1.5.0
              memory: 1Gi
          readinessProbe:
            httpGet: {port: 1.5}
"""


def test_each_error_names_the_field_what_was_expected_and_its_line(tmp_path: Path) -> None:
    found = [(f.line, f.code, f.message) for f in run(tmp_path, BROKEN).findings]
    assert found == [
        (5, "SC002", "metadata.labels.tier: expected a string, got integer 5"),
        (7, "SC001", 'unknown field "replica" in spec; did you mean "replicas"?'),
        (8, "SC002", 'spec.replicas: expected an integer, got string "3"'),
        (
            15,
            "SC001",
            'unknown field "contianers" in spec.template.spec; did you mean "containers"?',
        ),
        (
            21,
            "SC002",
            'spec.template.spec.containers[0].resources.limits.cpu: string "1.5.0" is not a '
            "quantity such as 500m, 2, 1.5, 512Mi or 1Gi",
        ),
        (
            24,
            "SC002",
            "spec.template.spec.containers[0].readinessProbe.httpGet.port: expected an integer "
            "or a string, got number 1.5",
        ),
    ]


def test_findings_carry_the_json_path_version_and_schema(tmp_path: Path) -> None:
    finding = next(f for f in run(tmp_path, BROKEN).findings if f.code == "SC001")
    assert dict(finding.extra) == {
        "jsonPath": "spec.replica",
        "kubernetesVersion": "1.31",
        "schema": "Kubernetes 1.31",
    }
    assert (finding.kind, finding.name, finding.namespace) == ("Deployment", "web", "default")


def test_quantities_and_int_or_string_are_checked_as_the_api_server_does(tmp_path: Path) -> None:
    limits = """\
        apiVersion: v1
        kind: LimitRange
        metadata: {name: l}
        spec:
          limits:
            - type: Container
              default: {cpu: %s, memory: 512Mi}
        """
    for good in ("1", "1.5", "500m", '"2"', "1e3", "100Ki", "0.5Gi", "+1"):
        assert run(tmp_path, limits % good).findings == [], good
    for bad in ("1.5.0", '"1 "', "2x", "Gi", "1.5 G", '""', "true"):
        assert [f.code for f in run(tmp_path, limits % bad).findings] == ["SC002"], bad


def test_a_null_int_or_string_is_accepted_like_any_unset_field(tmp_path: Path) -> None:
    service = (
        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"
        "spec:\n  ports: [{port: 80, targetPort: null}]\n"
    )
    assert run(tmp_path, service).findings == []


def test_secret_data_must_be_base64(tmp_path: Path) -> None:
    secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {key: %s}\n"
    assert run(tmp_path, secret % "aGVsbG8=").findings == []
    finding = run(tmp_path, secret % "not-base64!").findings[0]
    assert finding.code == "SC002" and "base64" in finding.message


def test_integer_mapping_keys_are_validated_as_the_api_server_reads_them(tmp_path: Path) -> None:
    config = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  80: http\n"
    assert run(tmp_path, config).findings == []


def test_long_values_are_shortened(tmp_path: Path) -> None:
    config = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: %s}\n" % (
        "[" + "1," * 500 + "1]"
    )
    message = run(tmp_path, config).findings[0].message
    assert message == "data.a: expected a string, got a list of 501 item(s)"
