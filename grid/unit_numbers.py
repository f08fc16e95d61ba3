"""Numbers per unit over a period, as the events' and disputes' cards show
them: the periods supervisors compare (this month, last month, this year on
Shanghai's wall clock) and the report shape — a unit's total and one row per
unit directly below it."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

from grid.workdays import SHANGHAI

PERIODS = ("month", "last_month", "year")
PERIOD_LABELS = {"month": _l("This month"), "last_month": _l("Last month"), "year": _l("This year")}


def period_bounds(period: str, now: datetime) -> tuple[datetime, datetime]:
    """[start, end) of this month, last month or this year on Shanghai's wall
    clock (an unknown period is this month)."""
    today = now.astimezone(SHANGHAI).date()
    month = date(today.year, today.month, 1)
    if period == "last_month":
        first = (month - timedelta(days=1)).replace(day=1)
        start, end = first, month
    elif period == "year":
        start, end = date(today.year, 1, 1), date(today.year + 1, 1, 1)
    else:
        start, end = month, (month + timedelta(days=32)).replace(day=1)
    return (datetime(start.year, start.month, start.day, tzinfo=SHANGHAI),
            datetime(end.year, end.month, end.day, tzinfo=SHANGHAI))


@dataclass(frozen=True)
class Period:
    name: str
    start: datetime
    end: datetime

    @property
    def choices(self) -> dict:
        """Every period a card offers, with its label (for the switch)."""
        return PERIOD_LABELS

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(days=1)).date()


def requested_period(name: str | None, now: datetime) -> Period:
    """The period a card asked for (?period=…); anything unknown is this month."""
    name = name if name in PERIODS else "month"
    return Period(name, *period_bounds(name, now))


@dataclass
class Row:
    unit_id: int
    name: str
    numbers: Any


@dataclass
class UnitNumbers:
    total: Any
    children: list[Row]
