"""``gitops rules``: list every rule, or explain one, as text or markdown."""

from __future__ import annotations

import difflib
from collections.abc import Callable

from gitops.commands.catalog import CATALOG
from gitops.errors import ConfigError, ExitCode
from gitops.rules.docs import rule_markdown, rule_text, rules_markdown, rules_table


def run_rules(ref: str | None, *, output_format: str, echo: Callable[[str], None]) -> ExitCode:
    if ref is None:
        rules = list(CATALOG.rules)
        echo(rules_markdown(rules) if output_format == "markdown" else rules_table(rules))
        return ExitCode.OK
    found = CATALOG.lookup(ref)
    if not found:
        names = [*CATALOG.by_code, *CATALOG.by_name, *CATALOG.families]
        close = difflib.get_close_matches(ref, names, n=3, cutoff=0.7)
        raise ConfigError(
            f"no rule, name or family {ref!r}"
            + (f"; did you mean: {', '.join(close)}?" if close else ""),
            fix="run 'gitops rules' to list the rules",
        )
    render = rule_markdown if output_format == "markdown" else rule_text
    echo("\n".join(render(rule) for rule in found))
    return ExitCode.OK
