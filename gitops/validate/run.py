"""One validation run: load the input, gather CRD schemas, plan, check with an engine."""

from __future__ import annotations

import glob
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gitops.errors import ConfigError
from gitops.findings import Finding
from gitops.k8s.manifests import LoadResult, Manifest, load
from gitops.k8s.render_index import RenderIndex
from gitops.rules.input import INPUT_REGISTRY
from gitops.rules.registry import problem_findings
from gitops.validate.builtin import BuiltinEngine
from gitops.validate.config import ValidateSettings
from gitops.validate.crds import CrdVersion, crd_versions, is_crd
from gitops.validate.located import SourceOf
from gitops.validate.plan import plan
from gitops.validate.store import SchemaStore
from gitops.validate.versions import VersionResolver

KUBECONFORM = "kubeconform"


@dataclass(frozen=True)
class Outcome:
    findings: list[Finding]
    files: int
    objects: int
    engine: str


def choose_engine(name: str) -> str:
    """``auto`` means kubeconform when it is on PATH, else the built-in engine."""
    if name == "auto":
        return KUBECONFORM if shutil.which(KUBECONFORM) else "builtin"
    return name


def validate(
    paths: Sequence[str],
    *,
    root: Path,
    settings: ValidateSettings,
    explicit_version: str | None = None,
    index: RenderIndex | None = None,
    loaded: LoadResult | None = None,
) -> Outcome:
    """Validate ``paths``, or the objects ``loaded`` already holds (``gitops check``)."""
    loaded = loaded or load(paths)
    resolver = VersionResolver(
        root, explicit=explicit_version, configured=settings.kubernetes_version, index=index
    )
    crds = [*input_crds(loaded.manifests), *configured_crds(root, settings.crds)]
    store = SchemaStore(
        strict=settings.strict, crds=crds, schema_dirs=schema_dirs(root, settings.schema_dirs)
    )
    source_of = _source_lookup(root, index)
    planned = plan(
        loaded.manifests,
        resolver,
        store,
        ignore_missing_schemas=settings.ignore_missing_schemas,
        source_of=source_of,
    )
    engine = choose_engine(settings.engine)
    if engine == KUBECONFORM:
        from gitops.validate.kubeconform import KubeconformEngine

        checked = KubeconformEngine(
            strict=settings.strict, source_of=source_of, schema_dirs=store.schema_dirs
        ).check(planned.targets)
    else:
        builtin = BuiltinEngine(
            strict=settings.strict, source_of=source_of, schema_dirs=store.schema_dirs
        )
        checked = builtin.check(planned.targets)
    findings = [*problem_findings(loaded.problems, INPUT_REGISTRY), *planned.findings, *checked]
    findings.sort(key=Finding.sort_key)
    return Outcome(findings, loaded.files, len(loaded.manifests), engine)


def input_crds(manifests: Sequence[Manifest]) -> list[CrdVersion]:
    """Versions declared by CustomResourceDefinitions in the input (they validate the rest)."""
    found: list[CrdVersion] = []
    for manifest in manifests:
        if is_crd(manifest.body):
            found += crd_versions(manifest.body, f"CRD {manifest.path}:{manifest.line}")
    return found


def configured_crds(root: Path, patterns: Sequence[str]) -> list[CrdVersion]:
    found: list[CrdVersion] = []
    for pattern in patterns:
        files = sorted(glob.glob(str(root / pattern), recursive=True))
        if not files:
            raise ConfigError(f"[tool.gitops.validate] crds: {pattern!r} matches no files")
        loaded = load(files)
        if loaded.problems:
            first = loaded.problems[0]
            raise ConfigError(
                f"[tool.gitops.validate] crds: {first.path}:{first.line}: {first.message}"
            )
        for manifest in loaded.manifests:
            if is_crd(manifest.body):
                found += crd_versions(manifest.body, f"CRD {manifest.path}:{manifest.line}")
    return found


def schema_dirs(root: Path, names: Sequence[str]) -> list[Path]:
    dirs = [root / name for name in names]
    for directory in dirs:
        if not directory.is_dir():
            raise ConfigError(f"[tool.gitops.validate] schema_dirs: {directory} is not a directory")
    return dirs


def _source_lookup(root: Path, index: RenderIndex | None) -> SourceOf | None:
    """Where the render index says a file was rendered from (app module and construct)."""
    if index is None:
        return None
    base = root.resolve()
    files = index.files

    def source_of(path: str) -> str | None:
        if path == "-":
            return None
        rel = os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")
        entry = files.get(rel)
        if not isinstance(entry, dict) or not entry.get("source"):
            return None
        construct = entry.get("construct")
        return f"{entry['source']} (construct {construct})" if construct else str(entry["source"])

    return source_of
