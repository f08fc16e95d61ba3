"""Dispute deadlines on the working calendar: the case's time limit (完成时限)
by level, in calendar or working days from registration, and the clock of
each step (accept, mediate, review, follow up) with the events' lights.

A limit in days runs out at the end of office hours of its last day; a
calendar-day limit turns yellow when that share of plain time is used, a
working-day one when that share of working time is."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from grid import workdays
from grid.disputes.models import DisputeTimeLimit
from grid.events import deadlines
from grid.extensions import db

UNITS = ("calendar_days", "working_days")
# The states in which the case's time limit (完成时限) runs: past it there, the
# case is overdue now (the ledger's 是否超期, the numbers, the board's filter).
LIMIT_RUNNING = ("registered", "mediating")


@dataclass(frozen=True)
class Clock:
    due_at: datetime
    yellow_at: datetime


def level_limit(level: str) -> tuple[int, str]:
    row = db.session.scalar(select(DisputeTimeLimit).where(DisputeTimeLimit.level == level))
    if row is None:  # the migration seeds every level; a missing row is a broken install
        raise LookupError(f"no time limit for dispute level {level!r}")
    return row.amount, row.unit


def due_after_days(start: datetime, amount: int, unit: str) -> datetime:
    day = start.astimezone(workdays.SHANGHAI).date()
    if unit == "working_days":
        return workdays.office_day_end(workdays.add_working_days(day, amount))
    if unit == "calendar_days":
        return workdays.office_day_end(day + timedelta(days=amount))
    raise ValueError(f"unknown limit unit {unit!r}")


def clock(start: datetime, due: datetime, unit: str) -> Clock:
    share = current_app.config["DISPUTE_YELLOW_SHARE"]
    plain = "hours" if unit == "calendar_days" else "working_hours"
    if due <= start:
        return Clock(due, due)
    return Clock(due, deadlines.yellow_moment(start, due, plain, share))


def day_due(day: date) -> datetime:
    """A deadline given as a date (a follow-up, an agreement's performance)."""
    return workdays.office_day_end(day)


def days_left(due_at: datetime, now: datetime, unit: str) -> int:
    """Whole days left (negative: days overdue), in the unit of the limit."""
    due_day = due_at.astimezone(workdays.SHANGHAI).date()
    today = now.astimezone(workdays.SHANGHAI).date()
    if unit == "working_days":
        if today <= due_day:
            return workdays.working_days_between(today, due_day)
        return -workdays.working_days_between(due_day, today)
    return (due_day - today).days


def light(due_at: datetime | None, yellow_at: datetime | None, now: datetime) -> str | None:
    return deadlines.light(due_at, yellow_at, now)
