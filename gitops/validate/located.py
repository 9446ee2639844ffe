"""Validator findings: a rule, an object, a JSON path and a message, located to file:line."""

from __future__ import annotations

from collections.abc import Callable

from gitops.findings import Finding, Severity
from gitops.k8s.manifests import Manifest
from gitops.k8s.sensitive import is_secret, redact, secret_values
from gitops.rules.registry import Rule
from gitops.validate.messages import JsonPath, display_path

SourceOf = Callable[[str], str | None]
"""The app module and construct that rendered a file (from the render index), or None."""


def finding(
    manifest: Manifest,
    rule: Rule,
    path: JsonPath,
    message: str,
    *,
    kubernetes_version: str,
    schema: str | None = None,
    severity: Severity | None = None,
    fix: str | None = None,
    source_of: SourceOf | None = None,
) -> Finding:
    line, column = manifest.locate(path)
    if is_secret(manifest.body):
        # Both engines' messages may quote a value (kubeconform's do); none may leave here.
        message = redact(message, manifest.cached("sensitive.values", _secret_values))
    source = source_of(manifest.path) if source_of else None
    fix = fix or rule.doc.fix
    if source:
        fix = f"{fix} This file is generated from {source}: change it there and run gitops synth."
    extra = [("jsonPath", display_path(path)), ("kubernetesVersion", kubernetes_version)]
    if schema:
        extra.append(("schema", schema))
    namespace = manifest.metadata.get("namespace")
    return Finding(
        code=rule.code,
        rule=rule.name,
        severity=severity or rule.severity,
        message=message,
        fix=fix,
        path=manifest.path,
        line=line,
        column=column,
        kind=manifest.kind,
        namespace=str(namespace) if namespace else manifest.namespace,
        name=manifest.name or None,
        source=source,
        extra=tuple(extra),
    )


def _secret_values(manifest: Manifest) -> list[str]:
    return secret_values(manifest.body)
