"""The Chinese working calendar: which days count towards deadlines.

Pure module: no Flask, no database.  For the years it covers, the official
State Council schedule comes from the `chinesecalendar` package, including
the make-up working days on weekends (调休) that follow each long holiday.
The schedule for a year is only published late in the year before, so for a
year the package does not cover the calendar is *provisional*: Monday to
Friday minus that year's statutory holidays (`statutory_holidays`: the
fixed-date ones and the lunar festivals, computed). Deadlines computed in a
provisional year may move once the real schedule is known; callers can tell
with `is_provisional`.

An administrator can correct any day and confirm a year's schedule; the app
passes those corrections in with `set_overrides` (they win over everything).
Office hours turn working days into working time for hour-based limits.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo
from functools import lru_cache

import chinese_calendar
from borax.calendars.festivals2 import TermFestival
from borax.calendars.lunardate import LunarDate

__all__ = [
    "PROVISIONAL_HOLIDAYS", "add_working_days", "add_working_hours", "is_provisional", "is_working_day",
    "office_day_end", "office_day_length",
    "set_overrides", "statutory_holidays", "working_days_between", "working_time_between",
]

# (month, day) of the statutory holidays that fall on a fixed solar date
# (全国年节及纪念日放假办法, as revised with effect from 2025): New Year's
# Day, Labour Day 1–2 May, National Day 1–3 October. The lunar ones are
# computed per year in `statutory_holidays`; the yearly bridging and make-up
# days (调休) cannot be known before the schedule is published.
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
    """True when the official schedule for `day`'s year is not known (not in
    the package, and not confirmed by an administrator)."""
    year = _as_date(day).year
    return not _is_covered(year) and year not in _OVERRIDES["confirmed"]


def statutory_holidays(year: int) -> set[date]:
    """The 13 statutory holiday days of `year` (2025 rules): New Year's Day,
    Spring Festival eve to the 3rd day, Qingming, 1–2 May, Dragon Boat,
    Mid-Autumn and 1–3 October. Lunar dates and the Qingming solar term are
    computed (borax), so a year without an official schedule still has them."""
    new_year = LunarDate(year, 1, 1).to_solar_date()
    days = {date(year, m, d) for m, d in PROVISIONAL_HOLIDAYS}
    days |= {new_year - ONE_DAY, new_year, new_year + ONE_DAY, new_year + 2 * ONE_DAY}
    days.add(TermFestival(name="清明").at(year))
    days.add(LunarDate(year, 5, 5).to_solar_date())
    days.add(LunarDate(year, 8, 15).to_solar_date())
    return {d for d in days if d.year == year}


# Corrections entered by administrators: {date: is_working_day}, and the years
# whose schedule they confirmed. Set by the app from its table.
_OVERRIDES: dict = {"days": {}, "confirmed": frozenset()}


def set_overrides(days: dict[date, bool], confirmed_years=frozenset()) -> None:
    """Replace the administrators' corrections (they win over the package and
    the provisional calendar) and forget every cached year."""
    _OVERRIDES["days"] = dict(days)
    _OVERRIDES["confirmed"] = frozenset(confirmed_years)
    _days_off.cache_clear()


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
    """Every non-working day of `year`: official or provisional, then the
    administrators' corrections. Cached per year because deadlines walk day by
    day; `set_overrides` clears the cache."""
    first = date(year, 1, 1)
    days = (first + timedelta(days=offset) for offset in range((date(year, 12, 31) - first).days + 1))
    if _is_covered(year):
        off = {day for day in days if not chinese_calendar.is_workday(day)}
    else:
        holidays = statutory_holidays(year)
        off = {day for day in days if day.weekday() >= 5 or day in holidays}
    for day, working in _OVERRIDES["days"].items():
        if day.year == year:
            (off.discard if working else off.add)(day)
    return frozenset(off)


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


# Office hours for limits in working hours (Asia/Shanghai); set by the app from
# its configuration.
SHANGHAI = ZoneInfo("Asia/Shanghai")
_HOURS: dict = {"periods": ((time(8, 30), time(12, 0)), (time(14, 0), time(17, 30)))}
# No real calendar has a year without working days; this stops a bad override
# set from looping forever.
MAX_SEARCH_DAYS = 800


def set_office_hours(periods: list[tuple[time, time]]) -> None:
    """Working periods of a working day, in order, e.g. 08:30–12:00 and 14:00–17:30."""
    periods = tuple(sorted(periods))
    if not periods or any(start >= end for start, end in periods) or any(
            a[1] > b[0] for a, b in zip(periods, periods[1:])):
        raise ValueError("office hours must be ordered, non-empty, non-overlapping periods")
    _HOURS["periods"] = periods


def parse_office_hours(text: str) -> list[tuple[time, time]]:
    """"08:30-12:00,14:00-17:30" -> [(08:30, 12:00), (14:00, 17:30)]."""
    periods = []
    for part in text.split(","):
        start, end = part.strip().split("-")
        periods.append((time.fromisoformat(start.strip()), time.fromisoformat(end.strip())))
    return periods


def _periods(day: date) -> list[tuple[datetime, datetime]]:
    if not is_working_day(day):
        return []
    return [(datetime.combine(day, a, SHANGHAI), datetime.combine(day, b, SHANGHAI)) for a, b in _HOURS["periods"]]


def office_day_length() -> timedelta:
    """Office time in one working day (7 h with the default hours)."""
    return sum((datetime.combine(date.min, b) - datetime.combine(date.min, a) for a, b in _HOURS["periods"]),
               timedelta(0))


def office_day_end(day: date) -> datetime:
    """The end of office hours on `day` (Asia/Shanghai): where a limit in
    working days runs out."""
    return datetime.combine(_as_date(day), _HOURS["periods"][-1][1], SHANGHAI)


def add_working_hours(moment: datetime, hours: float) -> datetime:
    """The moment `hours` of office time after `moment` (timezone-aware; the
    result is in Asia/Shanghai). Time outside office hours, at weekends and on
    holidays does not count. 0 hours gives the next moment office time runs."""
    if hours < 0:
        raise ValueError(f"hours must be >= 0, got {hours}")
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    cursor = moment.astimezone(SHANGHAI)
    remaining = timedelta(hours=hours)
    day = cursor.date()
    for _ in range(MAX_SEARCH_DAYS):
        for start, end in _periods(day):
            start = max(start, cursor)
            # A period's end belongs to it (a limit may end at 12:00 sharp), but
            # time still to add moves on to the next period.
            if start > end or (start == end and remaining):
                continue
            if remaining <= end - start:
                return start + remaining
            remaining -= end - start
        day += ONE_DAY
        cursor = datetime.combine(day, time(0), SHANGHAI)
    raise ValueError("no working time found: check the calendar corrections")


def working_time_between(start: datetime, end: datetime) -> timedelta:
    """Office time elapsed from `start` to `end` (zero when end <= start)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("moments must be timezone-aware")
    start, end = start.astimezone(SHANGHAI), end.astimezone(SHANGHAI)
    total = timedelta(0)
    day = start.date()
    while day <= end.date():
        for a, b in _periods(day):
            overlap = min(b, end) - max(a, start)
            if overlap > timedelta(0):
                total += overlap
        day += ONE_DAY
    return total


def _as_date(day: date) -> date:
    # A datetime is a date subclass that never equals the plain date, so it
    # would silently miss every holiday in the cached sets.
    return day.date() if isinstance(day, datetime) else day
