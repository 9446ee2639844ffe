"""The kubeconform engine: the validator's only subprocess.

kubeconform checks the objects this tool already loaded and planned, against the same schemas
the built-in engine uses, written as standalone JSON schemas into a temporary directory (one
``-schema-location`` for Kubernetes kinds, one for CRDs), so it never needs the network. Each
object is written to its own file, so every result maps back to exactly one object and its
lines. Objects without a schema were reported by the planner and are not passed on.
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
from gitops.validate import rules, schemas
from gitops.validate.located import SourceOf
from gitops.validate.messages import INVALID_VALUE, MISSING_FIELD, UNKNOWN_FIELD, display_path
from gitops.validate.plan import Target
from gitops.validate.store import KUBERNETES

BINARY = "kubeconform"
TIMEOUT_SECONDS = 600
FALLBACK = "use --engine builtin (the default, which needs nothing but Python)"
CORE_LOCATION = "{{ .ResourceKind }}{{ .KindSuffix }}.json"
CRD_LOCATION = "crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json"
_RULES = {r.name: r for r in rules.RULES}


class KubeconformError(GitopsError):
    """kubeconform is missing, or failed in a way that says nothing about the manifests."""


class KubeconformEngine:
    name = BINARY

    def __init__(
        self, *, strict: bool, source_of: SourceOf | None = None, binary: str | None = None
    ) -> None:
        self._strict = strict
        self._source_of = source_of
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
        for version, group in sorted(by_version.items()):
            with tempfile.TemporaryDirectory(prefix="gitops-kubeconform-") as tmp:
                findings += self._check_version(version, group, Path(tmp))
        return findings

    def _check_version(self, version: str, targets: Sequence[Target], tmp: Path) -> list[Finding]:
        schema_dir = tmp / "schemas"
        write_schemas(schema_dir, targets, strict=self._strict)
        objects: dict[str, Target] = {}
        for number, target in enumerate(targets):
            path = tmp / "objects" / f"{number:06d}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(target.manifest.body, default=str))
            objects[str(path)] = target
        argv = command(self._binary, version, schema_dir, self._strict, tmp / "objects")
        report = self._run(argv)
        findings = []
        for resource in report.get("resources") or []:
            checked = objects.get(str(resource.get("filename", "")))
            if checked is not None:
                findings += self._findings(checked, resource)
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

    def _findings(self, target: Target, resource: Mapping[str, Any]) -> list[Finding]:
        status = resource.get("status")
        if status not in ("statusInvalid", "statusError"):
            return []
        errors = resource.get("validationErrors") or [{"path": "", "msg": resource.get("msg", "")}]
        found = []
        for error in errors:
            rule, path, message = classify(
                target.manifest.body, str(error.get("path", "")), str(error.get("msg", ""))
            )
            found.append(target.finding(rule, path, message, self._source_of))
        return found


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
        kind = target.manifest.kind.lower()
        if target.schema.origin == KUBERNETES:
            label = f"-{target.group.split('.')[0]}" if target.group else ""
            path = directory / f"{kind}{label}-{target.version}.json"
        else:
            path = directory / "crds" / target.group / f"{kind}_{target.version}.json"
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        schema = schemas.standalone(target.schema.schema, target.kubernetes_version, strict)
        path.write_text(json.dumps(schema, sort_keys=True))
        written.append(path)
    return written


def classify(body: Any, pointer: str, message: str) -> tuple[str, tuple[str | int, ...], str]:
    """(rule name, JSON path, message) for one kubeconform validation error."""
    path = _path(body, pointer)
    where = display_path(path)
    lowered = message.lower()
    if "additional propert" in lowered:
        names = message.split("'")[1::2]
        if names:
            field = names[0]
            place = "at the top level" if not path else f"in {where}"
            return UNKNOWN_FIELD, (*path, field), f'unknown field "{field}" {place} ({message})'
    if "missing propert" in lowered:
        return MISSING_FIELD, path, f"{where}: {message}"
    return INVALID_VALUE, path, f"{where}: {message}"


def _path(body: Any, pointer: str) -> tuple[str | int, ...]:
    steps: list[str | int] = []
    node = body
    for raw in pointer.split("/")[1:] if pointer.startswith("/") else []:
        step = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and step.isdigit():
            steps.append(int(step))
            node = node[int(step)] if int(step) < len(node) else None
        else:
            steps.append(step)
            node = node.get(step) if isinstance(node, dict) else None
    return tuple(steps)
