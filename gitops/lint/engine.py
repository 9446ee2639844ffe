"""Run active rules over the object graph and turn violations into located findings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from gitops.findings import Finding, Severity
from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import Manifest
from gitops.k8s.sensitive import redact, secret_values
from gitops.rules.registry import Rule, Violation


@dataclass(frozen=True)
class ActiveRule:
    """A rule as configured for one run: its effective severity and options."""

    rule: Rule
    severity: Severity
    options: Any


def run_rules(graph: ObjectGraph, active: Sequence[ActiveRule]) -> list[Finding]:
    return run_rules_on(graph.manifests, graph, active)


def run_rules_on(
    manifests: Iterable[Manifest], graph: ObjectGraph, active: Sequence[ActiveRule]
) -> list[Finding]:
    """Findings of ``active`` lint rules on ``manifests`` (a part of ``graph``, e.g. one
    environment's files, which other objects of the graph are still visible to)."""
    table = RuleTable(active)
    findings: list[Finding] = []
    for manifest in manifests:
        findings += table.findings(manifest, graph)
    return findings


class RuleTable:
    """The lint rules of one configuration by object kind, built once: a run asks it for
    each object's findings (rules without kinds apply to every kind)."""

    def __init__(self, active: Sequence[ActiveRule]) -> None:
        lint = [a for a in active if a.rule.engine == "lint"]
        any_kind = tuple(a for a in lint if not a.rule.kinds)
        per_kind: dict[str, list[ActiveRule]] = defaultdict(list)
        for entry in lint:
            for kind in entry.rule.kinds:
                per_kind[kind].append(entry)
        self._any_kind = any_kind
        self._per_kind = {kind: (*entries, *any_kind) for kind, entries in per_kind.items()}

    def findings(
        self, manifest: Manifest, graph: ObjectGraph, path: str | None = None
    ) -> list[Finding]:
        """Findings on ``manifest``, reported at ``path`` (default: the path it was read
        from; a run passes the repo-relative path)."""
        findings: list[Finding] = []
        where = manifest.path if path is None else path
        for entry in self._per_kind.get(manifest.kind, self._any_kind):
            for violation in entry.rule.check(manifest, graph, entry.options):
                findings.append(_finding(manifest, entry, violation, where))
        return findings


def violation_finding(manifest: Manifest, entry: ActiveRule, violation: Violation) -> Finding:
    """A rule's violation on ``manifest`` as a located finding."""
    return _finding(manifest, entry, violation, manifest.path)


def _finding(manifest: Manifest, entry: ActiveRule, violation: Violation, path: str) -> Finding:
    line, column = manifest.locate(violation.path)
    message = violation.message
    if manifest.kind == "Secret":
        message = redact(message, secret_values(manifest.body))
    return Finding(
        code=entry.rule.code,
        rule=entry.rule.name,
        severity=entry.severity,
        message=message,
        fix=violation.fix or entry.rule.doc.fix,
        path=path,
        line=line,
        column=column,
        kind=manifest.kind,
        namespace=_namespace(manifest),
        name=manifest.name or None,
        container=violation.container,
    )


def _namespace(manifest: Manifest) -> str | None:
    namespace = manifest.metadata.get("namespace")
    return str(namespace) if namespace else manifest.namespace
