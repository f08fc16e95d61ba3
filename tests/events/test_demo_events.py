"""The demo events: made through the real services, every state, every light
and every demo inbox filled as of now, whatever day of the calendar now is."""
from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import func, select

from grid import workdays
from grid.accounts.models import User
from grid.demo import seed_demo
from grid.events import demo, queries, services
from grid.events.deadlines import light
from grid.events.demo import seed_events
from grid.events.models import Event, EventAction, EventPhoto, EventReminder
from grid.events.scope import capacities
from grid.events.workflow import OPEN_STATES, STATES
from grid.extensions import db
from grid.notifications.models import Notification

HOUSEHOLDS = 300


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def check_mix(now: datetime) -> None:
    events = db.session.scalars(select(Event).order_by(Event.id)).all()
    states = Counter(e.state for e in events)
    assert set(states) == set(STATES), states
    open_ = [e for e in events if e.state in OPEN_STATES]
    lights = Counter(light(e.due_at, e.yellow_at, now) for e in open_ if e.due_at is not None)
    assert all(lights[c] >= 2 for c in ("green", "yellow", "red")), lights
    # The inboxes (待办) of the community, the street office and the department.
    for username in ("shequ", "jiedao", "chengguan"):
        waiting, _overdue = queries.todo_summary(user(username), now)
        assert waiting >= 3, username
    wanggeyuan = user("wanggeyuan")
    assert len(queries.to_verify(wanggeyuan)) >= 2
    assert sum(e.state == "to_verify" and services.verifiers(e) == [wanggeyuan.id] for e in open_) >= 2
    # Waiting for the street office's decision on an extension.
    assert any(e.state == "extension" and "decider" in capacities(user("jiedao"), e) for e in open_)
    closed = [e for e in events if e.state == "closed"]
    assert {e.closure for e in closed} == {"on_spot", "verified"}
    assert "dissatisfied" in {e.satisfaction for e in closed}
    on_spot = [e for e in closed if e.closure == "on_spot"]
    assert all(db.session.scalar(select(func.count()).select_from(EventPhoto).where(EventPhoto.event_id == e.id))
               for e in on_spot)
    assert sum(e.supervised_at is not None for e in open_) >= 2
    assert any(e.requester_phone for e in events)
    # Back-dated into office hours on working days, in the last six weeks, never after now.
    moments = db.session.scalars(select(EventAction.at).where(EventAction.action != "remind")).all()
    for at in moments:
        local = at.astimezone(workdays.SHANGHAI)
        assert workdays.is_working_day(local.date()) and at <= now
        assert workdays.add_working_hours(at, 0) == at, at
    assert (now - min(moments)).days <= 43
    # The sweep ran: reminders for what is yellow or red now.
    assert db.session.scalar(select(func.count()).select_from(EventReminder)) >= lights["yellow"] + lights["red"]


def test_demo_district_has_events_in_every_state_and_light(ctx, monkeypatch):
    monkeypatch.setattr("grid.demo.seed_disputes", lambda: 0)   # tested in tests/disputes
    done = seed_demo(households=HOUSEHOLDS)
    now = services.now_utc()
    count = db.session.scalar(select(func.count()).select_from(Event))
    assert f"{count} events" in done and 50 <= count <= 70
    check_mix(now)
    assert db.session.scalar(select(func.count()).select_from(Notification)) > 0
    assert seed_events() == 0
    assert db.session.scalar(select(func.count()).select_from(Event)) == count
    assert "events" not in " ".join(seed_demo(households=HOUSEHOLDS))


@pytest.mark.parametrize("now", [
    datetime(2026, 10, 4, 15, 0, tzinfo=workdays.SHANGHAI),   # in the middle of the National Day holiday
    datetime(2026, 11, 23, 3, 20, tzinfo=workdays.SHANGHAI),  # Monday night before office
    datetime(2027, 2, 9, 12, 30, tzinfo=workdays.SHANGHAI),   # lunch on a provisional-calendar working day
], ids=["holiday", "monday-night", "provisional"])
def test_the_mix_holds_whatever_the_day(ctx, monkeypatch, now):
    monkeypatch.setattr("grid.demo.seed_events", lambda: 0)
    monkeypatch.setattr("grid.demo.seed_disputes", lambda: 0)
    seed_demo(households=HOUSEHOLDS)
    assert seed_events(now=now) > 0
    check_mix(now)


def test_a_mix_missing_a_light_is_refused_before_anything_is_written(ctx, monkeypatch):
    monkeypatch.setattr("grid.demo.seed_events", lambda: 0)
    monkeypatch.setattr("grid.demo.seed_disputes", lambda: 0)
    seed_demo(households=HOUSEHOLDS)
    monkeypatch.setattr(demo, "PLANS", [p for p in demo.PLANS if p.light != "yellow"])
    with pytest.raises(RuntimeError, match="planned lights"):
        seed_events(now=datetime(2026, 11, 25, 15, 0, tzinfo=workdays.SHANGHAI))
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0
