"""Rule records and the registry that collects them.

A rule is a pure function ``(object, graph, options) -> violations`` wrapped by ``@rule`` into
a ``Rule`` record with a stable identity: a code (family letters + number, never reused), a
kebab-case name stating the problem, a family, a default severity, the object kinds it applies
to, whether the ``recommended`` preset enables it, and its options. ``@rule`` registers
nothing: each family module lists its rules in ``RULES`` and ``gitops.lint.rules`` collects
the families, rejecting duplicate codes and names.

The rule's docstring is its documentation: a one-line summary, then ``Why:`` and ``Fix:``
paragraphs. Bad and good examples come from the rule's test cases
(``tests/rules/cases/<CODE>.yaml``), so every documented example is tested.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gitops.findings import Finding, Severity
from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import LoadProblem, Manifest

_CODE = re.compile(r"^[A-Z]{2}\d{3}$")
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_SECTION = re.compile(r"^(Why|Fix):\s*", re.MULTILINE)


@dataclass(frozen=True)
class Violation:
    """What a rule reports; the engine adds the rule's identity and the location."""

    message: str
    """What is wrong, with the concrete values (lower-case start, no trailing period)."""
    path: tuple[str | int, ...] = ()
    """JSON path of the offending field, e.g. ``("spec", "replicas")``; () for the object."""
    container: str | None = None
    fix: str | None = None
    """A fix specific to this case; the rule's Fix section otherwise."""


CheckFn = Callable[[Manifest, ObjectGraph, Any], Iterable[Violation]]


@dataclass(frozen=True)
class RuleDoc:
    summary: str
    why: str
    fix: str


def parse_doc(doc: str | None, where: str) -> RuleDoc:
    text = inspect.cleandoc(doc or "")
    if not text:
        raise ValueError(f"rule {where} has no docstring")
    summary, _, rest = text.partition("\n")
    parts = _SECTION.split(rest)
    sections = {parts[i]: " ".join(parts[i + 1].split()) for i in range(1, len(parts) - 1, 2)}
    if "Why" not in sections or "Fix" not in sections:
        raise ValueError(f"rule {where} docstring needs 'Why:' and 'Fix:' sections")
    return RuleDoc(summary=summary.strip(), why=sections["Why"], fix=sections["Fix"])


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    family: str
    severity: Severity
    kinds: frozenset[str]
    """Kinds the rule applies to; empty for every kind."""
    check: CheckFn
    doc: RuleDoc
    enabled: bool = True
    """On in the ``recommended`` preset; every rule is on in ``strict``."""
    strict_severity: Severity | None = None
    """Severity under the ``strict`` preset, when stricter than the default."""
    options: Any = None
    """Default options: a frozen dataclass instance, or None for a rule without options."""
    engine: str = "lint"
    """Who reports it: ``lint`` (run over objects by the lint engine), ``loader`` (input that
    cannot be read), ``suppress`` (ignore annotations, read by ``gitops.lint.suppress``) or
    ``validate`` (schema validation)."""
    supersedes: frozenset[str] = frozenset()
    """Codes of rules that do not report a field this rule reports on the same object."""

    def applies_to(self, manifest: Manifest) -> bool:
        return not self.kinds or manifest.kind in self.kinds


def rule(
    code: str,
    name: str,
    *,
    family: str,
    severity: Severity,
    kinds: Iterable[str] = (),
    enabled: bool = True,
    strict_severity: Severity | None = None,
    options: Any = None,
    engine: str = "lint",
    supersedes: Iterable[str] = (),
) -> Callable[[CheckFn], Rule]:
    """Turn a check function into a Rule record (registers nothing)."""
    if not _CODE.fullmatch(code):
        raise ValueError(f"rule code {code!r} must be two capitals and three digits")
    if not _NAME.fullmatch(name):
        raise ValueError(f"rule name {name!r} must be kebab-case")

    def wrap(check: CheckFn) -> Rule:
        return Rule(
            code=code,
            name=name,
            family=family,
            severity=severity,
            kinds=frozenset(kinds),
            check=check,
            doc=parse_doc(check.__doc__, f"{code} {name}"),
            enabled=enabled,
            strict_severity=strict_severity,
            options=options,
            engine=engine,
            supersedes=frozenset(supersedes),
        )

    return wrap


def reported_rule(
    code: str, name: str, doc: str, *, family: str, severity: Severity, engine: str
) -> Rule:
    """A rule another engine reports (the loader, the suppression step, the validator, synth)
    rather than a check run over each object: it exists for its code, documentation,
    severity, configuration and SARIF descriptor, and its check finds nothing."""

    def reported_elsewhere(
        manifest: Manifest, graph: ObjectGraph, options: Any
    ) -> Iterable[Violation]:
        return ()

    reported_elsewhere.__doc__ = doc
    return rule(code, name, family=family, severity=severity, engine=engine)(reported_elsewhere)


@dataclass(frozen=True)
class Registry:
    rules: tuple[Rule, ...]
    by_code: Mapping[str, Rule] = field(default_factory=dict)
    by_name: Mapping[str, Rule] = field(default_factory=dict)

    @classmethod
    def collect(cls, *families: Sequence[Rule]) -> Registry:
        rules = tuple(r for family in families for r in family)
        by_code: dict[str, Rule] = {}
        by_name: dict[str, Rule] = {}
        for r in rules:
            if r.code in by_code:
                raise ValueError(f"duplicate rule code {r.code} ({by_code[r.code].name}, {r.name})")
            if r.name in by_name:
                raise ValueError(f"duplicate rule name {r.name} ({by_name[r.name].code}, {r.code})")
            by_code[r.code], by_name[r.name] = r, r
        ordered = tuple(sorted(rules, key=lambda r: r.code))
        return cls(rules=ordered, by_code=by_code, by_name=by_name)

    @property
    def families(self) -> tuple[str, ...]:
        return tuple(sorted({r.family for r in self.rules}))

    def lookup(self, ref: str) -> list[Rule]:
        """Rules named by a code, a name or a family; [] when ``ref`` names nothing."""
        if ref in self.by_code:
            return [self.by_code[ref]]
        if ref in self.by_name:
            return [self.by_name[ref]]
        return [r for r in self.rules if r.family == ref]


def problem_findings(
    problems: Sequence[LoadProblem], registry: Registry, severity: dict[str, Severity] | None = None
) -> list[Finding]:
    """Findings for documents the loader could not read (rules named after the problem kind)."""
    findings = []
    for problem in problems:
        rule = registry.by_name[problem.kind]
        findings.append(
            Finding(
                code=rule.code,
                rule=rule.name,
                severity=(severity or {}).get(rule.code, rule.severity),
                message=problem.message,
                fix=rule.doc.fix,
                path=problem.path,
                line=problem.line,
                column=problem.column,
            )
        )
    return findings
