"""SARIF output validates against the SARIF 2.1.0 schema and carries rules and suppressions."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft4Validator

from gitops.report import REPORTERS, Report

SCHEMA = Path(__file__).parents[1] / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"


def sarif(report: Report) -> dict:  # type: ignore[type-arg]
    document = json.loads(REPORTERS["sarif"](report))
    errors = sorted(Draft4Validator(json.loads(SCHEMA.read_text())).iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    return document


def test_sarif_is_valid_and_complete(mixed_report: Report) -> None:
    run = sarif(mixed_report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == sorted(ids) and {"IM001", "GH004", "IN001"} <= set(ids)
    results = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): r
        for r in run["results"]
    }
    api = results[("IM001", "k8s/api.yaml")]
    assert api["level"] == "error" and ids[api["ruleIndex"]] == "IM001"
    assert api["locations"][0]["physicalLocation"]["region"] == {"startLine": 13, "startColumn": 9}
    assert api["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == (
        "shop/Deployment/api/api"
    )
    assert 'image "api:latest"' in api["message"]["text"]
    assert "suppressions" not in api
    assert results[("IN001", "k8s/broken.yaml")]["level"] == "error"
    assert results[("GH004", "k8s/noreason.yaml")]["level"] == "warning"


def test_suppressed_findings_are_results_with_suppressions(mixed_report: Report) -> None:
    results = sarif(mixed_report)["runs"][0]["results"]
    suppressed = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r["suppressions"]
        for r in results
        if "suppressions" in r
    }
    assert suppressed == {
        "k8s/legacy.yaml": [{"kind": "inSource", "justification": "retired in Q3"}],
        "vendor/chart.yaml": [
            {
                "kind": "external",
                "justification": "config: upstream chart, 100% vendored: do not edit",
            }
        ],
    }


def test_rule_descriptor_has_docs_and_examples_from_cases(mixed_report: Report) -> None:
    rules = sarif(mixed_report)["runs"][0]["tool"]["driver"]["rules"]
    im001 = next(r for r in rules if r["id"] == "IM001")
    assert im001["name"] == "mutable-image-tag"
    assert im001["shortDescription"]["text"] == (
        "A container image uses the tag `latest`, or no tag at all."
    )
    assert im001["fullDescription"]["text"].startswith("The image behind the tag changes")
    assert im001["defaultConfiguration"] == {"level": "error", "enabled": True}
    markdown = im001["help"]["markdown"]
    assert "**Fix:** Pin a release tag" in markdown
    assert "**Bad:**\n\n```yaml\napiVersion: apps/v1" in markdown
    assert "image: nginx:latest" in markdown and "image: nginx:1.27.2" in markdown
    assert "Good:\napiVersion: apps/v1" in im001["help"]["text"]
