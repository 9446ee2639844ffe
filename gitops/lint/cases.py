"""Rule case files: ``gitops/lint/cases/<CODE>.yaml``, the data every rule is tested with and
documented by (the first passing and first failing case are its Good and Bad examples).

Format::

    cases:
    - name: latest-tag            # kebab-case; the test id is CODE::name
      options: {}                 # optional: rule options for this case (validator rules:
                                  # [tool.gitops.validate] settings)
      kubernetes_version: "1.31"  # optional, validator rules only
      manifests: |                # the YAML linted (line 1 is the first line of this block)
      # or manifests_base64: ...  # raw bytes (e.g. not UTF-8), or unreadable: true
        apiVersion: apps/v1
        ...
      expect:                     # the exact findings of this rule; [] for a passing case
      - line: 10                  # required
        name: web                 # optional: object name
        kind: Deployment          # optional
        container: web            # optional
        message: "moving tag"     # optional: substring of the message

"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from gitops.findings import Finding
from gitops.graph import ObjectGraph
from gitops.lint.engine import ActiveRule, problem_findings, run_rules, violation_finding
from gitops.lint.registry import Registry, Rule
from gitops.manifests import LoadProblem, Manifest, load, load_text

CASES_DIR = Path(__file__).parent / "cases"


@dataclass(frozen=True)
class Case:
    code: str
    name: str
    manifests: str
    expect: list[dict[str, Any]]
    options: dict[str, Any] = field(default_factory=dict)
    raw: bytes | None = None
    unreadable: bool = False
    kubernetes_version: str = "1.31"
    """For validator rules: the Kubernetes version the case is validated against."""

    @property
    def id(self) -> str:
        return f"{self.code}::{self.name}"

    @property
    def passing(self) -> bool:
        return not self.expect


def load_cases(code: str) -> list[Case]:
    path = CASES_DIR / f"{code}.yaml"
    if not path.exists():
        return []
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        Case(
            code=code,
            name=entry["name"],
            manifests=entry.get("manifests", ""),
            expect=entry.get("expect") or [],
            options=entry.get("options") or {},
            raw=base64.b64decode(entry["manifests_base64"])
            if "manifests_base64" in entry
            else None,
            unreadable=bool(entry.get("unreadable")),
            kubernetes_version=str(entry.get("kubernetes_version", "1.31")),
        )
        for entry in document.get("cases", [])
    ]


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
    return sorted((f for f in findings if f.code == case.code), key=Finding.sort_key)


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
    findings = [replace(f, path=f"{case.code}.yaml") for f in outcome.findings]
    return sorted((f for f in findings if f.code == case.code), key=Finding.sort_key)


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


@dataclass(frozen=True)
class Examples:
    """A rule's documented examples: its first failing and first passing case, as YAML."""

    bad: str | None
    good: str | None


def examples(code: str) -> Examples:
    shown = [(c, _shown_text(c)) for c in load_cases(code)]
    bad = next((text for c, text in shown if text and not c.passing), None)
    good = next((text for c, text in shown if text and c.passing), None)
    return Examples(bad=bad, good=good)


def _shown_text(case: Case) -> str | None:
    """The case's manifests as text, or None when they cannot be shown as text (a missing
    file, bytes that are not UTF-8)."""
    if case.unreadable:
        return None
    if case.raw is None:
        return case.manifests.rstrip("\n") or None
    try:
        return case.raw.decode("utf-8-sig").rstrip("\n") or None
    except UnicodeDecodeError:
        return None
