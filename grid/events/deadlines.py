"""Step deadlines on the working calendar, traffic lights and time left.

A limit is an amount in working hours (office hours of working days), working
days (to the end of office hours of the Nth working day after the start) or
plain hours (urgent work does not stop at night). Yellow comes when a share
of the step's working time is used (`EVENT_YELLOW_SHARE`), red at the deadline.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from grid import workdays
from grid.events.models import DeadlinePolicy, EventCategory
from grid.extensions import db

UNITS = ("working_hours", "working_days", "hours")


def office_day() -> timedelta:
    """The office time of one working day: how "1 working day" reads in hours."""
    return workdays.office_day_length()


@dataclass(frozen=True)
class Clock:
    started_at: datetime
    due_at: datetime
    yellow_at: datetime
    unit: str


def due_after(start: datetime, amount: int, unit: str) -> datetime:
    if unit == "working_hours":
        return workdays.add_working_hours(start, amount)
    if unit == "working_days":
        day = workdays.add_working_days(start.astimezone(workdays.SHANGHAI).date(), amount)
        return workdays.office_day_end(day)
    if unit == "hours":
        return start + timedelta(hours=amount)
    raise ValueError(f"unknown limit unit {unit!r}")


def yellow_moment(start: datetime, due: datetime, unit: str, share: float) -> datetime:
    """When `share` of the step's time is used: measured in working time,
    except for plain-hour limits."""
    if unit == "hours":
        return start + (due - start) * share
    used = workdays.working_time_between(start, due) * share
    return workdays.add_working_hours(start, used / timedelta(hours=1))


def clock(start: datetime, amount: int, unit: str, *, share: float | None = None) -> Clock:
    due = due_after(start, amount, unit)
    share = current_app.config["EVENT_YELLOW_SHARE"] if share is None else share
    return Clock(start, due, yellow_moment(start, due, unit, share), unit)


def extended(due: datetime, paused_at: datetime, now: datetime, days: int, unit: str) -> datetime:
    """A handling deadline after an extension decision: moved by the time spent
    waiting for the decision (working time for working-time limits, plain time
    for plain-hour ones), then by the working days granted (same time of day)."""
    if unit == "hours":
        moved = due + (now - paused_at)
    else:
        moved = workdays.add_working_hours(due, workdays.working_time_between(paused_at, now) / timedelta(hours=1))
    if days:
        local = moved.astimezone(workdays.SHANGHAI)
        day = workdays.add_working_days(local.date(), days)
        moved = datetime.combine(day, local.timetz())
    return moved


def light(due_at: datetime | None, yellow_at: datetime | None, now: datetime, *, paused: bool = False) -> str | None:
    if paused:
        return "paused"
    if due_at is None:
        return None
    if now >= due_at:
        return "red"
    if yellow_at is not None and now >= yellow_at:
        return "yellow"
    return "green"


def time_left(due_at: datetime, now: datetime, unit: str) -> timedelta:
    """Signed time left: working time for working-time limits, plain time for
    plain-hour ones; negative when overdue."""
    if unit == "hours":
        return due_at - now
    if now <= due_at:
        return workdays.working_time_between(now, due_at)
    return -workdays.working_time_between(due_at, now)


def policy_limit(priority: str, category: EventCategory, step: str) -> tuple[int, str] | None:
    """The limit for a step: the rule of the category or its nearest ancestor,
    else the rule for any category; None when there is no rule (no clock)."""
    chain = []
    node = category
    while node is not None:
        chain.append(node.id)
        node = node.parent
    rules = db.session.scalars(select(DeadlinePolicy).where(
        DeadlinePolicy.priority == priority, DeadlinePolicy.step == step,
        (DeadlinePolicy.category_id.in_(chain)) | DeadlinePolicy.category_id.is_(None))).all()
    if not rules:
        return None
    rank = {cid: n for n, cid in enumerate(chain)}
    best = min(rules, key=lambda r: rank.get(r.category_id, len(chain)))
    return best.amount, best.unit
