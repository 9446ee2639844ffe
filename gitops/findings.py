"""What the linter and the validator report: findings, each located and explained."""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from operator import itemgetter
from typing import NamedTuple

SUPPRESSED_BY = "suppressed-by"
"""Key in :attr:`Finding.extra` naming what suppressed a finding (an annotation or config)."""


class Severity(IntEnum):
    """Ordered so that ``severity >= threshold`` selects what fails a run."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            valid = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r}; use one of: {valid}") from None


class Finding(NamedTuple):
    """One problem with one object (or one input document), located to file:line:column.

    A named tuple: a run builds one per finding (tens of thousands on a large input) and
    copies some with ``_replace``; a frozen dataclass took 3x as long to build and to copy,
    and twice as long to pickle between processes."""

    code: str
    """Stable rule code, e.g. ``PR001``."""
    rule: str
    """Kebab-case rule name stating the problem, e.g. ``missing-readiness-probe``."""
    severity: Severity
    message: str
    """What is wrong, with the concrete values."""
    fix: str
    """What to change; for rendered files, where in ``apps/`` or ``envs/``."""
    path: str
    line: int
    column: int = 1
    kind: str | None = None
    namespace: str | None = None
    name: str | None = None
    container: str | None = None
    suppressed: bool = False
    suppression: str | None = None
    """Why the finding is suppressed (the annotation's reason or the config entry)."""
    source: str | None = None
    """The app module and construct that rendered the object, from the render index."""
    extra: tuple[tuple[str, str], ...] = ()
    """Rule-specific facts for machine consumers (e.g. the JSON path of a schema error)."""


REPORT_ORDER: Callable[[Finding], tuple[str, int, int, str, str]] = itemgetter(5, 6, 7, 0, 3)
"""The order findings are reported in: path, line, column, code, message (a C key function:
a run sorts tens of thousands)."""
