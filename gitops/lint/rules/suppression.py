"""GH004-GH005: suppression annotations that do not do what their author meant.

The suppression step (``gitops.lint.suppress``) reports these while it reads the
``gitops.dev/ignore`` annotations, because only it knows every rule an annotation may name
(the validator's too); they are rules so that they have codes, documentation, severities and
configuration like every other finding.
"""

from __future__ import annotations

from gitops.findings import Severity
from gitops.rules.registry import Rule, reported_rule

FAMILY = "gitops-hygiene"


def _suppression_rule(code: str, name: str, doc: str) -> Rule:
    return reported_rule(
        code, name, doc, family=FAMILY, severity=Severity.WARNING, engine="suppress"
    )


ignore_without_reason = _suppression_rule(
    "GH004",
    "ignore-without-reason",
    """An object has a gitops.dev/ignore annotation but no gitops.dev/ignore-reason.

    Why: A suppression nobody can explain is a finding hidden from review; months later no
    one knows whether the rule still does not apply. Without a reason the annotation
    suppresses nothing, so the findings it meant to silence are reported as well.
    Fix: Add gitops.dev/ignore-reason with why the rule does not apply to this object; in
    this repo, pass Suppress(rules=(...), reason="...") to the construct's props.
    """,
)
ignore_names_unknown_rule = _suppression_rule(
    "GH005",
    "ignore-names-unknown-rule",
    """A gitops.dev/ignore annotation names a rule that does not exist.

    Why: A mistyped code or name suppresses nothing, so the finding it meant to silence still
    fails the run, or a rule that was renamed leaves a stale suppression behind.
    Fix: Use a rule code or name from gitops rules (or a family), or remove the entry.
    """,
)

RULES = (ignore_without_reason, ignore_names_unknown_rule)
