"""parse_effort: effort strings as people write them, in hours (8h days, 5-day weeks)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taskgov.spec.effort import EffortError, Estimate, parse_effort


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("4h", 4),
        ("1.5w", 60),
        ("13w  # comment", 520),
        ("30m", 0.5),
        ("90 minutes", 1.5),
        ("2 days", 16),
        ("1d", 8),
        ("~4h", 4),
        (".5d", 4),
        ("  3H  ", 3),
        (6, 6),
        (2.5, 2.5),
        (0, 0),
        ("6", 6),
        ("2.25", 2.25),
    ],
)
def test_single_values_are_hours(text: object, hours: float) -> None:
    estimate = parse_effort(text)
    assert estimate is not None
    assert estimate.optimistic == estimate.likely == estimate.pessimistic == pytest.approx(hours)


@pytest.mark.parametrize(
    ("text", "low", "likely", "high"),
    [
        ("3-5d", 24, 32, 40),
        ("7-9w", 280, 320, 360),
        ("1-2 weeks", 40, 60, 80),
        ("3d-5d", 24, 32, 40),
        ("3 to 5 days", 24, 32, 40),
        ("3–5d", 24, 32, 40),  # an en dash, as word processors write it
        ("2-4", 2, 3, 4),
        ("4h-2d", 4, 10, 16),
        ("~2-~3h", 2, 2.5, 3),
        ("2-2h", 2, 2, 2),
    ],
)
def test_ranges(text: str, low: float, likely: float, high: float) -> None:
    estimate = parse_effort(text)
    assert estimate is not None
    assert (estimate.optimistic, estimate.likely, estimate.pessimistic) == pytest.approx(
        (low, likely, high)
    )


@pytest.mark.parametrize("text", [None, "", "   ", "# just a comment", "  # tbd"])
def test_empty_is_none(text: object) -> None:
    assert parse_effort(text) is None


@pytest.mark.parametrize(
    ("text", "hours_per_day", "days_per_week", "expected"),
    [
        ("1d", 6, 5, 6),
        ("1w", 6, 5, 30),
        ("1w", 8, 4, 32),
        ("1.5w", 7.5, 4, 45),
        ("4h", 6, 4, 4),  # hours do not depend on the calendar
        ("30m", 6, 4, 0.5),
    ],
)
def test_custom_calendar(
    text: str, hours_per_day: float, days_per_week: float, expected: float
) -> None:
    estimate = parse_effort(text, hours_per_day=hours_per_day, days_per_week=days_per_week)
    assert estimate is not None
    assert estimate.likely == pytest.approx(expected)


def test_custom_calendar_applies_to_ranges() -> None:
    estimate = parse_effort("2-4d", hours_per_day=6)
    assert estimate is not None
    assert (estimate.optimistic, estimate.likely, estimate.pessimistic) == (12, 18, 24)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("abc", "cannot read"),
        ("5 points", "story points"),
        ("3sp", "story points"),
        ("3-5 pts", "story points"),
        ("8 story points", "story points"),
        ("2h-1h", "backwards"),
        ("2d-1d", "backwards"),
        ("1w-3d", "backwards"),
        ("1mo", "unknown unit"),
        ("3 fortnights", "unknown unit"),
        ("-3h", "cannot read"),
        ("4h 30m", "cannot read"),
        ("1e30h", "more than the 100,000 hours"),
        (-3, "negative"),
        (-0.5, "negative"),
        (True, "not an effort"),
        (False, "not an effort"),
        ([4], "not an effort"),
        ({"h": 4}, "not an effort"),
    ],
)
def test_errors(text: object, fragment: str) -> None:
    with pytest.raises(EffortError, match=fragment):
        parse_effort(text)


def test_effort_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="cannot read"):
        parse_effort("soon")


def test_source_is_recorded() -> None:
    estimate = parse_effort("4h", source="planning.estimate")
    assert estimate is not None
    assert estimate.source == "planning.estimate"
    default = parse_effort("4h")
    assert default is not None
    assert default.source == "classification.estimated_effort"


@pytest.mark.parametrize(
    ("o", "m", "p", "expected"),
    [
        (1, 2, 3, 2),
        (2, 4, 12, 5),
        (0, 0, 6, 1),
        (10, 10, 10, 10),
        (4, 5, 12, 6),
    ],
)
def test_expected_is_pert_mean(o: float, m: float, p: float, expected: float) -> None:
    estimate = Estimate(o, m, p)
    assert estimate.expected == pytest.approx(expected)
    assert estimate.expected == pytest.approx((o + 4 * m + p) / 6)
    assert estimate.as_dict()["expected"] == pytest.approx(expected)


def test_expected_of_a_parsed_range() -> None:
    estimate = parse_effort("3-5d")
    assert estimate is not None
    assert estimate.expected == pytest.approx((24 + 4 * 32 + 40) / 6)


@given(
    a=st.integers(min_value=0, max_value=500),
    extra=st.integers(min_value=0, max_value=500),
    unit=st.sampled_from(["h", "d", "w"]),
)
def test_ranges_are_ordered_with_midpoint(a: int, extra: int, unit: str) -> None:
    b = a + extra
    estimate = parse_effort(f"{a}-{b}{unit}")
    assert estimate is not None
    assert estimate.optimistic <= estimate.likely <= estimate.pessimistic
    assert estimate.likely == pytest.approx((estimate.optimistic + estimate.pessimistic) / 2)
    scale = {"h": 1, "d": 8, "w": 40}[unit]
    assert estimate.optimistic == pytest.approx(a * scale)
    assert estimate.pessimistic == pytest.approx(b * scale)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_numbers_are_rejected(value: float) -> None:
    with pytest.raises(EffortError):
        parse_effort(value)
