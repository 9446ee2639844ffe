"""Every rule case file, run against the real loader, graph and engine."""

from __future__ import annotations

import pytest

from gitops.commands.catalog import CATALOG
from gitops.rules.cases import Case, examples, load_cases
from tests.rules.case_runner import all_cases, lint_case, matches

CASES = all_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case) -> None:
    findings = lint_case(case, CATALOG)
    shown = "\n".join(f"  {f.line}:{f.column} {f.name} {f.container} {f.message}" for f in findings)
    assert len(findings) == len(case.expect), f"expected {case.expect}, got:\n{shown}"
    for finding, expected in zip(
        findings, sorted(case.expect, key=lambda e: e["line"]), strict=True
    ):
        assert matches(finding, expected), f"expected {expected}, got:\n{shown}"


# Meta-tests run over the whole catalog: every rule any engine reports is documented and tested.
# Drift rules (engine "synth") describe a repository, not a manifest, so no case file can hold
# one; tests/commands/test_check.py exercises each of them end to end.
WITH_CASES = [r for r in CATALOG.rules if r.engine != "synth"]


@pytest.mark.parametrize("rule", WITH_CASES, ids=[r.code for r in WITH_CASES])
def test_rule_has_passing_and_failing_cases(rule) -> None:  # type: ignore[no-untyped-def]
    cases = load_cases(rule.code)
    assert any(c.passing for c in cases), f"{rule.code} has no passing case"
    assert any(not c.passing for c in cases), f"{rule.code} has no failing case"


@pytest.mark.parametrize("rule", CATALOG.rules, ids=[r.code for r in CATALOG.rules])
def test_rule_is_documented(rule) -> None:  # type: ignore[no-untyped-def]
    assert rule.doc.summary.endswith("."), f"{rule.code} summary must be a sentence"
    assert rule.doc.fix.endswith("."), f"{rule.code} fix must end with a period"
    assert len(rule.doc.why) > 40, f"{rule.code} must say why it matters"


@pytest.mark.parametrize("rule", WITH_CASES, ids=[r.code for r in WITH_CASES])
def test_rule_docs_show_a_good_example(rule) -> None:  # type: ignore[no-untyped-def]
    assert examples(rule.code).good, f"{rule.code} needs a passing case that is text"
