"""The kubeconform engine: the validator's only subprocess.

kubeconform checks the objects this tool already loaded and planned, against the same schemas
the built-in engine uses, written as standalone JSON schemas into a temporary directory (one
``-schema-location`` for Kubernetes kinds, one for CRDs), so it never needs the network. Each
object is written to its own file, so every result maps back to exactly one object and its
lines; its errors are read back into the built-in engine's findings
(``gitops.validate.kubeconform_output``). Objects without a schema were reported by the
planner and are not passed on. The temporary JSON is bounded: batches of ``BATCH_BYTES``, and
no object past ``MAX_OBJECT_BYTES`` (an alias-expanded one) is written at all.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from gitops.errors import GitopsError
from gitops.findings import Finding
from gitops.validate import schemas
from gitops.validate.formats import BYTE, QUANTITY
from gitops.validate.kubeconform_output import resource_problems
from gitops.validate.located import SourceOf
from gitops.validate.plan import Target
from gitops.validate.store import KUBERNETES

BINARY = "kubeconform"
TIMEOUT_SECONDS = 600
FALLBACK = "use --engine builtin (the default, which needs nothing but Python)"
CORE_LOCATION = "{{ .ResourceKind }}{{ .KindSuffix }}.json"
CRD_LOCATION = "crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json"
BATCH_BYTES = 64 * 1024 * 1024
"""At most this much object JSON is in the temporary directory at once."""
MAX_OBJECT_BYTES = 3 * 1024 * 1024
"""The API server refuses larger requests (3 MiB), so such an object can never be applied; it is
checked in-process by the built-in engine instead of being written out."""


class KubeconformError(GitopsError):
    """kubeconform is missing, or failed in a way that says nothing about the manifests."""


class KubeconformEngine:
    name = BINARY

    def __init__(
        self,
        *,
        strict: bool,
        source_of: SourceOf | None = None,
        binary: str | None = None,
        schema_dirs: Sequence[Path] = (),
    ) -> None:
        self._strict = strict
        self._source_of = source_of
        self._schema_dirs = schema_dirs
        found = binary or shutil.which(BINARY)
        if found is None:
            raise KubeconformError(
                f"{BINARY} is not on PATH", fix=f"install kubeconform, or {FALLBACK}"
            )
        self._binary = found

    def check(self, targets: Sequence[Target]) -> list[Finding]:
        by_version: dict[str, list[Target]] = {}
        for target in targets:
            by_version.setdefault(target.kubernetes_version, []).append(target)
        findings: list[Finding] = []
        oversized: list[Target] = []
        for version, group in sorted(by_version.items()):
            with tempfile.TemporaryDirectory(prefix="gitops-kubeconform-") as tmp:
                findings += self._check_version(version, group, Path(tmp), oversized)
        if oversized:
            from gitops.validate.builtin import BuiltinEngine

            builtin = BuiltinEngine(
                strict=self._strict, source_of=self._source_of, schema_dirs=self._schema_dirs
            )
            findings += builtin.check(oversized)
        return findings

    def _check_version(
        self, version: str, targets: Sequence[Target], tmp: Path, oversized: list[Target]
    ) -> list[Finding]:
        """Objects go to kubeconform in batches of at most ``BATCH_BYTES`` of JSON, each batch
        deleted before the next is written; an object whose JSON would pass ``MAX_OBJECT_BYTES``
        (only aliases can make a small file that large) goes to ``oversized`` unwritten."""
        schema_dir = tmp / "schemas"
        write_schemas(schema_dir, targets, strict=self._strict)
        objects_dir = tmp / "objects"
        objects_dir.mkdir()
        argv = command(self._binary, version, schema_dir, self._strict, objects_dir)
        schemas_read: dict[Path, Any] = {}
        findings: list[Finding] = []
        batch: dict[str, Target] = {}
        size = 0
        for number, target in enumerate(targets):
            text = object_json(target, MAX_OBJECT_BYTES)
            if text is None:
                oversized.append(target)
                continue
            path = objects_dir / f"{number:06d}.json"
            path.write_text(text)
            batch[str(path)] = target
            size += len(text)
            if size >= BATCH_BYTES:
                findings += self._check_batch(argv, batch, schema_dir, schemas_read)
                for written in batch:
                    os.unlink(written)
                batch, size = {}, 0
        if batch:
            findings += self._check_batch(argv, batch, schema_dir, schemas_read)
        return findings

    def _check_batch(
        self,
        argv: list[str],
        batch: Mapping[str, Target],
        schema_dir: Path,
        schemas_read: dict[Path, Any],
    ) -> list[Finding]:
        findings: list[Finding] = []
        for resource in self._run(argv).get("resources") or []:
            target = batch.get(str(resource.get("filename", "")))
            if target is None or resource.get("status") not in ("statusInvalid", "statusError"):
                continue
            schema_file = schema_dir / schema_path(target)
            if schema_file not in schemas_read:
                schemas_read[schema_file] = json.loads(schema_file.read_bytes())
            for problem in resource_problems(
                resource, target.manifest.body, schemas_read[schema_file]
            ):
                findings.append(
                    target.finding(problem.rule, problem.path, problem.message, self._source_of)
                )
        return findings

    def _run(self, argv: list[str]) -> Mapping[str, Any]:
        shown = " ".join(argv)
        try:
            done = subprocess.run(
                argv,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise KubeconformError(
                f"{shown} did not finish within {TIMEOUT_SECONDS} s", fix=FALLBACK
            ) from None
        except OSError as exc:
            raise KubeconformError(f"cannot run {shown}: {exc.strerror}", fix=FALLBACK) from None
        try:
            report = json.loads(done.stdout)
        except ValueError:
            report = None
        if done.returncode not in (0, 1) or not isinstance(report, dict):
            stderr = done.stderr.strip()[-2000:] or "(no error output)"
            raise KubeconformError(
                f"{shown} failed with exit status {done.returncode}: {stderr}", fix=FALLBACK
            )
        return report


def object_json(target: Target, limit: int) -> str | None:
    """``target``'s object as JSON, or None when that passes ``limit`` characters. Only a
    document with aliases can expand that far, so only those are encoded piece by piece."""
    body = target.manifest.body
    if not target.manifest.has_aliases:
        return json.dumps(body, default=str)
    pieces: list[str] = []
    size = 0
    for piece in json.JSONEncoder(default=str).iterencode(body):
        size += len(piece)
        if size > limit:
            return None
        pieces.append(piece)
    return "".join(pieces)


def command(binary: str, version: str, schema_dir: Path, strict: bool, objects: Path) -> list[str]:
    """kubeconform's argv: our schemas only, JSON output, every object under ``objects``."""
    argv = [binary]
    if strict:
        argv.append("-strict")
    argv += [
        "-summary",
        "-output",
        "json",
        "-kubernetes-version",
        f"{version}.0",
        "-schema-location",
        str(schema_dir / CORE_LOCATION),
        "-schema-location",
        str(schema_dir / CRD_LOCATION),
        "-n",
        str(os.cpu_count() or 1),
        str(objects),
    ]
    return argv


def write_schemas(directory: Path, targets: Sequence[Target], *, strict: bool) -> list[Path]:
    """Each target's schema, standalone, where ``CORE_LOCATION``/``CRD_LOCATION`` find it."""
    written = []
    for target in targets:
        path = directory / schema_path(target)
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        schema = schemas.standalone(target.schema.schema, target.kubernetes_version, strict)
        _add_format_patterns(schema)
        path.write_text(json.dumps(schema, sort_keys=True))
        written.append(path)
    return written


def schema_path(target: Target) -> str:
    """Where kubeconform looks for ``target``'s schema, relative to the schema directory."""
    kind = target.manifest.kind.lower()
    if target.schema.origin == KUBERNETES:
        label = f"-{target.group.split('.')[0]}" if target.group else ""
        return f"{kind}{label}-{target.version}.json"
    return f"crds/{target.group}/{kind}_{target.version}.json"


FORMAT_PATTERNS = {
    QUANTITY: r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)"
    r"(?:[eE][+-]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?$",
    BYTE: r"^(?:(?:[A-Za-z0-9+/][\r\n]*){4})*"
    r"(?:(?:[A-Za-z0-9+/][\r\n]*){2}==|(?:[A-Za-z0-9+/][\r\n]*){3}=)?[\r\n]*$",
}
"""kubeconform does not know the formats the built-in engine checks (gitops.validate.formats);
the same test as a pattern makes it report them, and the reader turns that back into the
format's message."""


def _add_format_patterns(schema: Any) -> None:
    if isinstance(schema, dict):
        # A property may itself be named "format" (its value is then a schema, not a name).
        name = schema.get("format")
        pattern = FORMAT_PATTERNS.get(name) if isinstance(name, str) else None
        if pattern is not None and "pattern" not in schema:
            schema["pattern"] = pattern
        for value in schema.values():
            _add_format_patterns(value)
    elif isinstance(schema, list):
        for value in schema:
            _add_format_patterns(value)
