"""The Chinese working calendar: which days count towards deadlines.

Pure module: no Flask, no database.  For the years it covers, the official
State Council schedule comes from the `chinesecalendar` package, including
the make-up working days on weekends (调休) that follow each long holiday.
The schedule for a year is only published late in the year before, so for a
year the package does not cover the calendar is *provisional*: Monday to
Friday minus the fixed-date statutory holidays (see `PROVISIONAL_HOLIDAYS`).
Deadlines computed in a provisional year may move once the real schedule is
known; callers can tell with `is_provisional`.

(A later version reads an admin-edited table first, so an administrator can
enter a newly published schedule before the package catches up.)
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

import chinese_calendar

__all__ = [
    "PROVISIONAL_HOLIDAYS", "add_working_days", "is_provisional",
    "is_working_day", "working_days_between",
]

# (month, day) of the statutory holidays that fall on a fixed solar date
# (全国年节及纪念日放假办法, as revised with effect from 2025): New Year's
# Day, Labour Day 1–2 May, National Day 1–3 October.  The lunar holidays
# (Spring Festival, Qingming, Dragon Boat, Mid-Autumn) and the yearly
# bridging and make-up days cannot be known without the published schedule,
# so the provisional calendar leaves them out.
PROVISIONAL_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})

ONE_DAY = timedelta(days=1)


def is_working_day(day: date) -> bool:
    """True if `day` is a working day in mainland China.

    Official schedule (weekends off, public holidays off, 调休 make-up
    weekend days on) where `chinesecalendar` has it.  Otherwise PROVISIONAL:
    Monday–Friday except the dates in `PROVISIONAL_HOLIDAYS`; never raises
    for a year outside the package's range.  A `datetime` counts as its date.
    """
    day = _as_date(day)
    return day not in _days_off(day.year)


def is_provisional(day: date) -> bool:
    """True when the official schedule for `day`'s year is not known."""
    return not _is_covered(_as_date(day).year)


def add_working_days(start: date, n: int) -> date:
    """The date `n` working days after `start`; `start` itself does not count.

    `n == 0` returns `start` if it is a working day, otherwise the next
    working day (a deadline "today" on a holiday means the next working day).
    Raises ValueError for negative `n`.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    day = _as_date(start)
    if n == 0:
        while not is_working_day(day):
            day += ONE_DAY
        return day
    remaining = n
    while remaining:
        day += ONE_DAY
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """The number of working days in (start, end]: `start` excluded, `end` included.

    0 when `end <= start`.  For n >= 1,
    `working_days_between(d, add_working_days(d, n)) == n`.
    """
    end = _as_date(end)
    count = 0
    day = _as_date(start) + ONE_DAY
    while day <= end:
        count += is_working_day(day)
        day += ONE_DAY
    return count


@lru_cache(maxsize=64)
def _days_off(year: int) -> frozenset[date]:
    """Every non-working day of `year`, official or provisional.

    Cached per year because the package answers in tens of microseconds per
    call and deadlines walk day by day.  Its data cannot change while the
    process runs; the admin-edited table planned next must call
    `_days_off.cache_clear()` when it changes.
    """
    first = date(year, 1, 1)
    days = (first + timedelta(days=offset) for offset in range((date(year, 12, 31) - first).days + 1))
    if _is_covered(year):
        return frozenset(day for day in days if not chinese_calendar.is_workday(day))
    return frozenset(
        day for day in days
        if day.weekday() >= 5 or (day.month, day.day) in PROVISIONAL_HOLIDAYS
    )


@lru_cache(maxsize=None)
def _is_covered(year: int) -> bool:
    """Whether `chinesecalendar` has the official schedule for `year`.

    Asked of the package rather than hard-coded, so upgrading it to cover a
    new year is all it takes.
    """
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _as_date(day: date) -> date:
    # A datetime is a date subclass that never equals the plain date, so it
    # would silently miss every holiday in the cached sets.
    return day.date() if isinstance(day, datetime) else day
