"""Care records: age rules, self-care, closure with history, who may see a
child's record, and the audit of every view."""
import pytest
from sqlalchemy import select, text

from grid.audit.models import AuditEntry
from grid.errors import FieldErrors
from grid.extensions import db
from grid.registry import care, services
from grid.registry.care_models import CareRecordChange
from tests.factories import csrf_from, log_in, make_district, make_household, make_resident, make_user, valid_id

SIX = {item: "able" for item in ("eating", "dressing", "transfer", "toilet", "walking", "bathing")}


@pytest.fixture
def setting(ctx):
    units = make_district()
    staff = make_user("c", "community_staff", [units["A1"]])
    household = make_household(staff, 120.105, 30.21, address="朝晖路8号")
    elder = make_resident(staff, household, name="王奶奶", id_number=valid_id("19400105", "124"), relation="head")
    child = make_resident(staff, household, name="王小明", id_number=valid_id("20150601", "131"), relation="grandchild")
    return units, staff, elder, child


def elderly_input(**changes):
    return care.ElderlyInput(**{"categories": ("living_alone",), "risk_tier": "high", "self_care": dict(SIX), **changes})


def child_input(**changes):
    return care.ChildInput(**{"category": "left_behind", "risk_tier": "general", "guardian_name": "王奶奶",
                              "guardian_relation": "祖母", **changes})


def test_self_care_result_is_computed(setting):
    _units, staff, elder, _child = setting
    record = care.create_elderly_record(resident=elder, by=staff, data=elderly_input(
        self_care={**SIX, "walking": "unable", "bathing": "unable", "toilet": "unable", "transfer": "unable",
                   "dressing": "unable"}))
    assert record.self_care_result == "fully_dependent"


def test_elderly_register_is_for_people_aged_60_or_over(setting):
    _units, staff, _elder, child = setting
    with pytest.raises(FieldErrors) as caught:
        care.create_elderly_record(resident=child, by=staff, data=elderly_input())
    assert "resident" in caught.value.errors


def test_one_open_record_per_person_and_closing_keeps_history(setting):
    _units, staff, elder, _child = setting
    first = care.create_elderly_record(resident=elder, by=staff, data=elderly_input())
    with pytest.raises(FieldErrors):
        care.create_elderly_record(resident=elder, by=staff, data=elderly_input())
    care.update_elderly_record(record=first, version=first.version, data=elderly_input(risk_tier="key"), by=staff)
    care.close_record(record=first, version=first.version, reason="moved_away", note="随子女迁居上海", by=staff)
    second = care.create_elderly_record(resident=elder, by=staff, data=elderly_input())
    assert second.id != first.id and not first.is_open
    actions = db.session.scalars(select(CareRecordChange.action).where(CareRecordChange.record_id == first.id)
                                 .order_by(CareRecordChange.id)).all()
    assert actions == ["created", "updated", "closed"]


def test_a_child_record_needs_a_guardian_and_a_minor(setting):
    _units, staff, elder, child = setting
    with pytest.raises(FieldErrors) as caught:
        care.create_child_record(resident=child, by=staff, data=child_input(guardian_name=""))
    assert "guardian_name" in caught.value.errors
    with pytest.raises(FieldErrors) as caught:
        care.create_child_record(resident=elder, by=staff, data=child_input())
    assert "resident" in caught.value.errors


def test_every_view_of_a_child_record_is_audited_and_listed_on_its_access_page(client, setting):
    units, staff, _elder, child = setting
    record = care.create_child_record(resident=child, by=staff, data=child_input())
    make_user("w", "grid_worker", [units["A1a"]])
    worker = client.application.test_client()
    log_in(worker, "w")
    assert worker.get(f"/children/{record.id}").status_code == 200
    assert worker.get(f"/children/{record.id}").status_code == 200
    views = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "child.view")).all()
    assert [(v.actor_name, v.object_id) for v in views] == [("w", str(record.id))] * 2
    log_in(client, "c")
    access = client.get(f"/children/{record.id}/access").get_data(as_text=True)
    assert access.count("查看困境儿童记录") == 2 or access.count(">w<") == 2
    make_user("aud", "auditor")
    auditor = client.application.test_client()
    log_in(auditor, "aud")
    assert auditor.get(f"/children/{record.id}/access").status_code == 200
    assert "王小明" not in auditor.get(f"/children/{record.id}/access").get_data(as_text=True)


@pytest.mark.parametrize("role", ["grid_leader", "admin"])
def test_roles_without_need_cannot_open_child_records(client, setting, role):
    units, staff, _elder, child = setting
    record = care.create_child_record(resident=child, by=staff, data=child_input())
    make_user("x", role, [units["A1a"]] if role == "grid_leader" else [])
    log_in(client, "x")
    assert client.get(f"/children/{record.id}").status_code == 404
    household_page = client.get(f"/households/{child.household_id}").get_data(as_text=True)
    assert "留守儿童" not in household_page  # not even that a record exists


def test_child_records_of_another_grid_are_404(client, setting):
    units, staff, _elder, child = setting
    record = care.create_child_record(resident=child, by=staff, data=child_input())
    make_user("w2", "grid_worker", [units["A1b"]])
    log_in(client, "w2")
    assert client.get(f"/children/{record.id}").status_code == 404
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "child.view")) is None


def test_elderly_record_form_shows_all_errors_at_once(client, setting):
    _units, _staff, elder, _child = setting
    log_in(client, "c")
    page = client.get(f"/residents/{elder.id}/elderly/new").get_data(as_text=True)
    response = client.post(f"/residents/{elder.id}/elderly/new", data={
        "csrf_token": csrf_from(page), "children_count": "两个"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("categories-error", "risk_tier-error", "self_care-error", "children_count-error"):
        assert field in body, field


def test_registers_filter_and_child_lists_are_audited_per_record(client, setting):
    units, staff, elder, child = setting
    care.create_elderly_record(resident=elder, by=staff, data=elderly_input())
    record = care.create_child_record(resident=child, by=staff, data=child_input())
    log_in(client, "c")
    elderly = client.get("/registers/elderly?tier=high", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "王奶奶" in elderly
    assert "王奶奶" not in client.get("/registers/elderly?tier=general", headers={"HX-Request": "true"}).get_data(as_text=True)
    children = client.get("/registers/children").get_data(as_text=True)
    assert "王小明" in children
    listed = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "child.list"))
    assert listed.detail == {"ids": [record.id]}
    access = client.get(f"/children/{record.id}/access").get_data(as_text=True)
    assert "查看困境儿童名册" in access or "child.list" in access


def test_grid_leader_has_no_child_register(client, setting):
    units, _staff, _elder, _child = setting
    make_user("gl", "grid_leader", [units["A1a"]])
    log_in(client, "gl")
    assert client.get("/registers/children").status_code == 404
    assert client.get("/registers/elderly").status_code == 200


# --- each record's grid (migration 0009: kept by triggers) --------------------

def record_grids(*records) -> list[int]:
    db.session.expire_all()
    return [db.session.scalar(select(type(r).grid_id).where(type(r).id == r.id)) for r in records]


def test_a_record_carries_its_households_grid_and_follows_every_move(setting):
    units, staff, elder, child = setting
    old = care.create_elderly_record(resident=elder, by=staff, data=elderly_input())
    young = care.create_child_record(resident=child, by=staff, data=child_input())
    assert record_grids(old, young) == [units["A1a"].id, units["A1a"].id]
    # The household moves across the grid line (A1a → A1b): both records follow.
    household = elder.household
    services.update_household(household=household, version=household.version, by=staff, data=services.HouseholdInput(
        address=household.address, lon=120.115, lat=30.21))
    assert record_grids(old, young) == [units["A1b"].id, units["A1b"].id]
    # The child moves to a household in another grid: only the child's record follows.
    other = make_household(staff, 120.105, 30.215, address="朝晖路9号")
    db.session.execute(text("UPDATE resident SET household_id = :h WHERE id = :r"), {"h": other.id, "r": child.id})
    assert record_grids(old, young) == [units["A1b"].id, units["A1a"].id]
    # A record written with a wrong grid gets the right one back.
    db.session.execute(text("UPDATE elderly_record SET grid_id = :g WHERE id = :r"),
                       {"g": units["B1a"].id, "r": old.id})
    assert record_grids(old) == [units["A1b"].id]


def test_re_gridding_many_households_in_one_statement_moves_their_records(setting):
    units, staff, elder, child = setting
    records = [care.create_elderly_record(resident=elder, by=staff, data=elderly_input()),
               care.create_child_record(resident=child, by=staff, data=child_input())]
    second = make_household(staff, 120.106, 30.211, address="朝晖路10号")
    neighbour = make_resident(staff, second, name="李爷爷", id_number=valid_id("19380203", "153"), relation="head")
    records.append(care.create_elderly_record(resident=neighbour, by=staff, data=elderly_input()))
    other_staff = make_user("b", "community_staff", [units["B1"]])
    untouched = make_household(other_staff, 120.125, 30.21, address="石桥路1号")      # in B1a
    far = make_resident(other_staff, untouched, name="赵奶奶", id_number=valid_id("19390204", "164"),
                        relation="head")
    records.append(care.create_elderly_record(resident=far, by=other_staff, data=elderly_input()))
    # A boundary change shifts grid A1b over the west half: one UPDATE re-grids both households.
    db.session.execute(text("UPDATE unit SET boundary = ST_Multi(ST_MakeEnvelope(120.10, 30.20, 120.12, 30.22, 4326)) "
                            "WHERE id = :b"), {"b": units["A1b"].id})
    db.session.execute(text("UPDATE unit SET boundary = ST_Multi(ST_MakeEnvelope(120.10, 30.20, 120.1001, 30.2001, "
                            "4326)) WHERE id = :a"), {"a": units["A1a"].id})
    db.session.execute(text("UPDATE household SET location = location WHERE id = ANY(:ids)"),
                       {"ids": [elder.household_id, second.id]})
    assert record_grids(*records) == [units["A1b"].id] * 3 + [units["B1a"].id]
