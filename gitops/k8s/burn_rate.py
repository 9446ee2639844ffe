"""Error-budget arithmetic for SLOs, exact: multi-window, multi-burn-rate alert windows, burn
factors, thresholds and budgets as fractions, printed as exact decimals.

Pure functions over numbers and durations (memoised: every app and env asks the same
questions); the SLO construct renders rules from them and ``gitops slo`` prints them. The
windows follow the SRE workbook, defined as a share of the budget spent in the long window,
so the factor follows from the period instead of being a table of magic numbers:
``factor = budget share x period / long window`` (30d: 14.4, 6, 3, 1; 28d: 13.44, 5.6, 2.8,
14/15).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

SLO_ANNOTATION = "gitops.dev/slo"
"""Annotation holding the JSON list of a workload's SLO records on its PrometheusRule: written
by the SLO construct, read by ``gitops slo`` from rendered/."""
_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION = re.compile(r"^(?:\d+[wdhms])+$")
_PART = re.compile(r"(\d+)([wdhms])")


@lru_cache(maxsize=256)
def parse_duration(text: str) -> int:
    """Seconds in a Prometheus duration such as ``30d``, ``1h30m`` or ``5m``; ValueError else."""
    if not isinstance(text, str) or not _DURATION.fullmatch(text):
        raise ValueError(f"duration {text!r} must look like 30d, 6h, 5m or 1h30m")
    seconds = sum(int(n) * _UNITS[unit] for n, unit in _PART.findall(text))
    if seconds <= 0:
        raise ValueError(f"duration {text!r} must be longer than zero")
    return seconds


def prometheus_duration(seconds: int) -> str:
    """The shortest Prometheus duration for a whole number of seconds (``1d``, ``1h30m``)."""
    parts, rest = [], seconds
    for unit in ("d", "h", "m", "s"):
        count, rest = divmod(rest, _UNITS[unit])
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


def human_duration(seconds: Fraction) -> str:
    """A budget as people read it: ``7h12m``, ``43m12s``, ``4m19.2s``, ``2d2h``."""
    whole = int(seconds)
    parts = []
    for unit in ("d", "h", "m"):
        count, whole = divmod(whole, _UNITS[unit])
        if count:
            parts.append(f"{count}{unit}")
    secs = whole + (seconds - int(seconds))
    if secs or not parts:
        parts.append(f"{decimal_text(Fraction(secs), places=3)}s")
    return "".join(parts)


@lru_cache(maxsize=256)
def objective_fraction(objective: float | str) -> Fraction:
    """``99.9`` (percent) as the exact fraction 999/1000 (through its decimal text, so the
    float's binary residue never reaches a threshold)."""
    value = Fraction(Decimal(str(objective))) / 100
    if not 0 < value < 1:
        raise ValueError(f"objective {objective} must be a percentage between 0 and 100, exclusive")
    return value


def terminates(value: Fraction) -> bool:
    d = value.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


@lru_cache(maxsize=1024)
def decimal_text(value: Fraction, places: int | None = None) -> str:
    """``value`` as a plain decimal: exact when it terminates; otherwise (or when ``places``
    is given) rounded to ``places`` (default 12) digits after the point, zeros trimmed."""
    if places is None and terminates(value):
        digits = 0
        while (value * 10**digits).denominator != 1:
            digits += 1
        text = f"{Decimal(value.numerator) / Decimal(value.denominator):.{digits}f}"
    else:
        scaled = round(value * 10 ** (places or 12))
        text = f"{Decimal(scaled).scaleb(-(places or 12)):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def promql_number(value: Fraction) -> str:
    """``value`` exactly, as PromQL: a decimal when it terminates, else ``(n / d)``."""
    if terminates(value):
        return decimal_text(value)
    return f"({value.numerator} / {value.denominator})"


@dataclass(frozen=True)
class BurnWindow:
    """One alert: ``budget_percent`` of the period's budget spent within ``long``, confirmed by
    ``short`` (so the alert resets soon after the burn stops), held for ``for_``."""

    severity: str
    """``severity`` label of the alert, e.g. ``"page"`` or ``"ticket"``."""
    budget_percent: Fraction
    """Share of the period's budget, in percent (``2`` for 2%; ints and floats are taken
    exactly, through their decimal text)."""
    long: str
    """Long window, a duration such as ``"1h"``."""
    short: str
    """Short window, shorter than ``long``, such as ``"5m"``."""
    for_: str
    """The alert's ``for:`` duration."""

    def __post_init__(self) -> None:
        percent = Fraction(Decimal(str(self.budget_percent)))
        if not 0 < percent <= 100:
            raise ValueError(
                f"burn window budget_percent {self.budget_percent} must be in (0, 100]"
            )
        object.__setattr__(self, "budget_percent", percent)
        if not isinstance(self.severity, str) or not self.severity:
            raise ValueError("burn window severity must be a non-empty string")
        if parse_duration(self.short) >= parse_duration(self.long):
            raise ValueError(
                f"burn window {self.long}/{self.short}: the short window must be shorter"
            )
        parse_duration(self.for_)

    @property
    def long_seconds(self) -> int:
        return parse_duration(self.long)

    @property
    def short_seconds(self) -> int:
        return parse_duration(self.short)

    @property
    def name(self) -> str:
        return f"{self.long}/{self.short}"


DEFAULT_WINDOWS = (
    BurnWindow("page", Fraction(2), "1h", "5m", "2m"),
    BurnWindow("page", Fraction(5), "6h", "30m", "15m"),
    BurnWindow("ticket", Fraction(10), "1d", "2h", "1h"),
    BurnWindow("ticket", Fraction(10), "3d", "6h", "3h"),
)
"""The SRE workbook's windows: page on 2% of the budget in 1h or 5% in 6h; ticket on 10% in
1d or 10% in 3d."""


@lru_cache(maxsize=256)
def burn_factor(window: BurnWindow, period_seconds: int) -> Fraction:
    """How many times faster than sustainable the budget burns when ``window`` fires."""
    return window.budget_percent / 100 * period_seconds / window.long_seconds


def error_budget(objective: Fraction) -> Fraction:
    """The share of events allowed to fail: ``1 - objective``."""
    return 1 - objective


@lru_cache(maxsize=1024)
def threshold(window: BurnWindow, period_seconds: int, objective: Fraction) -> Fraction:
    """The error ratio above which ``window`` fires."""
    return burn_factor(window, period_seconds) * error_budget(objective)


def budget_seconds(objective: Fraction, period_seconds: int) -> Fraction:
    """The budget as time: how long the service may be fully down within the period."""
    return error_budget(objective) * period_seconds


def exhaustion_seconds(window: BurnWindow, period_seconds: int) -> Fraction:
    """How long the whole budget lasts at ``window``'s burn rate."""
    return Fraction(period_seconds) / burn_factor(window, period_seconds)


def never_fires(window: BurnWindow, period_seconds: int, objective: Fraction) -> bool:
    """True when the threshold is at or above an error ratio of 1, which no service reaches."""
    return threshold(window, period_seconds, objective) >= 1
