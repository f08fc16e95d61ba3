"""Screening periods (排查): each grid and community reports every half month,
each street office every month (`SCREENING_CADENCE`) — the disputes found,
which are registered from the screening, or an explicit "nothing found"
(零报告). A period without either is a missing screening."""
from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from grid import workdays
from grid.disputes.models import Screening
from grid.extensions import db
from grid.places.models import Unit

CADENCES = ("half_month", "month")


def cadence(level: str) -> str | None:
    return current_app.config["SCREENING_CADENCE"].get(level)


def period_of(kind: str, day: date) -> tuple[date, date]:
    """The period containing `day`: the 1st–15th or 16th–last of a month, or the month."""
    last = calendar.monthrange(day.year, day.month)[1]
    if kind == "month":
        return day.replace(day=1), day.replace(day=last)
    if kind == "half_month":
        if day.day <= 15:
            return day.replace(day=1), day.replace(day=15)
        return day.replace(day=16), day.replace(day=last)
    raise ValueError(f"unknown screening cadence {kind!r}")


def previous_period(kind: str, start: date) -> tuple[date, date]:
    return period_of(kind, start - timedelta(days=1))


def found_in_screening(unit: Unit, now: datetime, by) -> Screening:
    """The unit's screening report for the current period, made if missing:
    a dispute registered from screening is what that screening found (and a
    zero report filed earlier in the period is corrected)."""
    kind = cadence(unit.level) or "half_month"
    start, end = period_of(kind, now.astimezone(workdays.SHANGHAI).date())
    db.session.execute(pg_insert(Screening).values(
        unit_id=unit.id, period_start=start, period_end=end, nothing_found=False, reported_by_id=by.id,
        reported_at=now, version=1).on_conflict_do_nothing(index_elements=["unit_id", "period_start"]))
    screening = db.session.scalar(select(Screening).where(Screening.unit_id == unit.id,
                                                          Screening.period_start == start))
    if screening.nothing_found:
        screening.nothing_found = False
        screening.version += 1
    return screening
