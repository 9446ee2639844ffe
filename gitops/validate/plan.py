"""Decide, per object, what validating it means: which Kubernetes version, whether its
apiVersion is deprecated or removed there, and which schema checks it.

Both engines then check the same targets against the same schemas, so they report the same
findings for the same input; only the schema check itself differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from gitops.findings import Finding, Severity
from gitops.k8s.manifests import Manifest
from gitops.validate import rules, schemas
from gitops.validate.deprecations import ApiLifecycle, is_deprecated, is_removed, lifecycle
from gitops.validate.located import SourceOf, finding
from gitops.validate.store import NotServed, SchemaFound, SchemaStore
from gitops.validate.versions import VersionResolver

_API_VERSION = ("apiVersion",)


@dataclass(frozen=True)
class Target:
    """An object to check against a schema."""

    manifest: Manifest
    kubernetes_version: str
    group: str
    version: str
    schema: SchemaFound

    def finding(
        self, rule_name: str, path: tuple[str | int, ...], message: str, source_of: SourceOf | None
    ) -> Finding:
        """A schema error on this object, whichever engine found it."""
        return finding(
            self.manifest,
            _RULES[rule_name],
            path,
            message,
            kubernetes_version=self.kubernetes_version,
            schema=self.schema.source,
            source_of=source_of,
        )


_RULES = {r.name: r for r in rules.RULES}


@dataclass
class Plan:
    targets: list[Target] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def plan(
    manifests: Sequence[Manifest],
    resolver: VersionResolver,
    store: SchemaStore,
    *,
    ignore_missing_schemas: bool,
    source_of: SourceOf | None = None,
) -> Plan:
    result = Plan()
    for manifest in manifests:
        k8s = resolver.version_for(manifest.path)
        group, version = manifest.group, manifest.api_version.rpartition("/")[2]

        report = _Reporter(result, manifest, k8s, source_of)
        entry = lifecycle(manifest.api_version, manifest.kind)
        if entry is not None and is_removed(entry, k8s):
            advice = _advice(entry, k8s, store.strict)
            report(
                rules.removed_api_version.name,
                f"{manifest.api_version} {manifest.kind} was removed in Kubernetes "
                f"{entry.removed}, and this object targets {k8s}; {advice}",
                fix=_fix(advice),
            )
            continue
        if entry is not None and is_deprecated(entry, k8s):
            until = f" and removed in {entry.removed}" if entry.removed else ""
            advice = _advice(entry, k8s, store.strict)
            report(
                rules.deprecated_api_version.name,
                f"{manifest.api_version} {manifest.kind} is deprecated since Kubernetes "
                f"{entry.deprecated}{until}; {advice}",
                fix=_fix(advice),
            )
        found = store.lookup(k8s, group, version, manifest.kind)
        if isinstance(found, SchemaFound):
            result.targets.append(Target(manifest, k8s, group, version, found))
        elif isinstance(found, NotServed) and found.unserved_by_crd:
            report(
                rules.removed_api_version.name,
                f"{manifest.api_version} {manifest.kind} is no longer served ({found.source} "
                f"serves {_versions(group, found.served)})",
            )
        elif isinstance(found, NotServed):
            report(
                rules.missing_schema.name,
                f"{manifest.api_version} {manifest.kind} is not served: {found.source} serves "
                f"{manifest.kind} as {_versions(group, found.served)}",
                severity=Severity.WARNING if ignore_missing_schemas else None,
            )
        else:
            report(
                rules.missing_schema.name,
                f"no schema for {manifest.api_version} {manifest.kind}: not a Kubernetes {k8s} "
                "kind, and no packaged or configured CRD defines it",
                severity=Severity.WARNING if ignore_missing_schemas else None,
            )
    return result


class _Reporter:
    """Adds findings about one object, located at its ``apiVersion``."""

    def __init__(self, result: Plan, manifest: Manifest, k8s: str, source_of: SourceOf | None):
        self._result, self._manifest, self._k8s, self._source_of = result, manifest, k8s, source_of

    def __call__(
        self, rule: str, message: str, severity: Severity | None = None, fix: str | None = None
    ) -> None:
        self._result.findings.append(
            finding(
                self._manifest,
                rules.BY_NAME[rule],
                _API_VERSION,
                message,
                kubernetes_version=self._k8s,
                severity=severity,
                fix=fix,
                source_of=self._source_of,
            )
        )


def _versions(group: str, served: Sequence[str]) -> str:
    if not served:
        return "no version"
    return " or ".join(f"{group}/{v}" if group else v for v in served)


def _advice(entry: ApiLifecycle, k8s: str, strict: bool) -> str:
    if entry.note:
        return entry.note
    for replacement in entry.replacements:
        api_version, _, kind = replacement.partition(" ")
        group, _, version = api_version.rpartition("/")
        if version in schemas.served_versions(k8s, strict, group, kind or entry.kind):
            return f"use {replacement}"
    return f"use {entry.replacements[0]}"


def _fix(advice: str) -> str:
    if advice.startswith("use "):
        return f"Use {advice[4:]}, adjusting fields that changed between versions."
    return advice[0].upper() + advice[1:] + "."
