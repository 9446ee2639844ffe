"""Burn-rate arithmetic: the workbook's factors, exact thresholds, budgets as time."""

from __future__ import annotations

from fractions import Fraction

import pytest

from gitops.k8s.burn_rate import (
    DEFAULT_WINDOWS,
    budget_seconds,
    burn_factor,
    decimal_text,
    exhaustion_seconds,
    human_duration,
    never_fires,
    objective_fraction,
    parse_duration,
    promql_number,
    threshold,
)

PAGE_1H, PAGE_6H, TICKET_1D, TICKET_3D = DEFAULT_WINDOWS


@pytest.mark.parametrize(
    ("period", "factors"),
    [
        ("30d", ["14.4", "6", "3", "1"]),
        ("28d", ["13.44", "5.6", "2.8", "(14 / 15)"]),
        ("7d", ["3.36", "1.4", "0.7", "(7 / 30)"]),
        ("90d", ["43.2", "18", "9", "3"]),
    ],
)
def test_factors_are_budget_share_times_period_over_long_window(
    period: str, factors: list[str]
) -> None:
    seconds = parse_duration(period)
    assert [promql_number(burn_factor(w, seconds)) for w in DEFAULT_WINDOWS] == factors


@pytest.mark.parametrize(
    ("period", "thresholds"),
    [
        ("30d", ["0.0144", "0.006", "0.003", "0.001"]),
        ("28d", ["0.01344", "0.0056", "0.0028", "(7 / 7500)"]),
    ],
)
def test_thresholds_are_exact_for_99_9(period: str, thresholds: list[str]) -> None:
    objective = objective_fraction(99.9)
    got = [promql_number(threshold(w, parse_duration(period), objective)) for w in DEFAULT_WINDOWS]
    assert got == thresholds
    # no float residue such as Sloth's 0.0009999999999999432
    assert all("99999" not in t and "00000" not in t for t in got)


@pytest.mark.parametrize(
    ("objective", "budget"),
    [(99, "7h12m"), (99.9, "43m12s"), (99.99, "4m19.2s"), (99.95, "21m36s"), (95, "1d12h")],
)
def test_budget_as_time_over_30d(objective: float, budget: str) -> None:
    assert (
        human_duration(budget_seconds(objective_fraction(objective), parse_duration("30d")))
        == budget
    )


def test_exhaustion_at_each_burn() -> None:
    period = parse_duration("30d")
    assert [human_duration(exhaustion_seconds(w, period)) for w in DEFAULT_WINDOWS] == [
        "2d2h", "5d", "10d", "30d",
    ]  # fmt: skip


def test_never_fires_when_factor_times_budget_reaches_one() -> None:
    period = parse_duration("30d")
    # 90%: budget 0.1; 14.4 x 0.1 = 1.44 >= 1, 6 x 0.1 = 0.6 < 1
    assert never_fires(PAGE_1H, period, objective_fraction(90))
    assert not never_fires(PAGE_6H, period, objective_fraction(90))
    # exactly 1 can never be exceeded either: 10% of a 100d budget in 1d is 10 x 0.1 = 1
    assert never_fires(TICKET_1D, parse_duration("100d"), objective_fraction(90))


@pytest.mark.parametrize("bad", [0, 100, -1, 100.5])
def test_objective_out_of_range(bad: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 100"):
        objective_fraction(bad)


@pytest.mark.parametrize("bad", ["", "30", "d", "5 m", "0m", "1.5h"])
def test_bad_durations(bad: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(bad)


def test_decimal_text() -> None:
    assert decimal_text(Fraction(1, 1000)) == "0.001"
    assert decimal_text(Fraction(144, 10)) == "14.4"
    assert decimal_text(Fraction(2, 3), places=4) == "0.6667"
    assert parse_duration("1h30m") == 5400
