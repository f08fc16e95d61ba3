"""Helpers shared by the event tests: moments in Shanghai, events brought to a
given point of the workflow through the real services, and what was written."""
from datetime import datetime, timedelta

from sqlalchemy import func, select

from grid import workdays
from grid.events import services
from grid.events.models import Event, EventAction
from grid.extensions import db
from grid.notifications.models import Notification
from tests.events.conftest import MONDAY, act, event_input

USERS = ("worker", "worker_b", "leader", "community", "community_b", "street", "street_b", "handler", "handler_pcs",
         "admin")


def sh(year, month, day, hour=0, minute=0, second=0) -> datetime:
    """A moment in Asia/Shanghai."""
    return datetime(year, month, day, hour, minute, second, tzinfo=workdays.SHANGHAI)


def minutes(n) -> timedelta:
    return timedelta(minutes=n)


def report(world, by=None, when=MONDAY, **changes) -> Event:
    event, created = services.report_event(data=event_input(**changes), by=by or world.worker, now=when)
    assert created
    return event


def at_community(world, when=MONDAY, **changes) -> Event:
    """Reported by the grid worker and signed for by the community (handling)."""
    event = report(world, when=when, **changes)
    act(event, world.community, "sign", when + minutes(5))
    return event


def at_street(world, when=MONDAY, **changes) -> Event:
    event = at_community(world, when, **changes)
    act(event, world.community, "escalate", when + minutes(10), note="需街道协调")
    act(event, world.street, "sign", when + minutes(15))
    return event


def at_department(world, when=MONDAY, department=None, **changes) -> Event:
    event = at_street(world, when, **changes)
    department = department or world.cg
    act(event, world.street, "dispatch", when + minutes(20), department_id=department.id)
    handler = world.handler if department is world.cg else world.handler_pcs
    act(event, handler, "sign", when + minutes(25))
    return event


def notified(event, kind) -> list[int]:
    """The users notified of `kind` about `event` (sorted, repeats kept)."""
    return sorted(db.session.scalars(select(Notification.user_id).where(
        Notification.object_type == "event", Notification.object_id == event.id, Notification.kind == kind)))


def notification_count(event=None) -> int:
    stmt = select(func.count()).select_from(Notification)
    if event is not None:
        stmt = stmt.where(Notification.object_type == "event", Notification.object_id == event.id)
    return db.session.scalar(stmt)


def history(event) -> list[str]:
    return list(db.session.scalars(select(EventAction.action).where(EventAction.event_id == event.id)
                                   .order_by(EventAction.id)))


def action_count(event=None) -> int:
    stmt = select(func.count()).select_from(EventAction)
    if event is not None:
        stmt = stmt.where(EventAction.event_id == event.id)
    return db.session.scalar(stmt)


def last_action(event) -> EventAction:
    return db.session.scalar(select(EventAction).where(EventAction.event_id == event.id)
                             .order_by(EventAction.id.desc()).limit(1))
