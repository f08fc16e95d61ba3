"""Two people acting on one event, and a phone sending the same report twice:
exactly one wins, the other is told what happened and nothing of theirs is saved."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from grid.accounts.models import User
from grid.errors import Conflict, DomainError
from grid.events import services
from grid.events.labels import action_label
from grid.events.models import Event, EventPhoto
from grid.extensions import db
from tests.events.conftest import MONDAY, act, event_input, jpeg
from tests.events.support import action_count, at_community, history, minutes, notification_count, report
from tests.factories import make_user

T = MONDAY + minutes(60)


@pytest.fixture
def colleague(world):
    """A second member of community A1's staff."""
    return make_user("c2", "community_staff", [world.units["A1"]], full_name="王敏")


def stale(event, user, action, when, seen, **fields):
    return services.act(event=event, by=user, now=when,
                        data=services.ActionInput(action=action, version=seen, **fields))


def test_the_second_of_two_signers_is_told_who_signed(world, colleague):
    event = report(world)
    seen = event.version
    act(event, world.community, "sign", T)
    rows, notes = action_count(event), notification_count()
    with pytest.raises(Conflict) as caught:
        stale(event, colleague, "sign", T + minutes(1), seen)
    message = caught.value.message
    assert "刘芳" in message and action_label("sign") in message
    assert caught.value.status == 409
    assert (action_count(event), notification_count(), event.version) == (rows, notes, seen + 1)
    assert history(event) == ["report", "sign"]
    assert db.session.get(Event, event.id).state == "handling"


def test_a_stale_different_action_is_a_conflict_not_a_refusal_and_lists_every_step_missed(world, colleague):
    event = report(world)
    seen = event.version
    act(event, world.community, "sign", T)
    act(event, world.community, "escalate", T + minutes(1), note="需街道协调")
    rows = action_count(event)
    with pytest.raises(Conflict) as caught:
        stale(event, colleague, "return", T + minutes(2), seen, note="位置不清", reason="incomplete")
    message = caught.value.message
    assert message.count("刘芳") == 2
    assert action_label("sign") in message and action_label("escalate") in message
    assert message.count("（11-23") == 2                # the report was seen already
    assert action_count(event) == rows and event.holder_unit_id == world.units["A"].id
    # Reloaded, the colleague sees the current version and is simply not the holder any more.
    with pytest.raises(DomainError) as refused:
        stale(event, colleague, "return", T + minutes(3), event.version, note="位置不清", reason="incomplete")
    assert not isinstance(refused.value, Conflict)


def test_a_stale_submission_saves_no_photos_and_no_notifications(world):
    event = at_community(world)
    seen = event.version
    act(event, world.street, "supervise", T, note="请尽快办结")
    photos, notes, rows = (db.session.scalar(select(func.count()).select_from(EventPhoto)), notification_count(),
                           action_count(event))
    with pytest.raises(Conflict) as caught:
        stale(event, world.community, "report_result", T + minutes(1), seen, note="已清理", photos=[jpeg()])
    assert "陈刚" in caught.value.message and action_label("supervise") in caught.value.message
    assert (db.session.scalar(select(func.count()).select_from(EventPhoto)), notification_count(),
            action_count(event)) == (photos, notes, rows)
    assert event.state == "handling"


def test_after_a_conflict_acting_on_the_current_version_works(world, colleague):
    event = report(world)
    seen = event.version
    act(event, world.community, "sign", T)
    with pytest.raises(Conflict):
        stale(event, colleague, "sign", T, seen)
    act(event, colleague, "escalate", T + minutes(5), note="需街道协调")
    assert event.state == "to_sign" and history(event) == ["report", "sign", "escalate"]


def test_a_race_between_loading_and_saving_is_caught_by_the_version_claim(app, world, colleague):
    """Both load version 1 in their own sessions; the first saves in between
    the second's load and its save. The second's in-memory event still says
    version 1, so only the conditional UPDATE can notice."""
    event = report(world)
    event_id, community_id = event.id, world.community.id
    session = db.session()
    session.expire_on_commit = False
    try:
        assert services.allowed_actions(colleague, event) == ["sign", "return"]   # loaded what it needs
        db.session.commit()
        with app.app_context():           # another request: its own session on the same database
            first = db.session.get(Event, event_id)
            act(first, db.session.get(User, community_id), "sign", T)
        assert event.version == 1         # the second request still holds what it loaded
        rows = action_count(event)
        with pytest.raises(Conflict) as caught:
            stale(event, colleague, "sign", T + minutes(1), 1)
    finally:
        session.expire_on_commit = True
    assert "刘芳" in caught.value.message and action_label("sign") in caught.value.message
    current = db.session.get(Event, event_id)
    assert (current.version, current.state) == (2, "handling")
    assert action_count(current) == rows == 2


def test_the_same_report_sent_twice_is_one_event(world):
    data = event_input()
    first, created = services.report_event(data=data, by=world.worker, now=MONDAY)
    again, created_again = services.report_event(data=data, by=world.worker, now=MONDAY + minutes(3))
    assert created and not created_again and again.id == first.id and again.number == first.number
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1
    assert history(first) == ["report"] and notification_count(first) == 1
    assert first.reported_at == MONDAY


def test_the_same_report_with_photos_sent_twice_is_one_event(world):
    data = event_input(on_spot=True, resolution="已当场清理", photos=[jpeg()])
    first, _ = services.report_event(data=data, by=world.worker, now=MONDAY)
    again, created = services.report_event(data=data, by=world.worker, now=MONDAY)
    assert not created and again.id == first.id
    assert db.session.scalar(select(func.count()).select_from(EventPhoto)) == 1


@pytest.mark.parametrize("change", [{"description": "另一处杂物"}, {"priority": "urgent"}, {"lon": 120.1051},
                                    {"requester_name": "李四"}])
def test_the_same_uuid_with_different_content_is_a_conflict(world, change):
    data = event_input()
    first, _ = services.report_event(data=data, by=world.worker, now=MONDAY)
    altered = event_input(uuid=data.uuid, **change)
    with pytest.raises(Conflict):
        services.report_event(data=altered, by=world.worker, now=MONDAY)
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1
    stored = db.session.get(Event, first.id)
    assert (stored.description, stored.priority, stored.version) == (data.description, "normal", 1)


def test_event_numbers_count_per_day_in_shanghai(world):
    first = report(world)
    second = report(world, when=MONDAY + minutes(1))
    # 17:00 UTC on Monday is already 01:00 on Tuesday in Shanghai: a new day, a new count.
    third = report(world, when=datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc))
    assert (first.number, second.number, third.number) == ("20261123-0001", "20261123-0002", "20261124-0001")
