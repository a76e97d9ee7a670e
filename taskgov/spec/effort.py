"""Effort strings as people write them ("4h", "1.5w", "3-5d", "7-9w", "30m", "6") in hours."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_UNITS = {
    "m": "minute",
    "min": "minute",
    "mins": "minute",
    "minute": "minute",
    "minutes": "minute",
    "h": "hour",
    "hr": "hour",
    "hrs": "hour",
    "hour": "hour",
    "hours": "hour",
    "d": "day",
    "day": "day",
    "days": "day",
    "w": "week",
    "wk": "week",
    "wks": "week",
    "week": "week",
    "weeks": "week",
}
_POINTS = {"sp", "pt", "pts", "point", "points", "story points", "story point"}

_NUMBER = r"((?:\d+(?:\.\d+)?|\.\d+)(?:e[+-]?\d+)?)"
_UNIT = r"([a-z]+(?:\s+points?)?)?"
_PATTERN = re.compile(rf"^~?\s*{_NUMBER}\s*{_UNIT}\s*(?:(?:-|–|to)\s*~?\s*{_NUMBER}\s*{_UNIT})?$")


@dataclass(frozen=True)
class Estimate:
    """A three-point estimate in hours, with where it came from."""

    optimistic: float
    likely: float
    pessimistic: float
    source: str = "planning.estimate"

    @property
    def expected(self) -> float:
        """The PERT mean (o + 4m + p) / 6."""
        return (self.optimistic + 4 * self.likely + self.pessimistic) / 6

    def as_dict(self) -> dict[str, object]:
        return {
            "optimistic": _round(self.optimistic),
            "likely": _round(self.likely),
            "pessimistic": _round(self.pessimistic),
            "expected": _round(self.expected),
            "source": self.source,
        }


def _round(value: float) -> float:
    return round(value, 4)


# The most one task may be estimated at: 50 person-years. Anything above is a typo or a
# unit mix-up, and would turn every total, P95 and schedule into nonsense.
MAX_HOURS = 100_000


class EffortError(ValueError):
    """An effort string that cannot be read as hours."""


class EffortRangeError(EffortError):
    """An effort that reads as hours, but negative, not finite, or above ``MAX_HOURS``."""


def check_hours(hours: float, shown: object) -> float:
    """``hours``, when it is a number of hours one task can take; else ``EffortRangeError``
    naming ``shown`` (what the spec says)."""
    said = repr(shown) if len(repr(shown)) <= 40 else f"{repr(shown)[:36]}…"
    if math.isnan(hours):
        raise EffortRangeError(f"{said} is not a number of hours")
    if hours < 0:
        raise EffortRangeError(f"{said}: effort cannot be negative")
    if hours > MAX_HOURS:
        amount = "" if math.isinf(hours) else f"{hours:,.0f}" if hours < 1e9 else f"{hours:.2g}"
        raise EffortRangeError(
            f"{said} is {amount + ' hours, ' if amount else ''}more than the {MAX_HOURS:,} hours "
            "one task may take (split the task, or check the unit)"
        )
    return float(hours)


def unit_hours(unit: str, hours_per_day: float, days_per_week: float) -> float:
    kind = _UNITS.get(unit)
    if kind == "minute":
        return 1 / 60
    if kind == "hour":
        return 1.0
    if kind == "day":
        return hours_per_day
    if kind == "week":
        return hours_per_day * days_per_week
    raise EffortError(f"unknown unit {unit!r} (use m, h, d or w)")


def parse_effort(
    text: object,
    *,
    hours_per_day: float = 8.0,
    days_per_week: float = 5.0,
    source: str = "classification.estimated_effort",
) -> Estimate | None:
    """Hours for an effort value; ``None`` when it is empty.

    A single value gives equal optimistic/likely/pessimistic; a range ``a-b`` gives optimistic
    ``a``, pessimistic ``b`` and the midpoint as likely. A number alone is hours. A trailing
    ``# comment`` is ignored. Raises ``EffortError`` for anything else (story points included:
    they have no conversion to hours).
    """
    if text is None or isinstance(text, bool):
        if text is None:
            return None
        raise EffortError(f"{text!r} is not an effort")
    if isinstance(text, (int, float)):
        # Compared before any float(): an int of 400 digits has no float.
        value = check_hours(
            text if isinstance(text, float) or text <= MAX_HOURS else math.inf, text
        )
        return Estimate(value, value, value, source)
    if not isinstance(text, str):
        raise EffortError(f"{text!r} is not an effort")
    cleaned = text.split("#", 1)[0].strip().lower()
    if not cleaned:
        return None
    match = _PATTERN.match(cleaned)
    if match is None:
        _out_of_range(cleaned, text)
        raise EffortError(f"cannot read {text.strip()!r} as an effort (e.g. 4h, 1.5d, 3-5d, 2w)")
    low_text, low_unit, high_text, high_unit = match.groups()
    for unit in (low_unit, high_unit):
        if unit and (unit in _POINTS or unit.endswith("points") or unit.endswith("point")):
            raise EffortError(f"story points in {text.strip()!r} have no conversion to hours")
    unit = high_unit or low_unit or "h"
    first_unit = low_unit or unit
    low = check_hours(float(low_text) * unit_hours(first_unit, hours_per_day, days_per_week), text)
    if high_text is None:
        return Estimate(low, low, low, source)
    high = check_hours(float(high_text) * unit_hours(unit, hours_per_day, days_per_week), text)
    if high < low:
        raise EffortError(f"range {text.strip()!r} runs backwards")
    return Estimate(low, (low + high) / 2, high, source)


def _out_of_range(cleaned: str, text: str) -> None:
    """Raise ``EffortRangeError`` for a number the pattern does not take ("nan", "-3", "inf",
    "1e+26" as YAML prints large numbers); anything else is left to be unreadable."""
    try:
        number = float(cleaned)
    except ValueError:
        return
    check_hours(number, text.strip())


# Wall-clock durations (a claim's lease): a day is 24 hours here, not a working day.
_DURATION = re.compile(r"^\s*((?:\d+(?:\.\d+)?|\.\d+))\s*([a-z]+)\s*$")
_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86_400, "week": 604_800}
_SECOND_UNITS = {"s", "sec", "secs", "second", "seconds"}
MAX_DURATION = 366 * 86_400  # a lease of more than a year is a typo


def parse_duration(text: str, *, allow_zero: bool = False) -> float:
    """Seconds of wall-clock time in ``text``: ``90s``, ``30m``, ``2h``, ``1.5d``, ``1w``.

    The units are those of efforts (``m``, ``h``, ``d``, ``w`` and their long forms) plus
    seconds, but a day is 24 hours and a week 7 days. Raises ``EffortError`` for anything else,
    a number without a unit, zero (unless ``allow_zero``) and more than a year."""
    match = _DURATION.match(text.lower()) if isinstance(text, str) else None
    if match is None:
        raise EffortError(f"cannot read {text!r} as a duration (e.g. 30m, 2h, 1d)")
    number, unit = float(match.group(1)), match.group(2)
    kind = "second" if unit in _SECOND_UNITS else _UNITS.get(unit)
    if kind is None:
        raise EffortError(f"unknown unit {unit!r} in {text!r} (use s, m, h, d or w)")
    seconds = number * _SECONDS[kind]
    if seconds <= 0 and not allow_zero:
        raise EffortError(f"{text!r}: a duration must be more than zero")
    if seconds > MAX_DURATION:
        raise EffortError(f"{text!r} is more than a year")
    return seconds
