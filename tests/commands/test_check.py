"""gitops check: drift, schema and lint findings in one run, one report, one exit code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from gitops.errors import ExitCode
from gitops.report import REPORTERS
from tests.conftest import ROOT, gitops

SARIF_SCHEMA = ROOT / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
DEPLOYMENT = "rendered/prod/ml-inference-api/deployment.ml-inference-api.yaml"


def _json(repo: Path, *args: str) -> tuple[int, list[dict[str, object]]]:
    run = gitops(repo, "check", "--format", "json", *args)
    return run.code, json.loads(run.out)["findings"]


def test_this_repository_is_current_valid_and_clean() -> None:
    run = gitops(ROOT, "check")
    assert run.code == 0, run.out + run.err
    summary = r"0 errors, 0 warnings, 0 info; 0 suppressed; (\d+) objects in \1 files\n"
    assert re.fullmatch(summary, run.out), run.out


def test_drift_is_reported_with_codes_and_lines(config_repo: Path) -> None:
    edited = config_repo / DEPLOYMENT
    lines = edited.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "revisionHistoryLimit" in line)
    lines[at] = lines[at].replace("5", "3")
    edited.write_text("".join(lines))
    (config_repo / "rendered/dev/my-app/serviceaccount.my-app.yaml").unlink()
    code, findings = _json(config_repo)
    assert code == ExitCode.FINDINGS
    drift = {(f["code"], f["path"], f["line"]) for f in findings if str(f["code"]).startswith("RD")}
    assert drift == {
        ("RD001", DEPLOYMENT, at + 1),
        ("RD002", "rendered/dev/my-app/serviceaccount.my-app.yaml", 1),
    }
    # The object that is no longer committed is missing from lint's view too, so the
    # workload's ServiceAccount now counts as undefined: one run shows both consequences.
    assert any(f["code"] == "RB012" and f["name"] == "my-app" for f in findings)


def test_schema_and_lint_findings_from_an_overlay_point_at_rendered_lines(
    config_repo: Path,
) -> None:
    overlay = config_repo / "envs" / "prod.py"
    overlay.write_text(
        overlay.read_text()
        + "\n\ndef customize(app):\n"
        + "    if app.app_name == 'ml-inference-api':\n"
        + "        body = app.find('Deployment', 'ml-inference-api')\n"
        + "        body['spec']['replica'] = 3\n"
        + "        body['spec']['template']['spec']['containers'][0].pop('readinessProbe')\n"
    )
    assert gitops(config_repo, "synth").code == 0
    code, findings = _json(config_repo)
    assert code == ExitCode.FINDINGS
    text = (config_repo / DEPLOYMENT).read_text().splitlines()
    typo_line = 1 + next(i for i, line in enumerate(text) if line.strip().startswith("replica:"))
    by_code = {f["code"]: f for f in findings}
    assert set(by_code) == {"SC001", "PR001"}
    assert (by_code["SC001"]["path"], by_code["SC001"]["line"]) == (DEPLOYMENT, typo_line)
    assert 'did you mean "replicas"' in str(by_code["SC001"]["message"])
    # customize() removed the probe: the finding points at the overlay, not the app module
    assert by_code["PR001"]["source"] == "envs/prod.py (customize())"
    assert gitops(config_repo, "check", "--fail-on", "never").code == 0


def test_findings_on_fields_customize_did_not_change_name_the_app_module(
    config_repo: Path,
) -> None:
    """The counterpart of the test above: in an object customize() changed, a finding on a
    field it did not touch (the container's resources, from the app's construct) still names
    the app module and construct, and the index records who customized the object."""
    overlay = config_repo / "envs" / "prod.py"
    overlay.write_text(
        overlay.read_text()
        + "\n\ndef customize(app):\n"
        + "    if app.app_name == 'ml-inference-api':\n"
        + "        body = app.find('Deployment', 'ml-inference-api')\n"
        + "        body['spec']['template']['spec']['containers'][0].pop('readinessProbe')\n"
    )
    assert gitops(config_repo, "synth").code == 0
    index = json.loads((config_repo / ".gitops" / "render-index.json").read_text())
    assert index["files"][DEPLOYMENT]["customizedBy"] == "envs/prod.py"
    code, findings = _json(config_repo, "--preset", "strict")
    assert code == ExitCode.FINDINGS
    mine = {f["code"]: f for f in findings if f["path"] == DEPLOYMENT}
    assert mine["PR001"]["source"] == "envs/prod.py (customize())"
    # RS006 (no ephemeral-storage) is on the container's resources, untouched by customize()
    assert (
        mine["RS006"]["source"] == "apps/ml_inference_api.py (construct prod/ml-inference-api/api)"
    )
    assert "Make the change in apps/ml_inference_api.py" in str(mine["RS006"]["fix"])


def test_paths_narrow_the_run_to_their_apps(config_repo: Path) -> None:
    drifted = config_repo / "rendered/staging/ml-inference-api/service.ml-inference-api.yaml"
    drifted.write_text(drifted.read_text() + "# hand edit\n")
    assert gitops(config_repo, "check", "apps/my_app.py").code == 0
    run = gitops(config_repo, "check", "apps/ml_inference_api.py")
    assert run.code == ExitCode.FINDINGS
    assert "RD001 rendered-file-out-of-date" in run.out


@pytest.mark.parametrize("output_format", sorted(REPORTERS))
def test_every_format_carries_drift_findings(config_repo: Path, output_format: str) -> None:
    (config_repo / "rendered/prod/my-app/notes.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: notes, namespace: my-app}\n"
    )
    run = gitops(config_repo, "check", "--format", output_format)
    assert run.code == ExitCode.FINDINGS
    assert "RD003" in run.out
    if output_format == "sarif":
        document = json.loads(run.out)
        jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(document)
        rules = {r["id"] for r in document["runs"][0]["tool"]["driver"]["rules"]}
        assert "RD003" in rules
