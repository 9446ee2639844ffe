"""The SARIF reporter reads the rule case files once per process, not on every run (parsing
them all again cost 0.45 s a run)."""

from __future__ import annotations

from gitops.commands.catalog import CATALOG
from gitops.report import REPORTERS, Report
from gitops.rules.cases import examples


def test_rule_examples_are_read_once() -> None:
    report = Report(findings=(), rules=CATALOG.rules)
    REPORTERS["sarif"](report)
    before = examples.cache_info()
    REPORTERS["sarif"](report)
    after = examples.cache_info()
    assert after.misses == before.misses
    assert after.hits - before.hits == len(CATALOG.rules)
