"""A run that stopped before it could report (exit 2 or 3), as a valid machine document.

CI reads stdout: when ``--format json|sarif|github`` was asked for, an error that ends the run
early must still reach it as a document of that format, not as an empty stdout that a SARIF
upload rejects and an annotation step silently skips. Text output needs nothing here: the
error is already on stderr.

- json: the version 1 document with no findings and an ``errors`` list
  (``message``, ``fix``, ``exitCode``);
- sarif: one run with no results and an invocation that failed, whose
  ``toolExecutionNotifications`` carry the error;
- github: one ``::error`` workflow command.
"""

from __future__ import annotations

from typing import Any

from gitops.report import Report, counts, sarif
from gitops.report.github import escape_data
from gitops.report.indented_json import dumps_indented
from gitops.report.json import SCHEMA_VERSION

FAILURE_FORMATS = ("json", "sarif", "github")


def failure_document(output_format: str, message: str, fix: str | None, exit_code: int) -> str:
    """The document ``output_format`` prints for a run that ended with ``message``."""
    if output_format == "json":
        return _json(message, fix, exit_code)
    if output_format == "sarif":
        return _sarif(message, fix, exit_code)
    if output_format == "github":
        text = message + (f"\nfix: {fix}" if fix else "")
        return f"::error title=gitops::{escape_data(text)}\n"
    raise ValueError(f"no failure document for format {output_format!r}")


def _json(message: str, fix: str | None, exit_code: int) -> str:
    document = {
        "version": SCHEMA_VERSION,
        "findings": [],
        "errors": [{"message": message, "fix": fix, "exitCode": exit_code}],
        "summary": counts(Report(findings=(), rules=())),
    }
    return dumps_indented(document) + "\n"


def _sarif(message: str, fix: str | None, exit_code: int) -> str:
    notification: dict[str, Any] = {"level": "error", "message": {"text": message}}
    if fix:
        notification["properties"] = {"fix": fix}
    document = sarif.log(
        {
            "tool": sarif.tool("gitops", []),
            "invocations": [
                {
                    "executionSuccessful": False,
                    "exitCode": exit_code,
                    "toolExecutionNotifications": [notification],
                }
            ],
            "results": [],
        }
    )
    return dumps_indented(document) + "\n"
