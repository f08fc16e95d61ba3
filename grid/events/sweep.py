"""The deadline sweep (`flask grid sweep-deadlines`, from cron): reminders
(催办) to whoever holds a step when it turns yellow and when it turns red, and
a notice to the supervising level once it is overdue by
`EVENT_SUPERVISE_AFTER_DAYS` working days. Each is sent once per step clock
(a row in event_reminder), so running it twice, or from two machines, sends
nothing twice."""
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from grid import workdays
from grid.accounts.models import Department
from grid.events.models import Event, EventReminder
from grid.places.models import Unit
from grid.accounts.acting import recipients
from grid.events.scope import chain
from grid.events.services import append, clock_owner, now_utc, params
from grid.extensions import db
from grid.notifications.services import notify

ABOVE = {"grid": "community", "community": "street", "department": "street", "street": "district"}


@dataclass
class SweepResult:
    yellow: int = 0
    red: int = 0
    supervise: int = 0


def supervising(event: Event, level: str) -> tuple[str, int | None]:
    above = ABOVE[level]
    return above, (None if above == "district" else chain(event)[above].id)


def first_time(event: Event, kind: str) -> bool:
    return db.session.execute(
        pg_insert(EventReminder).values(event_id=event.id, step_seq=event.step_seq, kind=kind)
        .on_conflict_do_nothing().returning(EventReminder.kind)).first() is not None


def sweep_deadlines(now: datetime | None = None) -> SweepResult:
    """Send what is due (commits once per event). Each event is re-read under
    a row lock, so a user's action (which claims the same row) is either
    wholly before the reminder, which then sees the new step, or after it."""
    now = now or now_utc()
    result = SweepResult()
    late_days = current_app.config["EVENT_SUPERVISE_AFTER_DAYS"]
    due_ids = db.session.scalars(select(Event.id).where(Event.state != "closed", Event.yellow_at <= now)
                                 .order_by(Event.id)).all()
    for event_id in due_ids:
        event = db.session.get(Event, event_id, with_for_update=True, populate_existing=True)
        if event is not None and event.state != "closed" and event.yellow_at is not None and event.yellow_at <= now:
            remind(event, now, late_days, result)
        db.session.commit()
    return result


def remind(event: Event, now: datetime, late_days: int, result: SweepResult) -> None:
    kind = "red" if now >= event.due_at else "yellow"
    owner = None
    if first_time(event, kind):
        owner = clock_owner(event)
        level, unit_id, department_id, users = owner
        notify(users, f"reminder_{kind}", object_type="event", object_id=event.id, params=params(event))
        append(event, "remind", by=None, place=(unit_id, department_id), at=now, from_state=event.state,
               detail={"light": kind})
        setattr(result, kind, getattr(result, kind) + 1)
    if kind != "red":
        return
    overdue_days = workdays.working_days_between(event.due_at.astimezone(workdays.SHANGHAI).date(),
                                                 now.astimezone(workdays.SHANGHAI).date())
    if overdue_days < late_days or not first_time(event, "supervise"):
        return
    level, unit_id, department_id, _users = owner or clock_owner(event)
    # Nobody sits above the district (it decides a street office's extension).
    if level in ABOVE:
        above, above_unit = supervising(event, level)
        # Name whoever is late: the holder, or the decider / the grid whose clock runs.
        late = db.session.get(Department, department_id) if department_id else db.session.get(Unit, unit_id)
        notify(recipients(above, above_unit), "overdue_supervise", object_type="event", object_id=event.id,
               params={**params(event), "days": overdue_days, "holder": late.name})
        result.supervise += 1
