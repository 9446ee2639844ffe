"""Cron schedules as Kubernetes CronJobs and Argo CronWorkflows read them (robfig/cron's
standard five-field syntax and its ``@`` macros), checked at synth."""

from __future__ import annotations

import re
import zoneinfo

MACROS = frozenset(
    {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
)
_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, {m: i + 1 for i, m in enumerate(_MONTHS)}),
    ("day of week", 0, 7, {d: i for i, d in enumerate(_DAYS)}),
)
_PART = re.compile(r"^(?P<range>\*|\?|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:/(?P<step>\d+))?$")


def _value(text: str, low: int, high: int, names: dict[str, int], what: str) -> int:
    number = names.get(text.upper()) if not text.isdigit() else int(text)
    if number is None or not low <= number <= high:
        raise ValueError(f"{what} {text!r} is outside {low}-{high}")
    return number


def schedule_problem(schedule: str) -> str | None:
    """Why ``schedule`` does not parse, or None."""
    text = schedule.strip()
    if text in MACROS:
        return None
    if text.startswith(("TZ=", "CRON_TZ=")):
        return "a TZ= prefix is not allowed; use the timezone prop"
    fields = text.split()
    if len(fields) != 5:
        return f"has {len(fields)} fields; expected 5 (minute hour day-of-month month day-of-week)"
    for raw, (what, low, high, names) in zip(fields, _FIELDS, strict=True):
        for part in raw.split(","):
            match = _PART.match(part)
            if match is None:
                return f"{what} field {raw!r} is not a cron expression"
            span, step = match["range"], match["step"]
            try:
                if span not in ("*", "?"):
                    bounds = [_value(v, low, high, names, what) for v in span.split("-")]
                    if len(bounds) == 2 and bounds[0] > bounds[1]:
                        return f"{what} range {span!r} runs backwards"
            except ValueError as error:
                return str(error)
            if step is not None and int(step) == 0:
                return f"{what} step in {part!r} must be at least 1"
    return None


def check_schedule(schedule: str, timezone: str | None) -> None:
    problem = schedule_problem(schedule)
    if problem:
        raise ValueError(f"schedule {schedule!r} does not parse: {problem}")
    if timezone is not None:
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"timezone {timezone!r} is not an IANA time zone (e.g. Europe/Paris, Etc/UTC)"
            ) from None
