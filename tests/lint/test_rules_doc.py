"""docs/rules.md is generated from the catalog and must be current."""

from __future__ import annotations

from pathlib import Path

from gitops.commands.catalog import CATALOG
from gitops.rules.docs import DOCS_PATH, REGENERATE, rules_markdown

REPO = Path(__file__).parents[2]


def test_rules_page_is_current() -> None:
    committed = (REPO / DOCS_PATH).read_text(encoding="utf-8")
    assert committed == rules_markdown(CATALOG.rules), (
        f"{DOCS_PATH} is stale; regenerate it with: {REGENERATE}"
    )


def test_rules_page_has_a_section_per_rule_with_why_fix_and_examples() -> None:
    page = rules_markdown(CATALOG.rules)
    for rule in CATALOG.rules:
        section = page.split(f"\n## {rule.code} {rule.name}\n", 1)[1].split("\n## ", 1)[0]
        assert "**Why:**" in section and "**Fix:**" in section, rule.code
        assert "- Presets: " in section and "- Severity: " in section, rule.code
        if rule.engine != "synth":  # drift rules have no manifest examples (see test_rule_cases)
            assert "**Good:**" in section, f"{rule.code} has no passing case to show as Good"
