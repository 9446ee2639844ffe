"""The kubeconform engine. Its schema directory and output mapping are tested directly; runs
of the real binary are skipped when kubeconform is not installed (it cannot be here)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema_rs
import pytest

from gitops.k8s.manifests import load
from gitops.validate.config import ValidateSettings
from gitops.validate.kubeconform import (
    CORE_LOCATION,
    CRD_LOCATION,
    KubeconformEngine,
    KubeconformError,
    command,
    write_schemas,
)
from gitops.validate.plan import plan
from gitops.validate.run import validate
from gitops.validate.store import SchemaStore
from gitops.validate.versions import VersionResolver
from tests.validate.helpers import REPO, shared_dir

SHARED = shared_dir()
KUBECONFORM_OUTPUT = (SHARED or REPO) / "corpus" / "kubeconform-output"

BROKEN = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
    "spec:\n  replica: 2\n  replicas: x\n"
)


def _targets(paths: list[str]):  # type: ignore[no-untyped-def]
    loaded = load(paths)
    resolver = VersionResolver(REPO, explicit="1.31", configured=None, index=None)
    return plan(
        loaded.manifests, resolver, SchemaStore(strict=True), ignore_missing_schemas=False
    ).targets


def test_a_missing_binary_is_one_clear_error_naming_the_fallback(
    monkeypatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(KubeconformError) as error:
        KubeconformEngine(strict=True)
    assert "not on PATH" in error.value.message and "--engine builtin" in (error.value.fix or "")


def test_a_failing_binary_is_one_clear_error_with_command_and_status(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text(BROKEN)
    engine = KubeconformEngine(strict=True, binary=shutil.which("false"))
    with pytest.raises(KubeconformError) as error:
        engine.check(_targets([str(tmp_path / "d.yaml")]))
    assert "-kubernetes-version 1.31.0" in error.value.message
    assert "exit status 1" in error.value.message and "--engine builtin" in (error.value.fix or "")


def test_argv_is_explicit(tmp_path: Path) -> None:
    argv = command("kubeconform", "1.31", tmp_path, True, tmp_path / "objects")
    assert argv[:8] == [
        "kubeconform",
        "-strict",
        "-summary",
        "-output",
        "json",
        "-kubernetes-version",
        "1.31.0",
        "-schema-location",
    ]
    assert argv[8] == str(tmp_path / CORE_LOCATION) and argv[10] == str(tmp_path / CRD_LOCATION)
    assert argv[11] == "-n" and argv[-1] == str(tmp_path / "objects")


def test_the_schema_directory_holds_standalone_schemas(tmp_path: Path) -> None:
    rendered = [str(REPO / "rendered" / "prod"), str(REPO / "rendered" / "argocd")]
    targets = _targets(rendered)
    written = write_schemas(tmp_path, targets, strict=True)
    names = {p.relative_to(tmp_path).as_posix() for p in written}
    assert {
        "deployment-apps-v1.json",
        "service-v1.json",
        "crds/argoproj.io/rollout_v1alpha1.json",
    } <= names
    for path in written:
        schema = json.loads(path.read_text())
        # No registry and no retrieval: every $ref must resolve inside the file.
        validator = jsonschema_rs.validator_for(schema, offline=True)
        for target in targets:
            if target.manifest.kind.lower() == path.name.split("-")[0].split("_")[0]:
                assert validator.is_valid(target.manifest.body), target.manifest.path


@pytest.mark.skipif(
    shutil.which("kubeconform") is None, reason="kubeconform is not installed on this machine"
)
@pytest.mark.parametrize(
    "name", ["broken", *sorted(p.stem for p in KUBECONFORM_OUTPUT.glob("*.yaml"))]
)
def test_kubeconform_agrees_with_the_builtin_engine(tmp_path: Path, name: str) -> None:
    source = tmp_path / "d.yaml"
    if name == "broken":
        source.write_text(BROKEN)
    else:
        shutil.copy(KUBECONFORM_OUTPUT / f"{name}.yaml", source)
    results = {}
    for engine in ("builtin", "kubeconform"):
        outcome = validate(
            [str(source)],
            root=tmp_path,
            settings=ValidateSettings(engine=engine),
            explicit_version="1.31",
        )
        results[engine] = sorted((f.code, f.line, f.message) for f in outcome.findings)
    assert results["builtin"] == results["kubeconform"]
