"""Workflow transitions through the services on real PostGIS: who may take
which action in which state, where the event goes, what is written to the
history and who is notified."""
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from grid.errors import DomainError, FieldErrors
from grid.events import scope, services, workflow
from grid.events.models import Event, EventAction, EventPhoto
from grid.extensions import db
from tests.events.conftest import IN_A1A, IN_B1A, MONDAY, act, event_input, jpeg
from tests.events.support import (USERS, action_count, at_community, at_department, at_street, history, last_action,
                                  minutes, notification_count, notified, report)
from tests.factories import make_user

T = MONDAY + minutes(60)   # a moment after the scenario's own steps
PHOTO = jpeg()
SEE_AREA = {"worker", "leader", "community", "street", "admin"}


def request_extension(event, user, when=T, days=2):
    act(event, user, "request_extension", when, note="需协调多个部门", days=days)


def shelve(event, user, when=T):
    act(event, user, "shelve", when, note="涉及历史遗留问题，暂时无法解决")


def build(world, name):
    """An event brought to a point of the workflow (all on Monday morning)."""
    w = world
    if name == "to_sign@community":
        return report(w)
    if name == "handling@community":
        return at_community(w)
    if name == "extension@community":
        event = at_community(w)
        request_extension(event, w.community)
        return event
    if name == "standing@community":
        event = at_community(w)
        shelve(event, w.community)
        return event
    if name == "handling@grid":
        event = report(w)
        act(event, w.community, "return", T, note="位置描述不清", reason="incomplete")
        return event
    if name == "to_sign@street":
        event = at_community(w)
        act(event, w.community, "escalate", T, note="需街道协调")
        return event
    if name == "handling@street":
        return at_street(w)
    if name == "extension@street":
        event = at_street(w)
        request_extension(event, w.street)
        return event
    if name == "standing@street":
        event = at_street(w)
        shelve(event, w.street)
        return event
    if name == "to_sign@department":
        event = at_street(w)
        act(event, w.street, "dispatch", T, department_id=w.cg.id)
        return event
    if name == "to_sign@pcs":
        event = at_street(w)
        act(event, w.street, "dispatch", T, department_id=w.pcs.id)
        return event
    if name == "handling@department":
        return at_department(w)
    if name == "extension@department":
        event = at_department(w)
        request_extension(event, w.handler)
        return event
    if name == "standing@department":
        event = at_department(w)
        shelve(event, w.handler)
        return event
    if name == "handling@street after a department return":
        event = at_department(w)
        act(event, w.handler, "return", T, note="不属于城管职责", reason="misrouted")
        return event
    if name == "to_verify":
        event = at_department(w)
        act(event, w.handler, "report_result", T, note="已清理")
        return event
    if name == "closed":
        event = at_department(w)
        act(event, w.handler, "report_result", T, note="已清理")
        act(event, w.worker, "verify_close", T + minutes(30), satisfaction="satisfied")
        return event
    if name == "handling@community, reported there":
        return report(w, by=w.community)
    if name == "handling@street, reported there":
        return report(w, by=w.street)
    raise AssertionError(name)


# scenario: ({user: allowed actions}, users who see the event). Users not named may do nothing.
HANDLE_UP = {"request_extension", "report_result", "shelve"}
MATRIX = {
    "to_sign@community": ({"community": {"sign", "return"}, "street": {"supervise"}, "admin": {"supervise"}},
                          SEE_AREA),
    "handling@community": ({"community": {"escalate", "return"} | HANDLE_UP, "street": {"supervise"},
                            "admin": {"supervise"}}, SEE_AREA),
    "extension@community": ({"community": {"report_result"},
                             "street": {"approve_extension", "refuse_extension", "supervise"},
                             "admin": {"supervise"}}, SEE_AREA),
    "standing@community": ({"community": {"resume"}, "street": {"resume", "supervise"},
                            "admin": {"resume", "supervise"}}, SEE_AREA),
    "handling@grid": ({"worker": {"resolve", "escalate"}, "leader": {"resolve", "escalate"},
                       "community": {"supervise"}, "street": {"supervise"}, "admin": {"supervise"}}, SEE_AREA),
    "to_sign@street": ({"street": {"sign", "return"}, "admin": {"supervise"}}, SEE_AREA),
    "handling@street": ({"street": {"dispatch", "return"} | HANDLE_UP, "admin": {"supervise"}}, SEE_AREA),
    "extension@street": ({"street": {"report_result"},
                          "admin": {"approve_extension", "refuse_extension", "supervise"}}, SEE_AREA),
    "standing@street": ({"street": {"resume"}, "admin": {"resume", "supervise"}}, SEE_AREA),
    "to_sign@department": ({"handler": {"sign", "return"}, "street": {"supervise"}, "admin": {"supervise"}},
                           SEE_AREA | {"handler"}),
    "to_sign@pcs": ({"handler_pcs": {"sign", "return"}, "street": {"supervise"}, "admin": {"supervise"}},
                    SEE_AREA | {"handler_pcs"}),
    "handling@department": ({"handler": {"return"} | HANDLE_UP, "street": {"supervise"}, "admin": {"supervise"}},
                            SEE_AREA | {"handler"}),
    "extension@department": ({"handler": {"report_result"},
                              "street": {"approve_extension", "refuse_extension", "supervise"},
                              "admin": {"supervise"}}, SEE_AREA | {"handler"}),
    "standing@department": ({"handler": {"resume"}, "street": {"resume", "supervise"},
                             "admin": {"resume", "supervise"}}, SEE_AREA | {"handler"}),
    "handling@street after a department return": ({"street": {"dispatch", "return"} | HANDLE_UP,
                                                   "admin": {"supervise"}}, SEE_AREA | {"handler"}),
    "to_verify": ({"worker": {"verify_close", "reopen"}, "leader": {"verify_close", "reopen"},
                   "street": {"supervise"}, "admin": {"supervise"}}, SEE_AREA | {"handler"}),
    "closed": ({}, SEE_AREA | {"handler"}),
    "handling@community, reported there": ({"community": {"escalate"} | HANDLE_UP, "street": {"supervise"},
                                            "admin": {"supervise"}}, SEE_AREA),
    "handling@street, reported there": ({"street": {"dispatch"} | HANDLE_UP, "admin": {"supervise"}}, SEE_AREA),
}


@pytest.mark.parametrize("scenario", list(MATRIX))
def test_who_may_do_what_and_who_sees_it(world, scenario):
    """For every user of the little district: the actions offered, that every
    other action is refused by the service with nothing written, and who sees it."""
    event = build(world, scenario)
    expected, seeing = MATRIX[scenario]
    assert event.state == scenario.split("@")[0]
    version, rows = event.version, action_count(event)
    for name in USERS:
        user = world[name]
        allowed = services.allowed_actions(user, event)
        assert allowed == [a for a in workflow.ACTIONS if a in expected.get(name, set())], name
        for action in set(workflow.ACTIONS) - set(allowed):
            with pytest.raises(DomainError) as refused:
                act(event, user, action, T + minutes(90), note="试一下", reason="incomplete", days=2,
                    department_id=world.cg.id, satisfaction="satisfied", photos=[PHOTO])
            assert type(refused.value) is DomainError, (name, action)
        assert (scope.event_in_scope(user, event.id) is not None) == (name in seeing), name
    assert (event.version, action_count(event)) == (version, rows)


def test_a_grid_report_goes_to_the_community_to_sign_and_notifies_its_staff(world):
    event = report(world)
    assert (event.state, event.holder_unit_id, event.holder_department_id) == ("to_sign", world.units["A1"].id, None)
    assert event.step == "sign" and event.origin_level == "grid" and event.reporter_id == world.worker.id
    assert notified(event, "assigned") == [world.community.id]
    row = last_action(event)
    assert (row.action, row.from_state, row.to_state, row.actor_unit_id, row.to_unit_id) == (
        "report", None, "to_sign", world.units["A1a"].id, world.units["A1"].id)
    assert (row.step, row.due_at, row.version_after) == ("sign", event.due_at, 1)


@pytest.mark.parametrize("who,unit", [("community", "A1"), ("street", "A")])
def test_a_report_by_a_community_or_street_office_starts_with_them_handling(world, who, unit):
    event = report(world, by=world[who])
    assert (event.state, event.holder_unit_id, event.step, event.origin_level) == (
        "handling", world.units[unit].id, "handle", {"community": "community", "street": "street"}[who])
    assert notification_count(event) == 0


@pytest.mark.parametrize("who", ["handler", "admin"])
def test_departments_and_administrators_do_not_report(world, who):
    with pytest.raises(DomainError):
        services.report_event(data=event_input(), by=world[who], now=MONDAY)
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


@pytest.mark.parametrize("who,point", [("worker", IN_B1A), ("worker_b", IN_A1A), ("community_b", IN_A1A)])
def test_a_report_outside_the_reporters_area_is_refused(world, who, point):
    with pytest.raises(FieldErrors) as caught:
        services.report_event(data=event_input(point=point), by=world[who], now=MONDAY)
    assert "location" in caught.value.errors
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_another_community_cannot_sign_and_the_holding_one_can(world):
    event = report(world)
    with pytest.raises(DomainError):
        act(event, world.community_b, "sign", T)
    assert event.state == "to_sign" and event.version == 1 and history(event) == ["report"]
    act(event, world.community, "sign", T)
    assert (event.state, event.step, event.version) == ("handling", "handle", 2)
    row = last_action(event)
    assert (row.action, row.actor_id, row.actor_unit_id, row.ended_step, row.ended_late) == (
        "sign", world.community.id, world.units["A1"].id, "sign", False)


def test_only_the_street_office_dispatches_and_it_must_name_a_department(world):
    event = at_community(world)
    for user in (world.worker, world.community, world.handler):
        with pytest.raises(DomainError):
            act(event, user, "dispatch", T, department_id=world.cg.id)
    act(event, world.community, "escalate", T, note="需街道协调")
    assert notified(event, "assigned") == [world.community.id, world.street.id]
    with pytest.raises(DomainError):
        act(event, world.street, "dispatch", T, department_id=world.cg.id)   # not signed for yet
    act(event, world.street, "sign", T)
    for missing in (None, 987654):
        with pytest.raises(FieldErrors) as caught:
            act(event, world.street, "dispatch", T, department_id=missing)
        assert set(caught.value.errors) == {"department_id"}
    assert event.holder_department_id is None and event.version == 4
    act(event, world.street, "dispatch", T, department_id=world.cg.id)
    assert (event.state, event.holder_unit_id, event.holder_department_id, event.step) == (
        "to_sign", None, world.cg.id, "sign")
    assert notified(event, "assigned") == sorted([world.community.id, world.street.id, world.handler.id])
    assert last_action(event).to_department_id == world.cg.id


def test_another_department_neither_sees_nor_acts_on_a_dispatched_event(world):
    event = at_street(world)
    assert scope.event_in_scope(world.handler, event.id) is None   # not yet dispatched
    act(event, world.street, "dispatch", T, department_id=world.cg.id)
    assert scope.event_in_scope(world.handler, event.id) is event
    assert scope.event_in_scope(world.handler_pcs, event.id) is None
    with pytest.raises(DomainError):
        act(event, world.handler_pcs, "sign", T)
    handler_without_department = make_user("h0", "department_handler")
    assert scope.event_in_scope(handler_without_department, event.id) is None
    act(event, world.handler, "sign", T)
    assert event.state == "handling"


def test_a_department_returns_to_the_street_office_and_keeps_seeing_the_event(world):
    event = at_department(world)
    with pytest.raises(FieldErrors) as caught:
        act(event, world.handler, "return", T)
    assert set(caught.value.errors) == {"note", "reason"}
    with pytest.raises(FieldErrors):
        act(event, world.handler, "return", T, note="不属于城管职责", reason="because")
    act(event, world.handler, "return", T, note="不属于城管职责", reason="misrouted")
    assert (event.state, event.holder_unit_id, event.holder_department_id, event.step) == (
        "handling", world.units["A"].id, None, "handle")
    assert notified(event, "returned") == [world.street.id]
    row = last_action(event)
    assert (row.action, row.detail, row.to_unit_id, row.actor_department_id, row.ended_step) == (
        "return", {"reason": "misrouted"}, world.units["A"].id, world.cg.id, "handle")
    assert scope.event_in_scope(world.handler, event.id) is event
    assert services.allowed_actions(world.handler, event) == []
    # Re-dispatched to the police: both departments see it now, only the police act.
    act(event, world.street, "dispatch", T, department_id=world.pcs.id)
    assert scope.event_in_scope(world.handler_pcs, event.id) is event
    assert scope.event_in_scope(world.handler, event.id) is event
    assert services.allowed_actions(world.handler, event) == []
    assert services.allowed_actions(world.handler_pcs, event) == ["sign", "return"]
    assert notified(event, "assigned") == sorted([world.community.id, world.street.id, world.handler.id,
                                                  world.handler_pcs.id])


def test_a_department_may_return_before_signing(world):
    event = at_street(world)
    act(event, world.street, "dispatch", T, department_id=world.cg.id)
    act(event, world.handler, "return", T, note="不属于城管职责", reason="misrouted")
    assert (event.state, event.holder_unit_id, event.holder_department_id) == ("handling", world.units["A"].id, None)
    assert last_action(event).ended_step == "sign"


def test_a_community_returns_to_the_grid_which_may_escalate_again(world):
    event = report(world)
    act(event, world.community, "return", T, note="位置描述不清", reason="incomplete")
    assert (event.state, event.holder_unit_id, event.step) == ("handling", world.units["A1a"].id, "handle")
    assert notified(event, "returned") == sorted([world.worker.id, world.leader.id])
    assert world.worker_b.id not in notified(event, "returned")
    with pytest.raises(DomainError):
        act(event, world.worker_b, "escalate", T, note="补充了位置")
    act(event, world.worker, "escalate", T, note="补充了位置：3单元楼道")
    assert (event.state, event.holder_unit_id) == ("to_sign", world.units["A1"].id)
    assert notified(event, "assigned") == [world.community.id, world.community.id]
    assert history(event) == ["report", "return", "escalate"]


def test_a_street_office_returns_an_escalated_event_to_the_community(world):
    event = at_street(world)
    act(event, world.street, "return", T, note="社区可自行处置", reason="misrouted")
    assert (event.state, event.holder_unit_id) == ("handling", world.units["A1"].id)
    assert notified(event, "returned") == [world.community.id]


@pytest.mark.parametrize("who", ["community", "street"])
def test_return_is_refused_where_the_event_was_reported(world, who):
    event = report(world, by=world[who])
    with pytest.raises(DomainError):
        act(event, world[who], "return", T, note="退回", reason="incomplete")
    assert history(event) == ["report"]


def test_escalate_needs_a_note(world):
    event = at_community(world)
    with pytest.raises(FieldErrors) as caught:
        act(event, world.community, "escalate", T, note="   ")
    assert set(caught.value.errors) == {"note"}
    assert event.holder_unit_id == world.units["A1"].id


def test_an_extension_is_asked_before_the_deadline_not_after(world):
    # Asked after the deadline it would hide a late step (and the red light).
    event = at_community(world)
    with pytest.raises(FieldErrors) as caught:
        act(event, world.community, "request_extension", event.due_at, note="来不及了", days=3)
    assert set(caught.value.errors) == {"days"} and event.state == "handling"
    request_extension(event, world.community, when=event.due_at - minutes(1), days=3)
    assert event.state == "extension"


def test_street_staff_decide_a_communitys_extension(world):
    event = at_community(world)
    for days in (None, 0, 31):
        with pytest.raises(FieldErrors) as caught:
            act(event, world.community, "request_extension", T, note="需协调", days=days)
        assert set(caught.value.errors) == {"days"}
    with pytest.raises(FieldErrors) as caught:
        act(event, world.community, "request_extension", T, days=3)
    assert set(caught.value.errors) == {"note"}
    request_extension(event, world.community, days=3)
    assert (event.state, event.step, event.extension_days) == ("extension", "decide", 3)
    assert notified(event, "extension_requested") == [world.street.id]
    for user in (world.community, world.community_b, world.street_b, world.admin, world.worker):
        with pytest.raises(DomainError):
            act(event, user, "approve_extension", T + minutes(30))
    act(event, world.street, "approve_extension", T + minutes(30))
    assert (event.state, event.step, event.extension_days, event.paused_at) == ("handling", "handle", None, None)
    assert notified(event, "extension_approved") == [world.community.id]
    row = last_action(event)
    assert (row.action, row.actor_unit_id, row.detail) == ("approve_extension", world.units["A"].id,
                                                            {"days": 3, "approved": True})


def test_refusing_an_extension_needs_a_reason_and_tells_the_holder(world):
    event = at_department(world)
    request_extension(event, world.handler)
    assert notified(event, "extension_requested") == [world.street.id]
    with pytest.raises(DomainError):
        act(event, world.street_b, "refuse_extension", T, note="不同意")
    with pytest.raises(FieldErrors) as caught:
        act(event, world.street, "refuse_extension", T)
    assert set(caught.value.errors) == {"note"}
    act(event, world.street, "refuse_extension", T, note="请按原时限办结")
    assert event.state == "handling" and event.holder_department_id == world.cg.id
    assert notified(event, "extension_refused") == [world.handler.id]
    assert last_action(event).detail == {"days": 0, "approved": False}


def test_the_administrator_decides_the_street_offices_extension(world):
    event = at_street(world)
    request_extension(event, world.street)
    assert notified(event, "extension_requested") == [world.admin.id]
    for user in (world.street, world.street_b, world.community):
        with pytest.raises(DomainError):
            act(event, user, "approve_extension", T)
    act(event, world.admin, "approve_extension", T)
    assert event.state == "handling"
    assert notified(event, "extension_approved") == [world.street.id]


def test_the_holder_may_report_the_result_while_waiting_for_the_decision(world):
    event = at_community(world)
    request_extension(event, world.community)
    act(event, world.community, "report_result", T + minutes(30), note="已协调解决")
    assert (event.state, event.step, event.paused_at, event.extension_days) == ("to_verify", "verify", None, None)
    with pytest.raises(DomainError):
        act(event, world.street, "approve_extension", T + minutes(40))


def test_supervision_from_above_notifies_the_holder(world):
    event = at_community(world)
    with pytest.raises(FieldErrors) as caught:
        act(event, world.street, "supervise", T)
    assert set(caught.value.errors) == {"note"}
    version = event.version
    act(event, world.street, "supervise", T, note="请本周内办结")
    assert (event.state, event.holder_unit_id, event.supervised_at, event.version) == (
        "handling", world.units["A1"].id, T, version + 1)
    assert notified(event, "supervised") == [world.community.id]
    row = last_action(event)
    assert (row.action, row.from_state, row.to_state, row.note, row.actor_unit_id) == (
        "supervise", "handling", "handling", "请本周内办结", world.units["A"].id)
    for user in (world.worker, world.community, world.street_b, world.handler):
        with pytest.raises(DomainError):
            act(event, user, "supervise", T, note="督办")


def test_a_community_supervises_its_grid_and_the_administrator_a_department(world):
    event = report(world)
    act(event, world.community, "return", T, note="位置描述不清", reason="incomplete")
    act(event, world.community, "supervise", T, note="请尽快补充")
    assert notified(event, "supervised") == sorted([world.worker.id, world.leader.id])
    other = at_department(world)
    with pytest.raises(DomainError):
        act(other, world.community, "supervise", T, note="督办")   # a department is not below the community
    act(other, world.admin, "supervise", T, note="区级督办")
    assert notified(other, "supervised") == [world.handler.id]
    assert last_action(other).actor_unit_id is None


def test_on_the_spot_resolution_needs_a_photo_and_a_fix_and_closes(world):
    with pytest.raises(FieldErrors) as caught:
        services.report_event(data=event_input(on_spot=True), by=world.worker, now=MONDAY)
    assert set(caught.value.errors) == {"resolution", "photos"}
    with pytest.raises(FieldErrors) as caught:
        services.report_event(data=event_input(on_spot=True, resolution="已清理", photos=[jpeg()]),
                              by=world.community, now=MONDAY)
    assert set(caught.value.errors) == {"on_spot"}
    fixed = event_input(on_spot=True, resolution="已当场清理", photos=[jpeg()])
    event, created = services.report_event(data=fixed, by=world.worker, now=MONDAY)
    assert created and (event.state, event.closure, event.closed_at, event.holder_unit_id) == (
        "closed", "on_spot", MONDAY, world.units["A1a"].id)
    assert (event.step, event.due_at, event.yellow_at) == (None, None, None)
    row = last_action(event)
    assert (row.action, row.to_state, row.note) == ("report_resolved", "closed", "已当场清理")
    assert db.session.scalar(select(func.count()).select_from(EventPhoto).where(
        EventPhoto.event_id == event.id, EventPhoto.action_id == row.id)) == 1
    assert notification_count(event) == 0
    for name in USERS:
        assert services.allowed_actions(world[name], event) == []


def test_a_returned_event_resolved_by_the_grid_needs_a_photo_and_closes(world):
    event = report(world)
    act(event, world.community, "return", T, note="网格可自行处置", reason="misrouted")
    with pytest.raises(FieldErrors) as caught:
        act(event, world.worker, "resolve", T)
    assert set(caught.value.errors) == {"note", "photos"}
    assert event.state == "handling"
    act(event, world.worker, "resolve", T, note="已清理楼道杂物", photos=[jpeg()])
    assert (event.state, event.closure, event.closed_at, event.due_at) == ("closed", "on_spot", T, None)
    assert db.session.scalar(select(func.count()).select_from(EventPhoto).where(EventPhoto.event_id == event.id)) == 1
    for name in USERS:
        assert services.allowed_actions(world[name], event) == []


def test_the_reporter_verifies_and_may_reopen_then_close(world):
    event = at_department(world)
    with pytest.raises(FieldErrors) as caught:
        act(event, world.handler, "report_result", T)
    assert set(caught.value.errors) == {"note"}
    act(event, world.handler, "report_result", T, note="已清理", photos=[jpeg()])
    assert (event.state, event.step, event.holder_department_id) == ("to_verify", "verify", world.cg.id)
    assert notified(event, "verify") == [world.worker.id]
    for user in (world.worker_b, world.community, world.handler, world.street):
        with pytest.raises(DomainError):
            act(event, user, "verify_close", T, satisfaction="satisfied")
    with pytest.raises(FieldErrors) as caught:
        act(event, world.leader, "reopen", T + minutes(30))
    assert set(caught.value.errors) == {"note"}
    act(event, world.leader, "reopen", T + minutes(30), note="楼道仍有杂物")
    assert (event.state, event.step, event.holder_department_id) == ("handling", "handle", world.cg.id)
    assert event.step_started_at == T + minutes(30)
    assert notified(event, "reopened") == [world.handler.id]
    act(event, world.handler, "report_result", T + minutes(60), note="已彻底清理")
    assert notified(event, "verify") == [world.worker.id, world.worker.id]
    with pytest.raises(FieldErrors) as caught:
        act(event, world.worker, "verify_close", T + minutes(90))
    assert set(caught.value.errors) == {"satisfaction"}
    act(event, world.worker, "verify_close", T + minutes(90), satisfaction="basic", note="居民基本满意")
    assert (event.state, event.closure, event.closed_at, event.satisfaction, event.satisfaction_note) == (
        "closed", "verified", T + minutes(90), "basic", "居民基本满意")
    assert notified(event, "closed") == [world.handler.id]
    assert history(event)[-4:] == ["report_result", "reopen", "report_result", "verify_close"]


def test_verification_goes_to_the_grid_when_the_reporter_cannot_verify(world):
    event = at_community(world)
    world.worker.scope_units = [world.units["A1b"]]     # moved to another grid
    db.session.commit()
    act(event, world.community, "report_result", T, note="已清理")
    assert notified(event, "verify") == [world.leader.id]
    by_leader = report(world, by=world.leader)
    act(by_leader, world.community, "sign", T)
    act(by_leader, world.community, "report_result", T, note="已清理")
    assert notified(by_leader, "verify") == [world.leader.id]


def test_shelve_and_resume(world):
    event = report(world)
    act(event, world.community, "return", T, note="网格处置", reason="misrouted")
    with pytest.raises(DomainError):
        act(event, world.worker, "shelve", T, note="无法解决")   # a grid cannot put it on the standing list
    event = at_community(world)
    with pytest.raises(FieldErrors) as caught:
        act(event, world.community, "shelve", T)
    assert set(caught.value.errors) == {"note"}
    shelve(event, world.community)
    assert (event.state, event.step, event.due_at, event.standing_reason) == (
        "standing", None, None, "涉及历史遗留问题，暂时无法解决")
    for user in (world.worker, world.community_b, world.street_b, world.handler):
        with pytest.raises(DomainError):
            act(event, user, "resume", T)
    act(event, world.community, "resume", T + minutes(30))
    assert (event.state, event.step, event.standing_reason, event.step_started_at) == (
        "handling", "handle", None, T + minutes(30))
    assert event.due_at is not None
    assert notified(event, "resumed") == []        # the holder took it off its own list
    shelve(event, world.community, T + minutes(40))
    act(event, world.street, "resume", T + minutes(50))
    assert event.state == "handling" and notified(event, "resumed") == [world.community.id]
    shelve(event, world.community, T + minutes(60))
    act(event, world.admin, "resume", T + minutes(70))
    assert notified(event, "resumed") == [world.community.id, world.community.id]


def test_no_one_acts_on_a_closed_event(world):
    event = build(world, "closed")
    for name in USERS:
        for action in workflow.ACTIONS:
            with pytest.raises(DomainError):
                act(event, world[name], action, T + minutes(120), note="x", reason="incomplete",
                    satisfaction="satisfied", photos=[PHOTO])
    assert event.state == "closed"


def test_a_late_signing_counts_against_the_event(world):
    event = report(world)
    act(event, world.community, "sign", event.due_at + minutes(1))
    assert event.late_steps == 1 and last_action(event).ended_late is True


def test_the_history_is_append_only(world):
    event = at_community(world)
    for statement in (update(EventAction).where(EventAction.event_id == event.id).values(note="改写"),
                      text("DELETE FROM event_action WHERE event_id = :id").bindparams(id=event.id)):
        with pytest.raises(DBAPIError):
            with db.session.begin_nested():
                db.session.execute(statement)
    assert history(event) == ["report", "sign"]


def test_a_vacant_grids_checks_fall_to_its_community(world):
    event = at_community(world)
    act(event, world.community, "report_result", T, note="已清理")
    assert "verify_close" not in services.allowed_actions(world.community, event)
    for user in (world.worker, world.leader):
        user.is_enabled = False
    db.session.commit()
    assert services.verifiers(event) == [world.community.id]
    act(event, world.community, "verify_close", T + minutes(30), satisfaction="unreached")
    assert event.state == "closed" and event.closure == "verified"
