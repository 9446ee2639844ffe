"""One validation run: load the input, gather CRD schemas, plan, check with an engine."""

from __future__ import annotations

import glob
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gitops.errors import ConfigError
from gitops.findings import REPORT_ORDER, Finding
from gitops.k8s.manifests import STDIN, LoadResult, Manifest, discover, load
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
    """Validate ``paths``, or the objects ``loaded`` already holds (``gitops check``).

    With the built-in engine, files are streamed: each is loaded, checked and dropped before
    the next, so memory does not grow with the input (``_stream``)."""
    resolver = VersionResolver(
        root, explicit=explicit_version, configured=settings.kubernetes_version, index=index
    )
    configured = configured_crds(root, settings.crds)
    dirs = schema_dirs(root, settings.schema_dirs)
    run = _Run(settings, resolver, configured, dirs, _source_lookup(root, index))
    if loaded is None and run.engine != KUBECONFORM and STDIN not in paths:
        return run.stream(discover(paths))
    return run.all_at_once(loaded or load(paths))


class _Run:
    def __init__(
        self,
        settings: ValidateSettings,
        resolver: VersionResolver,
        configured: Sequence[CrdVersion],
        dirs: Sequence[Path],
        source_of: SourceOf | None,
    ) -> None:
        self.settings, self.resolver, self.configured = settings, resolver, configured
        self.dirs, self.source_of = dirs, source_of
        self.engine = choose_engine(settings.engine)

    def store(self, input_crds: Sequence[CrdVersion]) -> SchemaStore:
        # Input CRDs come first: they win over configured ones (SchemaStore).
        return SchemaStore(
            strict=self.settings.strict,
            crds=[*input_crds, *self.configured],
            schema_dirs=self.dirs,
        )

    def check(
        self, loaded: LoadResult, store: SchemaStore, engine: BuiltinEngine | None = None
    ) -> list[Finding]:
        planned = plan(
            loaded.manifests,
            self.resolver,
            store,
            ignore_missing_schemas=self.settings.ignore_missing_schemas,
            source_of=self.source_of,
        )
        if self.engine == KUBECONFORM:
            from gitops.validate.kubeconform import KubeconformEngine

            checked = KubeconformEngine(
                strict=self.settings.strict, source_of=self.source_of, schema_dirs=self.dirs
            ).check(planned.targets)
        else:
            checked = (engine or self.builtin()).check(planned.targets)
        problems = problem_findings(loaded.problems, INPUT_REGISTRY)
        return [*problems, *planned.findings, *checked]

    def builtin(self) -> BuiltinEngine:
        return BuiltinEngine(
            strict=self.settings.strict, source_of=self.source_of, schema_dirs=self.dirs
        )

    def all_at_once(self, loaded: LoadResult) -> Outcome:
        findings = self.check(loaded, self.store(input_crds(loaded.manifests)))
        findings.sort(key=REPORT_ORDER)
        return Outcome(findings, loaded.files, len(loaded.manifests), self.engine)

    def stream(self, files: Sequence[str]) -> Outcome:
        """One file at a time, with the input CRDs found so far. A CRD applies to objects
        anywhere in the input, also in files read before it: the files that hold a kind a
        later CRD defines are checked again at the end, with every input CRD known."""
        engine = self.builtin()
        found: list[CrdVersion] = []
        store = self.store(found)
        seen: dict[tuple[str, str], list[int]] = {}
        again: set[int] = set()
        by_file: list[list[Finding]] = []
        objects = 0
        for number, path in enumerate(files):
            part = load([path])
            new = input_crds(part.manifests)
            if new:
                for crd in new:
                    again.update(seen.get((crd.group, crd.kind), ()))
                found += new
                store = self.store(found)
            for manifest in part.manifests:
                files_of = seen.setdefault((manifest.group, manifest.kind), [])
                if not files_of or files_of[-1] != number:
                    files_of.append(number)
            by_file.append(self.check(part, store, engine))
            objects += len(part.manifests)
        if again:
            engine = self.builtin()  # its compiled schemas predate the CRDs
            for number in sorted(again):
                by_file[number] = self.check(load([files[number]]), store, engine)
        findings = [f for part_findings in by_file for f in part_findings]
        findings.sort(key=REPORT_ORDER)
        return Outcome(findings, len(files), objects, self.engine)


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
