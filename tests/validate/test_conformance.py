"""The built-in engine against kubeconform's own fixtures and their expected verdicts
(``../shared/corpus/kubeconform/expected.json``, ``fixture_verdicts_default_flags``).

kubeconform's default is non-strict, so its verdicts are compared with ``strict = false``;
strict mode is compared with its ``-strict`` tests. Documented differences, each asserted:

- ``duplicate_property.yaml``: kubeconform accepts a duplicated key unless ``-strict``; our
  loader always reports it (IN002), because YAML readers disagree on which value wins.
- ``httpproxy.yaml``: kubeconform passes it by downloading the CRDs-catalog schema; nothing is
  downloaded here, so it is an unknown kind (SC004), a warning with ignore_missing_schemas.
- ``grafana-alert-rule-group-sample.yaml`` and ``test_crd.yaml``: valid given the schema
  (kubeconform's ``-schema-location``; here ``schema_dirs`` or ``crds``), as upstream.
- ``valid.json`` is checked against 1.20 upstream; 1.25 is the oldest version with schemas.
"""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest

from gitops.findings import Severity
from gitops.validate.config import ValidateSettings
from gitops.validate.run import Outcome, validate
from tests.validate.helpers import shared_dir

SHARED = shared_dir()
CORPUS = SHARED / "corpus" / "kubeconform" if SHARED else None
VERDICTS: list[dict[str, Any]] = (
    json.loads((CORPUS / "expected.json").read_text())["fixture_verdicts_default_flags"]
    if CORPUS and CORPUS.is_dir()
    else []
)
DIFFERENCES = {"fixtures/duplicate_property.yaml", "fixtures/httpproxy.yaml"}
NEEDS_SCHEMA = {
    "fixtures/grafana-alert-rule-group-sample.yaml": {"schema_dirs": ("fixtures",)},
    "fixtures/test_crd.yaml": {"schema_dirs": ("fixtures/registry",)},
}


def check(fixture: str, **settings: Any) -> Outcome:
    assert CORPUS is not None
    return validate(
        [str(CORPUS / fixture)],
        root=CORPUS,
        settings=ValidateSettings(**settings),
        explicit_version="1.25",
    )


def verdict(outcome: Outcome) -> str:
    if outcome.objects == 0 and not outcome.findings:
        return "no resources"
    errors = [f for f in outcome.findings if f.severity >= Severity.ERROR]
    if not errors:
        return "valid"
    return (
        "error" if any(f.code.startswith("IN") or f.code == "SC004" for f in errors) else "invalid"
    )


pytestmark = pytest.mark.skipif(
    not VERDICTS, reason="kubeconform corpus (../shared/corpus) not present"
)


@pytest.mark.parametrize("case", VERDICTS, ids=[v["fixture"] for v in VERDICTS])
def test_fixture_verdicts(case: dict[str, Any]) -> None:
    fixture, expected = case["fixture"], case["verdict"]
    if expected == "ignored in test":
        pytest.skip("upstream only uses it to test --ignore-filename-pattern")
    if fixture in DIFFERENCES:
        pytest.skip("documented difference, asserted in its own test")
    if expected == "error unless schema available" or fixture in NEEDS_SCHEMA:
        assert verdict(check(fixture, strict=False)) == "error"
        assert verdict(check(fixture, strict=False, **NEEDS_SCHEMA[fixture])) == "valid"
        return
    if expected == "valid unless -strict":
        assert verdict(check(fixture, strict=False)) == "valid"
        assert verdict(check(fixture, strict=True)) == "invalid"
        return
    assert verdict(check(fixture, strict=False)) == expected
    if expected == "valid":
        assert verdict(check(fixture, strict=True)) == "valid", (
            "strict mode rejects a valid fixture"
        )


def test_duplicate_keys_are_always_reported() -> None:
    outcome = check("fixtures/duplicate_property.yaml", strict=False)
    assert [f.code for f in outcome.findings] == ["IN002"]


def test_offline_custom_resources_without_a_schema_are_unknown_kinds() -> None:
    assert [f.code for f in check("fixtures/httpproxy.yaml").findings] == ["SC004"]
    assert verdict(check("fixtures/httpproxy.yaml", ignore_missing_schemas=True)) == "valid"


def test_crd_files_validate_custom_resources_like_a_schema_location() -> None:
    crd_file = "fixtures/registry/sagemaker.aws.amazon.com_trainingjobs.yaml"
    assert verdict(check("fixtures/test_crd.yaml", crds=(crd_file,))) == "valid"


def test_list_errors_point_at_the_item_field() -> None:
    outcome = check("fixtures/list_invalid.yaml", strict=False)
    assert [(f.code, dict(f.extra)["jsonPath"]) for f in outcome.findings] == [
        ("SC002", "spec.replicas")
    ]


@pytest.mark.skipif(
    shutil.which("kubeconform") is None, reason="kubeconform is not installed on this machine"
)
@pytest.mark.parametrize("case", VERDICTS, ids=[v["fixture"] for v in VERDICTS])
@pytest.mark.parametrize("strict", [False, True])
def test_the_kubeconform_engine_reports_what_the_builtin_engine_reports(
    case: dict[str, Any], strict: bool
) -> None:
    fixture = case["fixture"]
    extra = NEEDS_SCHEMA.get(fixture, {})
    results = {
        engine: sorted(
            (f.code, f.line, f.message)
            for f in check(fixture, strict=strict, engine=engine, **extra).findings
        )
        for engine in ("builtin", "kubeconform")
    }
    assert results["kubeconform"] == results["builtin"]
