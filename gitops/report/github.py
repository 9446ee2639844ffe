"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` annotation per
unsuppressed finding, shown on the pull request's diff, then the plain summary line.

Escaping follows the runner's rules: in the message ``%``, CR and LF are percent-encoded; in
property values ``:`` and ``,`` are too, since they separate properties. Before that, control
characters in text from manifests are shown as escapes (``gitops.report.escape``), so the only
line breaks in an annotation are the ones it puts between message, fix and source.
"""

from __future__ import annotations

from gitops.findings import REPORT_ORDER, Finding, Severity
from gitops.report import Report
from gitops.report.escape import printable
from gitops.report.text import summary_line

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding) -> str:
    properties = {
        "file": printable(f.path),
        "line": str(f.line),
        "col": str(f.column),
        "title": f"{f.code} {f.rule}",
    }
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    body = printable(f.message) + f"\nfix: {printable(f.fix)}"
    if f.source:
        body += f"\nsource: {printable(f.source)}"
    return f"::{_COMMANDS[f.severity]} {props}::{escape_data(body)}"


def render(report: Report) -> str:
    shown = sorted((f for f in report.findings if not f.suppressed), key=REPORT_ORDER)
    return "".join(annotation(f) + "\n" for f in shown) + summary_line(report) + "\n"
