"""Runs a rule case (``gitops/rules/cases/<CODE>.yaml``) through the engine its rule belongs
to: the lint engine, the suppression checks, or the real built-in validator."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from gitops.findings import REPORT_ORDER, Finding
from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import LoadProblem, Manifest, load, load_text
from gitops.lint.engine import ActiveRule, run_rules, violation_finding
from gitops.rules.cases import CASES_DIR, Case, load_cases
from gitops.rules.registry import Registry, Rule, problem_findings


def all_cases() -> list[Case]:
    return [c for path in sorted(CASES_DIR.glob("*.yaml")) for c in load_cases(path.stem)]


def lint_case(case: Case, registry: Registry) -> list[Finding]:
    """Findings of the case's rule (only) on the case's manifests."""
    rule: Rule = registry.by_code[case.code]
    if rule.engine == "validate":
        return _validate_case(case)
    options = replace(rule.options, **case.options) if case.options else rule.options
    manifests: list[Manifest] = []
    problems: list[LoadProblem] = []
    if case.unreadable:
        loaded = load([str(CASES_DIR / "does-not-exist" / f"{case.code}.yaml")])
        manifests, problems = loaded.manifests, loaded.problems
    else:
        data = case.raw if case.raw is not None else case.manifests
        load_text(data, f"{case.code}.yaml", manifests, problems)
    findings = problem_findings(problems, registry)
    entry = ActiveRule(rule, rule.severity, options)
    findings += run_rules(ObjectGraph(manifests), [entry])
    if rule.engine == "suppress":
        findings += _suppression_findings(manifests, entry, registry)
    return sorted((f for f in findings if f.code == case.code), key=REPORT_ORDER)


def _validate_case(case: Case) -> list[Finding]:
    """Findings of the case's validator rule: the real built-in engine over the case's
    manifests, written to a temporary file (the validator reads paths)."""
    import tempfile

    from gitops.validate.config import ValidateSettings
    from gitops.validate.run import validate
    from gitops.validate.versions import parse_version

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{case.code}.yaml"
        path.write_text(case.manifests, encoding="utf-8")
        outcome = validate(
            [str(path)],
            root=Path(tmp),
            settings=ValidateSettings(**case.options),
            explicit_version=parse_version(case.kubernetes_version, case.id),
        )
    findings = [f._replace(path=f"{case.code}.yaml") for f in outcome.findings]
    return sorted((f for f in findings if f.code == case.code), key=REPORT_ORDER)


def _suppression_findings(
    manifests: list[Manifest], entry: ActiveRule, registry: Registry
) -> list[Finding]:
    from gitops.lint.suppress import annotation_problems, ignore_annotations

    return [
        violation_finding(manifest, entry, violation)
        for manifest in manifests
        for code, violation in annotation_problems(ignore_annotations(manifest), registry)
        if code == entry.rule.code
    ]


def matches(finding: Finding, expected: dict[str, Any]) -> bool:
    for key, want in expected.items():
        if key == "message":
            if str(want) not in finding.message:
                return False
        elif getattr(finding, key) != want:
            return False
    return True
