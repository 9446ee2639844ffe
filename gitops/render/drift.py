"""RD: ``rendered/`` drifting from its sources, as findings, so ``gitops check`` reports drift
with the same codes, formats and exit codes as lint and schema findings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitops.findings import Finding, Severity
from gitops.rules.registry import Rule, reported_rule

if TYPE_CHECKING:  # the rules are in every command's catalog; the writer of rendered/ is not
    from gitops.render.compare import Drift

FAMILY = "rendered"
ENGINE = "synth"


def _drift_rule(code: str, name: str, doc: str) -> Rule:
    return reported_rule(code, name, doc, family=FAMILY, severity=Severity.ERROR, engine=ENGINE)


out_of_date = _drift_rule(
    "RD001",
    "rendered-file-out-of-date",
    """A committed file in rendered/ differs from what apps/ and envs/ render to.

    Why: Argo CD deploys what is committed, so a stale or hand-edited file deploys something no
    source describes, and the next render silently reverts it.
    Fix: Run gitops synth and commit the result; change apps/ or envs/, never rendered/.
    """,
)
missing = _drift_rule(
    "RD002",
    "rendered-file-missing",
    """A file that apps/ and envs/ render to is not committed.

    Why: The object exists in the sources but Argo CD will never see it: the change that added
    it is not deployed.
    Fix: Run gitops synth and commit the result.
    """,
)
not_generated = _drift_rule(
    "RD003",
    "rendered-file-not-generated",
    """A file in rendered/ is not rendered by any app or environment.

    Why: It is either left over from a removed app or object (Argo CD keeps deploying it) or
    written by hand (it bypasses review of the sources).
    Fix: Run gitops synth, which removes it, and commit; to keep the object, add it to an app.
    """,
)

RULES = (out_of_date, missing, not_generated)


def drift_findings(drift: Drift) -> list[Finding]:
    """One finding per changed, missing or extra file (the render index included)."""
    findings: list[Finding] = []
    for paths, entry in (
        (drift.changed, out_of_date),
        (drift.missing, missing),
        (drift.extra, not_generated),
    ):
        for path in paths:
            line = drift.first_lines.get(path, 1)
            message = {
                out_of_date.code: f"differs from a fresh render from line {line}",
                missing.code: "is rendered from the sources but not committed",
                not_generated.code: "is not rendered by any app or environment",
            }[entry.code]
            findings.append(
                Finding(
                    code=entry.code,
                    rule=entry.name,
                    severity=entry.severity,
                    message=f"{path} {message}",
                    fix=entry.doc.fix,
                    path=path,
                    line=line,
                )
            )
    return findings
