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
from grid.events.scope import recipients
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
    if above == "district":
        return above, None
    grid = event.grid
    return above, (grid.parent.id if above == "community" else grid.parent.parent.id)


def first_time(event: Event, kind: str) -> bool:
    return db.session.execute(
        pg_insert(EventReminder).values(event_id=event.id, step_seq=event.step_seq, kind=kind)
        .on_conflict_do_nothing().returning(EventReminder.kind)).first() is not None


def sweep_deadlines(now: datetime | None = None) -> SweepResult:
    """Send what is due (commits)."""
    now = now or now_utc()
    result = SweepResult()
    late_days = current_app.config["EVENT_SUPERVISE_AFTER_DAYS"]
    due_events = db.session.scalars(select(Event).where(Event.state != "closed", Event.yellow_at <= now)
                                    .order_by(Event.id)).all()
    for event in due_events:
        level, unit_id, department_id, users = clock_owner(event)
        kind = "red" if now >= event.due_at else "yellow"
        if first_time(event, kind):
            notify(users, f"reminder_{kind}", object_type="event", object_id=event.id, params=params(event))
            append(event, "remind", by=None, place=(unit_id, department_id), at=now, from_state=event.state,
                   detail={"light": kind})
            setattr(result, kind, getattr(result, kind) + 1)
        overdue_days = workdays.working_days_between(event.due_at.astimezone(workdays.SHANGHAI).date(),
                                                     now.astimezone(workdays.SHANGHAI).date())
        # Nobody sits above the district (it decides a street office's extension).
        if kind == "red" and level in ABOVE and overdue_days >= late_days and first_time(event, "supervise"):
            above, above_unit = supervising(event, level)
            # Name whoever is late: the holder, or the decider / the grid whose clock runs.
            late = db.session.get(Department, department_id) if department_id else db.session.get(Unit, unit_id)
            notify(recipients(above, above_unit), "overdue_supervise", object_type="event", object_id=event.id,
                   params={**params(event), "days": overdue_days, "holder": late.name})
            result.supervise += 1
    db.session.commit()
    return result
