"""lint/check --new-since and --baseline: identities without files or lines, against real git."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from gitops.errors import ExitCode
from tests.conftest import gitops
from tests.repo import focus
from tests.review.gitrepo import PYPROJECT, commit, deployment, git, init, move

SCHEMA = Path(__file__).parents[1] / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
LINT = PYPROJECT + "[tool.gitops.lint]\n" + focus("images")


def latest(name: str = "web", namespace: str = "shop") -> str:
    return deployment(name=name, namespace=namespace, image=f"ghcr.io/acme/{name}:latest")


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "repo"
    base = init(root, {"rendered/dev/shop/deployment.web.yaml": latest()}, pyproject=LINT)
    return root, base


def sarif_results(root: Path, *args: str) -> list[dict]:  # type: ignore[type-arg]
    run = gitops(root, *args, "--format", "sarif")
    document = json.loads(run.out)
    errors = list(Draft4Validator(json.loads(SCHEMA.read_text())).iter_errors(document))
    assert not errors, errors
    results = document["runs"][0]["results"]
    assert isinstance(results, list)
    return results


def test_existing_finding_is_counted_not_failing(repo: tuple[Path, str]) -> None:
    root, base = repo
    assert gitops(root, "lint").code == ExitCode.FINDINGS
    run = gitops(root, "lint", "--new-since", base)
    assert run.code == ExitCode.OK, run.out
    assert "IM001" not in run.out and "1 suppressed" in run.out


def test_moving_files_reports_zero_new_findings(repo: tuple[Path, str]) -> None:
    root, base = repo
    move(root, "rendered/dev/shop/deployment.web.yaml", "rendered/dev/shop/web/deploy.yaml")
    text = (root / "rendered/dev/shop/web/deploy.yaml").read_text()
    (root / "rendered/dev/shop/web/deploy.yaml").write_text("# reformatted\n\n" + text)
    commit(root, "move and reformat")
    run = gitops(root, "lint", "--new-since", base)
    assert run.code == ExitCode.OK and "0 errors" in run.out and "1 suppressed" in run.out
    (result,) = sarif_results(root, "lint", "--new-since", base)
    assert result["baselineState"] == "unchanged"


def test_same_named_object_in_another_app_is_new(repo: tuple[Path, str]) -> None:
    root, base = repo
    commit(root, "cart", {"rendered/dev/cart/deployment.web.yaml": latest(namespace="shop")})
    run = gitops(root, "lint", "--new-since", base)
    assert run.code == ExitCode.FINDINGS
    assert "rendered/dev/cart/deployment.web.yaml" in run.out
    assert "rendered/dev/shop/deployment.web.yaml" not in run.out
    states = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r
        for r in sarif_results(root, "lint", "--new-since", base)
    }
    cart, shop = (
        states["rendered/dev/cart/deployment.web.yaml"],
        states["rendered/dev/shop/deployment.web.yaml"],
    )
    assert (cart["baselineState"], shop["baselineState"]) == ("new", "unchanged")
    assert cart["partialFingerprints"] != shop["partialFingerprints"]


def test_fixed_finding_is_absent_in_sarif(repo: tuple[Path, str]) -> None:
    root, base = repo
    commit(root, "fix", {"rendered/dev/shop/deployment.web.yaml": deployment()})
    (result,) = sarif_results(root, "lint", "--new-since", base)
    assert result["baselineState"] == "absent"
    assert gitops(root, "lint", "--new-since", base).code == ExitCode.OK


def test_sarif_without_base_has_fingerprints_and_no_state(repo: tuple[Path, str]) -> None:
    root, _ = repo
    (result,) = sarif_results(root, "lint")
    assert set(result["partialFingerprints"]) == {"gitopsIdentity/v1"}
    assert "baselineState" not in result
    commit(root, "clean", {"rendered/dev/shop/deployment.web.yaml": deployment()})
    assert sarif_results(root, "lint") == []


def test_check_new_since(repo: tuple[Path, str]) -> None:
    root, base = repo
    commit(root, "second", {"rendered/dev/cart/deployment.api.yaml": latest("api", "cart")})
    run = gitops(root, "check", "--new-since", base, "--format", "github")
    assert run.code == ExitCode.FINDINGS
    errors = [line for line in run.out.splitlines() if line.startswith("::error ")]
    # The schema error and the mutable tag of the new object; the old object's are counted.
    assert len(errors) == 2 and all(
        "file=rendered/dev/cart/deployment.api.yaml" in e for e in errors
    )
    assert "2 suppressed" in run.out


def test_unknown_new_since_revision(repo: tuple[Path, str]) -> None:
    root, _ = repo
    run = gitops(root, "lint", "--new-since", "nope")
    assert run.code == ExitCode.USAGE and "unknown --new-since revision 'nope'" in run.err


def test_baseline_update_new_stale_and_prune(repo: tuple[Path, str]) -> None:
    root, _ = repo
    baseline = root / ".gitops" / "lint-baseline.json"
    missing = gitops(root, "lint", "--baseline", str(baseline))
    assert missing.code == ExitCode.USAGE and "--update-baseline" in missing.err
    assert gitops(root, "lint", "--baseline", str(baseline), "--update-baseline").code == 0
    document = json.loads(baseline.read_text())
    assert document["findings"] == [
        {
            "app": "shop",
            "container": "web",
            "env": "dev",
            "group": "apps",
            "kind": "Deployment",
            "name": "web",
            "namespace": "shop",
            "path": "",
            "rule": "IM001",
        }
    ]
    document["findings"][0]["reason"] = "migrating to digests in Q3"
    baseline.write_text(json.dumps(document))
    assert gitops(root, "lint", "--baseline", str(baseline)).code == ExitCode.OK
    # A new violation elsewhere fails; the baselined one stays quiet.
    commit(root, "more", {"rendered/dev/cart/deployment.api.yaml": latest("api", "cart")})
    run = gitops(root, "lint", "--baseline", str(baseline))
    assert (
        run.code == ExitCode.FINDINGS and "cart" in run.out and "rendered/dev/shop" not in run.out
    )
    # Fix the baselined one: its entry is stale, reported, and pruned on request.
    commit(root, "fix", {"rendered/dev/shop/deployment.web.yaml": deployment()})
    stale = gitops(root, "lint", "--baseline", str(baseline), "--disable", "IM001")
    assert "1 stale entries" in stale.err and "IM001 dev/shop Deployment shop/web" in stale.err
    gitops(root, "lint", "--baseline", str(baseline), "--update-baseline", "--prune-baseline")
    entries = json.loads(baseline.read_text())["findings"]
    assert [(e["app"], e["name"]) for e in entries] == [("cart", "api")]
    assert gitops(root, "lint", "--baseline", str(baseline)).code == ExitCode.OK
    git(root, "status")
