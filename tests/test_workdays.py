"""grid.workdays: the official schedule where chinesecalendar has it, a
provisional Monday–Friday calendar where it does not."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grid.workdays import (
    PROVISIONAL_HOLIDAYS, add_working_days, is_provisional, is_working_day,
    working_days_between,
)

# Spans the package's range (2004–2026 in 1.11.0) and both uncovered edges.
dates = st.dates(min_value=date(2002, 6, 1), max_value=date(2029, 6, 30))
counts = st.integers(min_value=1, max_value=400)


# --- the official schedule --------------------------------------------------------

# Each (day, working?, reason).  Checked against the package's own data below,
# so a wrong expectation here fails loudly instead of encoding a memory slip.
KNOWN_DAYS = [
    (date(2025, 9, 28), True, "Sunday make-up working day before National Day"),
    (date(2025, 9, 30), True, "ordinary Tuesday"),
    (date(2025, 10, 1), False, "National Day"),
    (date(2025, 10, 3), False, "National Day on a Friday"),
    (date(2025, 10, 6), False, "Mid-Autumn Festival inside the golden week"),
    (date(2025, 10, 8), False, "last day of the golden week, a Wednesday"),
    (date(2025, 10, 9), True, "first working day after the golden week"),
    (date(2025, 10, 11), True, "Saturday make-up working day after National Day"),
    (date(2025, 10, 12), False, "ordinary Sunday"),
    (date(2026, 1, 1), False, "New Year's Day"),
    (date(2026, 1, 4), True, "Sunday make-up working day after New Year"),
    (date(2026, 2, 14), True, "Saturday make-up working day before Spring Festival"),
    (date(2026, 2, 15), False, "Spring Festival holiday on a Sunday"),
    (date(2026, 2, 28), True, "Saturday make-up working day after Spring Festival"),
    (date(2026, 9, 25), False, "Mid-Autumn Festival 2026, a Friday"),
    (date(2026, 10, 7), False, "National Day golden week, a Wednesday"),
    (date(2026, 10, 10), True, "Saturday make-up working day after National Day"),
]


@pytest.mark.parametrize("day, working, reason", KNOWN_DAYS, ids=[str(d) for d, _, _ in KNOWN_DAYS])
def test_known_days_follow_the_official_schedule(day: date, working: bool, reason: str) -> None:
    assert chinese_calendar.is_workday(day) is working, f"expectation disagrees with the package: {reason}"
    assert is_working_day(day) is working, reason
    assert not is_provisional(day)


def test_every_covered_day_matches_the_package() -> None:
    day, mismatches = date(2004, 1, 1), []
    while not is_provisional(day):
        if is_working_day(day) != chinese_calendar.is_workday(day):
            mismatches.append(day)
        day += timedelta(days=1)
    assert day.year >= 2027
    assert mismatches == []


def test_a_datetime_counts_as_its_date() -> None:
    assert not is_working_day(datetime(2025, 10, 1, 9, 30))
    assert add_working_days(datetime(2025, 9, 30, 18, 0), 1) == date(2025, 10, 9)
    assert working_days_between(datetime(2025, 9, 30, 18), datetime(2025, 10, 9, 8)) == 1


def test_whole_golden_week_2025_is_off() -> None:
    golden_week = [date(2025, 10, 1) + timedelta(days=i) for i in range(8)]
    assert not any(is_working_day(day) for day in golden_week)


def test_adding_five_working_days_across_the_golden_week() -> None:
    # 9 Oct, 10 Oct, 11 Oct (make-up Saturday), 13 Oct, 14 Oct.
    assert add_working_days(date(2025, 9, 30), 5) == date(2025, 10, 14)
    # Fri 26 Sep → Sun 28 Sep (make-up), 29, 30 Sep, then 9 and 10 Oct.
    assert add_working_days(date(2025, 9, 26), 5) == date(2025, 10, 10)


def test_counting_across_the_golden_week() -> None:
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 8)) == 0
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 14)) == 5
    assert working_days_between(date(2025, 9, 27), date(2025, 9, 28)) == 1


def test_zero_days_from_a_working_day_is_that_day() -> None:
    assert add_working_days(date(2025, 9, 28), 0) == date(2025, 9, 28)


def test_zero_days_from_a_holiday_is_the_next_working_day() -> None:
    assert add_working_days(date(2025, 10, 1), 0) == date(2025, 10, 9)


def test_negative_count_is_refused() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2025, 10, 9), -1)


def test_interval_is_half_open() -> None:
    day = date(2025, 10, 9)
    assert working_days_between(day, day) == 0
    assert working_days_between(day, day + timedelta(days=1)) == 1  # end counts
    assert working_days_between(day - timedelta(days=1), day) == 1  # start does not
    assert working_days_between(day, day - timedelta(days=7)) == 0  # empty, not negative


# --- the provisional calendar -----------------------------------------------------


def test_uncovered_year_falls_back_without_raising() -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 3, 3))
    assert is_provisional(date(2027, 3, 3))
    assert is_working_day(date(2027, 3, 3))  # a Wednesday
    assert not is_working_day(date(2027, 3, 6))  # a Saturday


@pytest.mark.parametrize(
    "day, working",
    [
        (date(2027, 1, 1), False),  # Friday, New Year's Day
        (date(2027, 5, 3), True),  # Monday: only 1–2 May are fixed
        (date(2027, 10, 1), False),  # Friday, National Day
        (date(2027, 10, 4), True),  # Monday: no golden week until it is published
        (date(2003, 10, 1), False),  # before the package's range, too
    ],
)
def test_provisional_calendar_keeps_the_fixed_date_holidays(day: date, working: bool) -> None:
    assert is_provisional(day)
    assert is_working_day(day) is working


def test_provisional_holidays_are_the_fixed_statutory_dates() -> None:
    assert PROVISIONAL_HOLIDAYS == {(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)}


def test_covered_years_are_not_provisional() -> None:
    assert not is_provisional(date(2004, 1, 1))
    assert not is_provisional(date(2026, 12, 31))
    assert is_provisional(date(2027, 1, 1))


def test_adding_working_days_runs_into_a_provisional_year() -> None:
    # Thu 31 Dec 2026, (Fri 1 Jan 2027 is off), Mon 4 Jan, Tue 5 Jan.
    assert add_working_days(date(2026, 12, 30), 3) == date(2027, 1, 5)
    assert working_days_between(date(2026, 12, 30), date(2027, 1, 5)) == 3


# --- properties -------------------------------------------------------------------


@settings(deadline=None)
@given(dates)
def test_is_working_day_never_raises_and_agrees_with_the_package(day: date) -> None:
    working = is_working_day(day)
    if is_provisional(day):
        from grid.workdays import statutory_holidays

        assert working == (day.weekday() < 5 and day not in statutory_holidays(day.year))
    else:
        assert working == chinese_calendar.is_workday(day)


@settings(deadline=None)
@given(dates, counts)
def test_result_is_a_working_day(day: date, n: int) -> None:
    assert is_working_day(add_working_days(day, n))


@settings(deadline=None)
@given(dates, counts)
def test_adding_is_strictly_monotonic_in_n(day: date, n: int) -> None:
    assert day < add_working_days(day, n) < add_working_days(day, n + 1)


@settings(deadline=None)
@given(dates)
def test_zero_and_one_coincide_only_from_a_day_off(day: date) -> None:
    zero, one = add_working_days(day, 0), add_working_days(day, 1)
    assert zero <= one
    assert (zero == one) is (not is_working_day(day))


@settings(deadline=None)
@given(dates, counts)
def test_counting_undoes_adding(day: date, n: int) -> None:
    # Together with "the result is a working day", this also says no working
    # day is skipped: exactly n of them in (day, result], the last one included.
    assert working_days_between(day, add_working_days(day, n)) == n


@settings(deadline=None)
@given(dates, counts, counts)
def test_adding_composes(day: date, a: int, b: int) -> None:
    assert add_working_days(add_working_days(day, a), b) == add_working_days(day, a + b)


@settings(deadline=None)
@given(st.lists(dates, min_size=3, max_size=3))
def test_counting_is_additive_over_adjacent_intervals(three: list[date]) -> None:
    start, middle, end = sorted(three)
    assert (
        working_days_between(start, middle) + working_days_between(middle, end)
        == working_days_between(start, end)
    )


@settings(deadline=None)
@given(dates)
def test_zero_is_the_first_working_day_on_or_after(day: date) -> None:
    result = add_working_days(day, 0)
    assert is_working_day(result)
    assert result == day or working_days_between(day, result) == 1


# --- the provisional calendar's lunar festivals, corrections and office hours ---

from datetime import datetime as _datetime, time as _time, timezone as _timezone  # noqa: E402

import pytest as _pytest  # noqa: E402
from hypothesis import given as _given, settings as _settings, strategies as _st  # noqa: E402

from grid import workdays as _wd  # noqa: E402

_SH = _wd.SHANGHAI


def test_2027_has_its_lunar_holidays_computed():
    holidays = _wd.statutory_holidays(2027)
    assert len(holidays) == 13
    for day in (date(2027, 2, 5), date(2027, 2, 6), date(2027, 4, 5), date(2027, 6, 9), date(2027, 9, 15)):
        assert day in holidays and not _wd.is_working_day(day)
    assert _wd.is_provisional(date(2027, 3, 1)) and not _wd.is_provisional(date(2026, 3, 1))


def test_a_deadline_across_new_year_2027_is_computed_not_refused():
    assert _wd.add_working_days(date(2026, 12, 30), 3) == date(2027, 1, 5)   # 31 Dec, (1 Jan off), 4, 5 Jan
    start = _datetime(2026, 12, 31, 16, 0, tzinfo=_SH)
    # 16:00–17:30 on 31 Dec, then 1 Jan is a holiday and 2–3 Jan a weekend: 08:30–10:00 on 4 Jan.
    assert _wd.add_working_hours(start, 3) == _datetime(2027, 1, 4, 10, 0, tzinfo=_SH)


def test_administrators_corrections_win_and_confirm_a_year():
    try:
        _wd.set_overrides({date(2027, 2, 20): True, date(2027, 2, 8): False}, confirmed_years={2027})
        assert _wd.is_working_day(date(2027, 2, 20))        # a Saturday made a working day (调休)
        assert not _wd.is_working_day(date(2027, 2, 8))     # a Monday made a holiday
        assert not _wd.is_provisional(date(2027, 5, 1))
    finally:
        _wd.set_overrides({}, confirmed_years=())
    assert not _wd.is_working_day(date(2027, 2, 20))


def test_office_hours_edges():
    morning = _datetime(2026, 11, 23, 11, 30, tzinfo=_SH)      # a Monday
    assert _wd.add_working_hours(morning, 1) == _datetime(2026, 11, 23, 14, 30, tzinfo=_SH)   # lunch skipped
    evening = _datetime(2026, 11, 27, 17, 0, tzinfo=_SH)        # Friday
    assert _wd.add_working_hours(evening, 1) == _datetime(2026, 11, 30, 9, 0, tzinfo=_SH)     # weekend skipped
    night = _datetime(2026, 11, 23, 20, 0, tzinfo=_SH)
    assert _wd.add_working_hours(night, 0) == _datetime(2026, 11, 24, 8, 30, tzinfo=_SH)
    assert _wd.working_time_between(morning, _datetime(2026, 11, 23, 15, 0, tzinfo=_SH)).seconds == 90 * 60
    with _pytest.raises(ValueError):
        _wd.add_working_hours(_datetime(2026, 11, 23, 9, 0), 1)   # naive


_moments = _st.datetimes(min_value=_datetime(2024, 1, 1), max_value=_datetime(2028, 12, 31),
                         timezones=_st.just(_timezone.utc))


@_settings(max_examples=150, deadline=None)
@_given(_moments, _st.integers(min_value=0, max_value=200))
def test_adding_working_hours_is_undone_by_measuring_them(moment, quarter_hours):
    hours = quarter_hours / 4
    later = _wd.add_working_hours(moment, hours)
    assert later >= moment
    assert abs(_wd.working_time_between(moment, later).total_seconds() - hours * 3600) < 1e-6
    assert _wd.is_working_day(later.date())


@_settings(max_examples=100, deadline=None)
@_given(_moments, _st.integers(min_value=0, max_value=80), _st.integers(min_value=0, max_value=80))
def test_working_hours_add_up(moment, a, b):
    assert _wd.add_working_hours(_wd.add_working_hours(moment, a / 2), b / 2) == \
        _wd.add_working_hours(moment, (a + b) / 2)
