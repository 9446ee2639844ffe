"""Rule case files: ``gitops/rules/cases/<CODE>.yaml``, the data every rule is tested with and
documented by (the first passing and first failing case are its Good and Bad examples).

Format::

    cases:
    - name: latest-tag            # kebab-case; the test id is CODE::name
      options: {}                 # optional: rule options for this case (validator rules:
                                  # [tool.gitops.validate] settings)
      kubernetes_version: "1.31"  # optional, validator rules only
      manifests: |                # the YAML linted (line 1 is the first line of this block)
      # or manifests_base64: ...  # raw bytes (e.g. not UTF-8), or unreadable: true
        apiVersion: apps/v1
        ...
      expect:                     # the exact findings of this rule; [] for a passing case
      - line: 10                  # required
        name: web                 # optional: object name
        kind: Deployment          # optional
        container: web            # optional
        message: "moving tag"     # optional: substring of the message

"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CASES_DIR = Path(__file__).parent / "cases"
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Case:
    code: str
    name: str
    manifests: str
    expect: list[dict[str, Any]]
    options: dict[str, Any] = field(default_factory=dict)
    raw: bytes | None = None
    unreadable: bool = False
    kubernetes_version: str = "1.31"
    """For validator rules: the Kubernetes version the case is validated against."""

    @property
    def id(self) -> str:
        return f"{self.code}::{self.name}"

    @property
    def passing(self) -> bool:
        return not self.expect


def load_cases(code: str) -> list[Case]:
    path = CASES_DIR / f"{code}.yaml"
    if not path.exists():
        return []
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
    return [
        Case(
            code=code,
            name=entry["name"],
            manifests=entry.get("manifests", ""),
            expect=entry.get("expect") or [],
            options=entry.get("options") or {},
            raw=base64.b64decode(entry["manifests_base64"])
            if "manifests_base64" in entry
            else None,
            unreadable=bool(entry.get("unreadable")),
            kubernetes_version=str(entry.get("kubernetes_version", "1.31")),
        )
        for entry in document.get("cases", [])
    ]


@dataclass(frozen=True)
class Examples:
    """A rule's documented examples: its first failing and first passing case, as YAML."""

    bad: str | None
    good: str | None


@cache
def examples(code: str) -> Examples:
    """Read once per process: the SARIF reporter asks for every rule's examples on every
    run, and parsing all case files again cost 0.45 s a run."""
    shown = [(c, _shown_text(c)) for c in load_cases(code)]
    bad = next((text for c, text in shown if text and not c.passing), None)
    good = next((text for c, text in shown if text and c.passing), None)
    return Examples(bad=bad, good=good)


def _shown_text(case: Case) -> str | None:
    """The case's manifests as text, or None when they cannot be shown as text (a missing
    file, bytes that are not UTF-8)."""
    if case.unreadable:
        return None
    if case.raw is None:
        return case.manifests.rstrip("\n") or None
    try:
        return case.raw.decode("utf-8-sig").rstrip("\n") or None
    except UnicodeDecodeError:
        return None
