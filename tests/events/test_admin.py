"""Administrators edit the event category tree and the deadline policy:
versioned, audited, refused as a whole when wrong, and only for administrators."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from grid import workdays
from grid.audit.models import AuditEntry
from grid.errors import FieldErrors
from grid.events import admin, services
from grid.events.deadlines import policy_limit
from grid.events.models import DeadlinePolicy, EventCategory
from grid.extensions import db
from tests.events.conftest import MONDAY, category, event_input
from tests.factories import csrf_from, log_in, make_user

CATEGORIES = "/admin/event-categories"
DEADLINES = "/admin/deadlines"


def fresh(record):
    """The row as the requests left it (they ran in sessions of their own)."""
    db.session.refresh(record)
    return record


def audit_actions(prefix: str) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like(f"{prefix}%"))
                                   .order_by(AuditEntry.id)))


def any_rule(priority: str, step: str) -> DeadlinePolicy:
    return db.session.scalar(select(DeadlinePolicy).where(
        DeadlinePolicy.priority == priority, DeadlinePolicy.category_id.is_(None), DeadlinePolicy.step == step))


@pytest.fixture
def token(client):
    """A logged-in administrator; returns the CSRF token of the session."""
    make_user("boss", "admin")
    log_in(client, "boss")
    return csrf_from(client.get(CATEGORIES).get_data(as_text=True))


@pytest.mark.parametrize("role", ["street_staff", "community_staff", "grid_worker", "auditor"])
def test_only_administrators_reach_the_pages(client, role):
    make_user("someone", role, [])
    log_in(client, "someone")
    token = csrf_from(client.get("/password").get_data(as_text=True))
    for url in (CATEGORIES, DEADLINES):
        assert client.get(url).status_code == 404
    fire = category("fire")
    assert client.post(f"{CATEGORIES}/{fire.id}/active", data={"csrf_token": token, "version": "1",
                                                                 "is_active": "n"}).status_code == 404
    assert fresh(fire).is_active


def test_the_pages_show_the_tree_and_the_policy(client, token):
    page = client.get(CATEGORIES).get_data(as_text=True)
    assert "消防通道堵塞" in page and "Blocked fire escape" in page and "tree-depth-2" in page
    page = client.get(DEADLINES).get_data(as_text=True)
    assert 'data-testid="applies-from"' in page and "投诉" in page


def test_add_a_category_under_a_parent(client, token):
    fire = category("fire")
    response = client.post(CATEGORIES, data={"csrf_token": token, "code": "fire_bottles", "name_zh": "违规存放液化气瓶",
                                             "name_en": "Gas bottles stored unsafely", "parent_id": str(fire.id)})
    assert response.status_code == 302
    added = category("fire_bottles")
    assert added.parent_id == fire.id and added.is_active and added.name_en == "Gas bottles stored unsafely"
    # Last among its siblings, and offered for new events.
    siblings = sorted(db.session.scalars(select(EventCategory).where(EventCategory.parent_id == fire.id)),
                      key=lambda c: (c.position, c.code))
    assert siblings[-1] == added and added in services.active_categories()
    assert "违规存放液化气瓶" in client.get(CATEGORIES).get_data(as_text=True)
    assert audit_actions("event_category.") == ["event_category.create"]


def test_a_wrong_category_is_refused_field_by_field_and_nothing_is_saved(client, token):
    before = db.session.scalar(select(db.func.count(EventCategory.id)))
    response = client.post(CATEGORIES, data={"csrf_token": token, "code": "Bad-Code", "name_zh": "",
                                             "name_en": "Something"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'data-testid="form-error"' in page
    assert 'value="Something"' in page          # what was typed is kept
    duplicate = client.post(CATEGORIES, data={"csrf_token": token, "code": "fire", "name_zh": "消防2",
                                              "name_en": "Fire 2"})
    assert duplicate.status_code == 422
    # Three levels at most: fire › fire_escape › new is fine, one more is not.
    escape = category("fire_escape")
    assert client.post(CATEGORIES, data={"csrf_token": token, "code": "fire_escape_stairs", "name_zh": "楼梯间",
                                         "name_en": "Stairwell", "parent_id": str(escape.id)}).status_code == 302
    deep = client.post(CATEGORIES, data={"csrf_token": token, "code": "too_deep", "name_zh": "太深",
                                         "name_en": "Too deep", "parent_id": str(category("fire_escape_stairs").id)})
    assert deep.status_code == 422
    assert db.session.scalar(select(db.func.count(EventCategory.id))) == before + 1
    assert category("too_deep") is None


def test_the_service_names_each_wrong_field(ctx):
    admin_user = make_user("boss", "admin")
    with pytest.raises(FieldErrors) as error:
        admin.create_category(code="x y", name_zh="", name_en="", parent_id=999999, by=admin_user)
    assert set(error.value.errors) == {"code", "name_zh", "name_en", "parent_id"}


def test_rename_a_category(client, token):
    gas = category("safety_gas")
    response = client.post(f"{CATEGORIES}/{gas.id}/rename", data={
        "csrf_token": token, "version": str(gas.version), "name_zh": "燃气安全隐患", "name_en": "Gas safety hazard"})
    assert response.status_code == 302
    gas = fresh(gas)
    assert (gas.name_zh, gas.name_en, gas.code, gas.version) == ("燃气安全隐患", "Gas safety hazard", "safety_gas", 2)
    assert audit_actions("event_category.") == ["event_category.rename"]
    empty = client.post(f"{CATEGORIES}/{gas.id}/rename", data={
        "csrf_token": token, "version": str(gas.version), "name_zh": " ", "name_en": "Gas"})
    assert empty.status_code == 422 and fresh(gas).name_en == "Gas safety hazard"


def test_a_stale_edit_is_refused_with_a_clear_message_and_saves_nothing(client, token):
    gas = category("safety_gas")
    seen = gas.version
    client.post(f"{CATEGORIES}/{gas.id}/rename", data={"csrf_token": token, "version": str(seen),
                                                        "name_zh": "燃气隐患（甲）", "name_en": "Gas A"})
    stale = client.post(f"{CATEGORIES}/{gas.id}/rename", data={"csrf_token": token, "version": str(seen),
                                                                "name_zh": "燃气隐患（乙）", "name_en": "Gas B"})
    assert stale.status_code == 409 and "已被他人修改" in stale.get_data(as_text=True)
    assert fresh(gas).name_en == "Gas A"
    # The same for moving, deactivating and changing a deadline.
    assert client.post(f"{CATEGORIES}/{gas.id}/move", data={"csrf_token": token, "version": str(seen),
                                                             "position": "1"}).status_code == 409
    assert client.post(f"{CATEGORIES}/{gas.id}/active", data={"csrf_token": token, "version": str(seen),
                                                               "is_active": "n"}).status_code == 409
    assert fresh(gas).is_active
    rule = any_rule("normal", "handle")
    client.post(f"{DEADLINES}/{rule.id}", data={"csrf_token": token, "version": str(rule.version),
                                                 "amount": "6", "unit": "working_days"})
    stale = client.post(f"{DEADLINES}/{rule.id}", data={"csrf_token": token, "version": str(rule.version),
                                                         "amount": "9", "unit": "working_days"})
    assert stale.status_code == 409 and fresh(rule).amount == 6
    assert audit_actions("event_category.") == ["event_category.rename"]


def test_move_a_category_among_its_siblings(client, token):
    consult, complaint = category("welfare_consult"), category("welfare_complaint")
    page = client.get(CATEGORIES).get_data(as_text=True)
    assert page.index("咨询求助") < page.index("投诉")
    response = client.post(f"{CATEGORIES}/{complaint.id}/move", data={
        "csrf_token": token, "version": str(complaint.version), "index": "2", "direction": "up"})
    assert response.status_code == 302
    page = client.get(CATEGORIES).get_data(as_text=True)
    assert page.index("投诉") < page.index("咨询求助")
    # The sibling's place changed too: an edit from the old order is stale.
    assert fresh(consult).version == 2
    beyond = client.post(f"{CATEGORIES}/{complaint.id}/move", data={
        "csrf_token": token, "version": str(fresh(complaint).version), "position": "3"})
    assert beyond.status_code == 422
    assert audit_actions("event_category.") == ["event_category.move"]


def test_deactivate_a_parent_takes_its_subtree_and_keeps_old_events(client, token, world):
    old, _ = services.report_event(data=event_input(), by=world.worker, now=MONDAY)   # filed as fire_escape
    fire = category("fire")
    response = client.post(f"{CATEGORIES}/{fire.id}/active", data={"csrf_token": token,
                                                                    "version": str(fire.version), "is_active": "n"})
    assert response.status_code == 302
    db.session.expire_all()
    assert not any(category(code).is_active for code in ("fire", "fire_escape", "fire_ebike"))
    assert not {"fire", "fire_escape", "fire_ebike"} & {c.code for c in services.active_categories()}
    assert fresh(old).category.code == "fire_escape"
    with pytest.raises(FieldErrors) as error:
        services.report_event(data=event_input(), by=world.worker, now=MONDAY)
    assert "category_id" in error.value.errors
    # A child cannot come back while its parent is inactive; the parent comes back alone.
    escape = category("fire_escape")
    refused = client.post(f"{CATEGORIES}/{escape.id}/active", data={"csrf_token": token,
                                                                     "version": str(escape.version),
                                                                     "is_active": "y"})
    assert refused.status_code == 422 and not fresh(escape).is_active
    client.post(f"{CATEGORIES}/{fire.id}/active", data={"csrf_token": token, "version": str(fresh(fire).version),
                                                         "is_active": "y"})
    db.session.expire_all()
    assert category("fire").is_active and not category("fire_escape").is_active
    assert audit_actions("event_category.") == ["event_category.deactivate", "event_category.reactivate"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "event_category.deactivate"))
    assert sorted(entry.detail["subtree"]) == ["fire_ebike", "fire_escape"]


def test_an_override_is_used_by_steps_started_after_it(client, token, world):
    running, _ = services.report_event(data=event_input(), by=world.worker, now=MONDAY)
    running_due = running.due_at
    fire, escape = category("fire"), category("fire_escape")
    assert policy_limit("normal", escape, "sign") == (1, "working_days")
    response = client.post(DEADLINES, data={"csrf_token": token, "priority": "normal", "category_id": str(fire.id),
                                            "step": "sign", "amount": "3", "unit": "working_hours"})
    assert response.status_code == 302
    # The parent's rule covers its subcategory; the running clock keeps its deadline.
    assert policy_limit("normal", escape, "sign") == (3, "working_hours")
    assert fresh(running).due_at == running_due
    later, _ = services.report_event(data=event_input(), by=world.worker, now=MONDAY)
    assert later.due_at == workdays.add_working_hours(MONDAY, 3) == MONDAY + timedelta(hours=3)
    assert later.limit_unit == "working_hours"
    assert audit_actions("deadline_policy.") == ["deadline_policy.create"]
    assert "消防" in client.get(DEADLINES).get_data(as_text=True)


def test_a_duplicate_override_is_a_field_error(client, token):
    consult = category("welfare_consult")   # the migration gives it a normal handling rule
    before = db.session.scalar(select(db.func.count(DeadlinePolicy.id)))
    response = client.post(DEADLINES, data={"csrf_token": token, "priority": "normal",
                                            "category_id": str(consult.id), "step": "handle", "amount": "4",
                                            "unit": "working_days"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'data-testid="form-error"' in page
    assert db.session.scalar(select(db.func.count(DeadlinePolicy.id))) == before


def test_a_limit_is_checked_against_its_unit(client, token):
    rule = any_rule("urgent", "sign")
    for amount, unit in (("300", "working_hours"), ("0", "hours"), ("721", "hours"), ("121", "working_days"),
                         ("1000", "working_days"), ("abc", "hours"), ("5", "weeks")):
        response = client.post(f"{DEADLINES}/{rule.id}", data={"csrf_token": token, "version": str(rule.version),
                                                                "amount": amount, "unit": unit})
        assert response.status_code == 422, (amount, unit)
    assert (fresh(rule).amount, rule.unit) == (1, "working_hours")
    ok = client.post(f"{DEADLINES}/{rule.id}", data={"csrf_token": token, "version": str(rule.version),
                                                      "amount": "720", "unit": "hours"})
    assert ok.status_code == 302 and (fresh(rule).amount, rule.unit, rule.version) == (720, "hours", 2)
    assert audit_actions("deadline_policy.") == ["deadline_policy.update"]


def test_an_any_category_rule_cannot_be_deleted_but_an_override_can(client, token):
    rule = any_rule("normal", "verify")
    response = client.post(f"{DEADLINES}/{rule.id}/delete", data={"csrf_token": token,
                                                                   "version": str(rule.version)})
    assert response.status_code == 422
    assert any_rule("normal", "verify") is not None
    complaint = db.session.scalar(select(DeadlinePolicy).where(
        DeadlinePolicy.category_id == category("welfare_complaint").id))
    complaint_id = complaint.id
    response = client.post(f"{DEADLINES}/{complaint.id}/delete", data={"csrf_token": token,
                                                                       "version": str(complaint.version)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(DeadlinePolicy, complaint_id) is None
    assert policy_limit("normal", category("welfare_complaint"), "handle") == (5, "working_days")
    assert audit_actions("deadline_policy.") == ["deadline_policy.delete"]


def test_a_post_without_the_csrf_token_is_refused(client, token):
    gas = category("safety_gas")
    response = client.post(f"{CATEGORIES}/{gas.id}/rename", data={"version": str(gas.version),
                                                                   "name_zh": "改", "name_en": "Changed"})
    assert response.status_code == 400 and fresh(gas).name_zh == "燃气隐患"
    rule = any_rule("normal", "sign")
    assert client.post(f"{DEADLINES}/{rule.id}", data={"version": str(rule.version), "amount": "2",
                                                        "unit": "working_days"}).status_code == 400
    assert client.post(DEADLINES, data={"priority": "normal", "category_id": str(gas.id), "step": "sign",
                                        "amount": "2", "unit": "working_days"}).status_code == 400
    assert fresh(rule).amount == 1
