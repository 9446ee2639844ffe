"""Service level objectives as construct props: ``SLO(name, objective, sli, period)``.

An SLO names the share of events that must be good over a rolling period (``99.9`` percent
over ``30d``) and the SLI that counts them, either a ratio of counters (``RatioSLI``: errors
or good events over all events) or latency under a threshold (``LatencySLI``: a classic
histogram's ``_bucket{le}`` over ``_count``, or a native histogram). Everything is validated
when the props are built, so a mistake stops synth with one message at the app's line: the
objective, the period and windows, every selector (parsed as PromQL by the real parser), the
latency threshold against the histogram's declared buckets, and every burn-rate alert that
could never fire because ``factor x (1 - objective) >= 1``.

From one SLO, a workload renders: recording rules and burn-rate alerts (``slo_rules``), a
Grafana dashboard (``slo_dashboard``) and, under a canary, an AnalysisTemplate on the same
SLI (``slo_canary``). The arithmetic is in ``gitops.k8s.burn_rate``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from gitops.k8s.burn_rate import (
    DEFAULT_WINDOWS,
    BurnWindow,
    burn_factor,
    decimal_text,
    never_fires,
    objective_fraction,
    parse_duration,
    threshold,
)
from gitops.k8s.promql import Selector, parse_selector

_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$")
DEFAULT_BUCKETS = (
    "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10",
)  # fmt: skip
"""The Prometheus client libraries' default histogram buckets, in seconds."""
NO_DATA_POLICIES = ("inconclusive", "failure")


def _selector(what: str, text: str) -> Selector:
    selector = parse_selector(text)
    if "namespace" in selector.labels():
        raise ValueError(
            f'{what} {text!r} selects a namespace; the SLO adds namespace="<app namespace>" '
            "itself, so remove that matcher"
        )
    return selector


@dataclass(frozen=True, kw_only=True)
class RatioSLI:
    """Bad (or good) events over all events, as PromQL counter selectors without a range:
    ``RatioSLI(errors='http_requests_total{code=~"5.."}', total="http_requests_total")``."""

    total: str
    """Counter of all events, e.g. ``"http_requests_total"``."""
    errors: str | None = None
    """Counter of bad events. Give this or ``good``. Default: none."""
    good: str | None = None
    """Counter of good events, when that is what the service exports. Default: none."""

    def __post_init__(self) -> None:
        if (self.errors is None) == (self.good is None):
            raise ValueError("RatioSLI needs exactly one of errors= or good=")
        _selector("RatioSLI total", self.total)
        _selector(
            "RatioSLI errors" if self.errors else "RatioSLI good", self.errors or self.good or ""
        )


@dataclass(frozen=True, kw_only=True)
class LatencySLI:
    """Requests slower than ``threshold`` seconds are bad events:
    ``LatencySLI(histogram="http_request_duration_seconds", threshold="0.5")``."""

    histogram: str
    """Histogram selector without suffix: ``_bucket`` and ``_count`` are appended for a classic
    histogram, e.g. ``'http_request_duration_seconds{handler!="/metrics"}'``."""
    threshold: str
    """The ``le`` label value of the bucket that counts good requests, exactly as the
    histogram exports it (``"0.5"``, ``"1"``); must be one of ``buckets``."""
    buckets: tuple[str, ...] = DEFAULT_BUCKETS
    """The histogram's declared bucket boundaries. Default: the client libraries' defaults
    (5ms to 10s)."""
    native: bool = False
    """A native histogram (``histogram_fraction``): any threshold works. Default: ``False``."""

    def __post_init__(self) -> None:
        _selector("LatencySLI histogram", self.histogram)
        try:
            value = Fraction(self.threshold)
            bounds = {Fraction(b) for b in self.buckets}
        except (ValueError, ZeroDivisionError):
            raise ValueError(
                f"LatencySLI threshold {self.threshold!r} and buckets must be numbers of seconds"
            ) from None
        if value <= 0:
            raise ValueError(f"LatencySLI threshold {self.threshold!r} must be above 0")
        if not self.native and value not in bounds:
            raise ValueError(
                f"LatencySLI threshold {self.threshold!r} is not a bucket boundary of "
                f"{self.histogram!r} (buckets: {', '.join(self.buckets)}); a classic histogram "
                "counts requests only at its boundaries, so pick one of them, declare the "
                "buckets the service exports, or use native=True"
            )


SLI = RatioSLI | LatencySLI


@dataclass(frozen=True, kw_only=True)
class CanaryAnalysis:
    """How a canary is judged on the SLO's SLI (Argo Rollouts background analysis).

    A measurement succeeds when the canary pods' error ratio over ``window`` is at most
    ``(1 - objective) x max_burn_rate`` (the formula: at ``max_burn_rate`` 1, the canary must
    meet the objective itself). An empty result or NaN (no traffic yet) is ``no_data``:
    ``"inconclusive"`` (neither success nor failure; after ``inconclusive_limit`` of them the
    rollout pauses for a person) or ``"failure"`` (counts towards ``failure_limit``)."""

    interval: str = "1m"
    """Time between measurements. Default: ``"1m"``."""
    window: str = "2m"
    """Range of the rate in the query. Default: ``"2m"``."""
    count: int | None = None
    """Measurements to take; none measures until the rollout ends. Default: none."""
    failure_limit: int = 2
    """Failed measurements tolerated before the rollout aborts. Default: ``2``."""
    inconclusive_limit: int = 5
    """Inconclusive measurements tolerated before the rollout pauses. Default: ``5``."""
    max_burn_rate: float = 1.0
    """Burn rate the canary may run at. Default: ``1.0`` (meet the objective)."""
    no_data: str = "inconclusive"
    """``"inconclusive"`` or ``"failure"``. Default: ``"inconclusive"``."""

    def __post_init__(self) -> None:
        parse_duration(self.interval)
        parse_duration(self.window)
        if self.no_data not in NO_DATA_POLICIES:
            raise ValueError(
                f"CanaryAnalysis no_data {self.no_data!r} must be one of {NO_DATA_POLICIES}"
            )
        if self.failure_limit < 0 or self.inconclusive_limit < 0:
            raise ValueError("CanaryAnalysis limits must be >= 0")
        if self.count is not None and self.count < 1:
            raise ValueError("CanaryAnalysis count must be >= 1 when set")
        if not self.max_burn_rate > 0:
            raise ValueError("CanaryAnalysis max_burn_rate must be above 0")


@dataclass(frozen=True, kw_only=True)
class SLO:
    """One service level objective of a workload."""

    name: str
    """Short name, e.g. ``"availability"``; the ``slo`` label of every rule and alert."""
    objective: float
    """Percent of events that must be good, e.g. ``99.9``; above 0, below 100."""
    sli: SLI
    """What counts as a bad event: ``RatioSLI`` or ``LatencySLI``."""
    period: str = "30d"
    """Rolling period of the objective: ``30d``, ``28d``, ``7d`` or any duration.
    Default: ``"30d"``."""
    description: str = ""
    """What the objective promises, for alerts and dashboards. Default: none."""
    windows: tuple[BurnWindow, ...] = DEFAULT_WINDOWS
    """Burn-rate alerts. Default: page 2%/1h and 5%/6h, ticket 10%/1d and 10%/3d."""
    min_events: int | None = None
    """Do not alert unless the long window saw at least this many events (no page on 1 error
    in 3 requests). Default: none."""
    runbook_url: str | None = None
    """Runbook of this SLO. Default: ``<runbook base>/<app>/<slo>`` when the environment
    sets a runbook base, else none."""
    canary: CanaryAnalysis | None = field(default_factory=CanaryAnalysis)
    """Judge canary rollouts on this SLI (used only when the workload runs a canary).
    Default: ``CanaryAnalysis()``; ``None`` to leave this SLO out of canary analysis."""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.fullmatch(self.name):
            raise ValueError(
                f"SLO name {self.name!r} must be lower-case letters, digits and '-' "
                "(at most 42 characters)"
            )
        objective = objective_fraction(self.objective)
        period = parse_duration(self.period)
        if not self.windows:
            raise ValueError(f"SLO {self.name!r} needs at least one burn-rate window")
        if self.min_events is not None and self.min_events < 1:
            raise ValueError(f"SLO {self.name!r} min_events must be >= 1 when set")
        for window in self.windows:
            if window.long_seconds > period:
                raise ValueError(
                    f"SLO {self.name!r} window {window.name} is longer than the period "
                    f"{self.period}"
                )
            if never_fires(window, period, objective):
                factor = decimal_text(burn_factor(window, period), places=4)
                ratio = decimal_text(threshold(window, period, objective), places=4)
                raise ValueError(
                    f"SLO {self.name!r} alert {window.severity} {window.name} could never "
                    f"fire: burn factor {factor} x error budget "
                    f"{decimal_text(1 - objective)} = {ratio} >= 1 (an error ratio above "
                    "100%); raise the objective, lengthen the period or drop that window"
                )

    @property
    def objective_ratio(self) -> Fraction:
        return objective_fraction(self.objective)

    @property
    def period_seconds(self) -> int:
        return parse_duration(self.period)
