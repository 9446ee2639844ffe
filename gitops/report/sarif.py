"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One ``reportingDescriptor`` per rule (its summary, why, fix and the Bad/Good examples from the
rule's case file), one result per finding (``results`` is there even when empty), with
``partialFingerprints`` from the finding's identity and, given a base revision or a baseline,
its ``baselineState``. Suppressed findings are results with
``suppressions``: ``inSource`` for a ``gitops.dev/ignore`` annotation, ``external`` for a
config entry, each with the reason as its justification.
"""

from __future__ import annotations

from typing import Any

from gitops import __version__
from gitops.findings import REPORT_ORDER, SUPPRESSED_BY, Finding, Severity
from gitops.report import Report
from gitops.report.escape import json_safe
from gitops.report.indented_json import dumps_indented
from gitops.rules.cases import examples
from gitops.rules.docs import plain
from gitops.rules.registry import Rule

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/acme/gitops"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render(report: Report) -> str:
    rules = {r.code: r for r in report.rules}
    for finding in report.findings:
        if finding.code not in rules:
            raise ValueError(f"finding {finding.code} has no rule in the report")
    ordered = [rules[code] for code in sorted(rules)]
    index = {rule.code: position for position, rule in enumerate(ordered)}
    findings = sorted(report.findings, key=REPORT_ORDER)
    document = log(
        {
            "tool": tool(report.tool, [descriptor(rule) for rule in ordered]),
            "columnKind": "unicodeCodePoints",
            "results": [result(f, index[f.code]) for f in findings],
        }
    )
    return json_safe(dumps_indented(document)) + "\n"


def log(run: dict[str, Any]) -> dict[str, Any]:
    """A SARIF 2.1.0 log of one run."""
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def tool(name: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    """The run's ``tool``: this gitops and the rules its results refer to."""
    return {
        "driver": {
            "name": name,
            "version": __version__,
            "informationUri": INFORMATION_URI,
            "rules": rules,
        }
    }


def descriptor(rule: Rule) -> dict[str, Any]:
    text, markdown = help_texts(rule)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": plain(rule.doc.summary)},
        "fullDescription": {"text": plain(rule.doc.why)},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": _LEVELS[rule.severity], "enabled": rule.enabled},
        "properties": {"family": rule.family, "tags": [rule.family]},
    }


def help_texts(rule: Rule) -> tuple[str, str]:
    """(plain text, markdown) help: why, fix, and the Bad/Good examples."""
    found = examples(rule.code)
    why, fix = plain(rule.doc.why), plain(rule.doc.fix)
    text = [why, "", f"Fix: {fix}"]
    markdown = [why, "", f"**Fix:** {fix}"]
    for label, example in (("Bad", found.bad), ("Good", found.good)):
        if example:
            text += ["", f"{label}:", example]
            markdown += ["", f"**{label}:**", "", "```yaml", example, "```"]
    return "\n".join(text), "\n".join(markdown)


def result(f: Finding, rule_index: int) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": f.path},
            "region": {"startLine": f.line, "startColumn": f.column},
        }
    }
    if f.kind:
        parts = [p for p in (f.namespace, f.kind, f.name, f.container) if p]
        location["logicalLocations"] = [{"fullyQualifiedName": "/".join(parts), "kind": "object"}]
    properties: dict[str, Any] = {"fix": f.fix}
    if f.source:
        properties["source"] = f.source
    entry: dict[str, Any] = {
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": _LEVELS[f.severity],
        "message": {"text": f.message},
        "locations": [location],
        "properties": properties,
    }
    facts = dict(f.extra)
    if "fingerprint" in facts:
        # The identity of gitops.review.identity: no file, no line, so moves keep the alert.
        entry["partialFingerprints"] = {"gitopsIdentity/v1": facts["fingerprint"]}
    if facts.get("baselineState") in ("new", "unchanged", "updated", "absent"):
        entry["baselineState"] = facts["baselineState"]
    if f.suppressed:
        by = facts.get(SUPPRESSED_BY)
        entry["suppressions"] = [
            {
                "kind": "external" if by == "config" else "inSource",
                "justification": f.suppression or "",
            }
        ]
    return entry
