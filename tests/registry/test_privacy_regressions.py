"""Regressions from the privacy review of the registry."""
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from grid.audit.models import AuditEntry
from grid.errors import FieldErrors
from grid.extensions import db
from grid.registry import care
from grid.registry.ledger_export import export_children, export_elderly
from grid.registry.ledger_import import import_ledger
from tests.factories import csrf_from, log_in, make_district, make_household, make_resident, make_user, valid_id
from tests.registry.ledger_files import ledger

SIX = {item: "able" for item in ("eating", "dressing", "transfer", "toilet", "walking", "bathing")}
ELDER_ID, CHILD_ID = valid_id("19400105", "124"), valid_id("20150601", "131")


@pytest.fixture
def setting(ctx):
    units = make_district()
    staff = make_user("c", "community_staff", [units["A1"]])
    household = make_household(staff, 120.105, 30.21, address="朝晖路8号", phone="13812345678")
    elder = make_resident(staff, household, name="王奶奶", id_number=ELDER_ID, relation="head", phone="13912345678")
    child = make_resident(staff, household, name="王小明", id_number=CHILD_ID, relation="grandchild")
    care.create_elderly_record(resident=elder, by=staff, data=care.ElderlyInput(
        categories=("living_alone",), risk_tier="high", self_care=dict(SIX)))
    record = care.create_child_record(resident=child, by=staff, data=care.ChildInput(
        category="left_behind", risk_tier="general", guardian_name="王奶奶", guardian_relation="祖母"))
    return units, staff, household, elder, child, record


def test_masked_ledger_has_no_birth_date_to_rebuild_the_id(setting):
    _units, staff, *_rest = setting
    masked = [c.value for c in load_workbook(io.BytesIO(export_elderly(user=staff, reveal=False))).active[2]]
    assert ELDER_ID not in masked and not any(str(v).startswith("1940-01-05") for v in masked if v)
    revealed = [c.value for c in load_workbook(io.BytesIO(export_elderly(user=staff, reveal=True))).active[2]]
    assert ELDER_ID in revealed


def test_edit_forms_show_neither_full_phones_nor_the_id_birth_date(client, setting):
    _units, _staff, household, elder, _child, _record = setting
    log_in(client, "c")
    resident_page = client.get(f"/residents/{elder.id}/edit").get_data(as_text=True)
    household_page = client.get(f"/households/{household.id}/edit").get_data(as_text=True)
    assert "13912345678" not in resident_page and "1940-01-05" not in resident_page
    assert "139****5678" in resident_page
    assert "13812345678" not in household_page
    # Saving without retyping keeps what is stored.
    from grid.registry.models import Resident

    client.post(f"/residents/{elder.id}/edit", data={
        "csrf_token": csrf_from(resident_page), "name": "王奶奶", "relation": "head", "hukou": "consistent",
        "version": str(elder.version)})
    db.session.expire_all()
    kept = db.session.get(Resident, elder.id)
    assert kept.phone == "13912345678" and kept.id_number_masked == elder.id_number_masked


def test_roles_without_child_access_cannot_tell_which_households_have_a_child(client, setting):
    units, *_rest = setting
    make_user("gl", "grid_leader", [units["A1a"]])
    log_in(client, "gl")
    listing = client.get("/households", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "朝晖路8号" in listing and "儿童</span>" not in listing
    filtered = client.get("/households?care=child", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "朝晖路8号" not in filtered


def test_admins_cannot_probe_child_records_by_import(setting):
    admin = make_user("boss", "admin")
    report = import_ledger(data=ledger(households=[], residents=[], children=[
        {"身份证号": CHILD_ID, "类别": "留守儿童", "风险等级": "一般", "监护人": "甲", "监护人关系": "祖母"}]),
        filename="probe.xlsx", by=admin, dry_run=True)
    messages = " ".join(p.message for p in report.problems)
    assert "王小明" not in messages and "困境儿童" in messages


def test_child_records_shown_on_a_household_page_or_exported_are_logged(client, setting):
    _units, staff, household, *_rest, record = setting
    log_in(client, "c")
    client.get(f"/households/{household.id}")
    with client.application.test_request_context():
        export_children(user=staff, reveal=False)
    access = client.get(f"/children/{record.id}/access").get_data(as_text=True)
    entries = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "child_record")).all()
    assert "child.list" in entries and "child.export" in entries
    assert access.count("<tr>") >= 3   # created, listed on the household page, exported


def test_a_closed_record_cannot_be_edited_and_nan_is_not_a_number(client, setting):
    _units, staff, household, _elder, _child, record = setting
    care.close_record(record=record, version=record.version, reason="moved_away", note="", by=staff)
    with pytest.raises(FieldErrors) as caught:
        care.update_child_record(record=record, version=record.version, by=staff, data=care.ChildInput(
            category="left_behind", risk_tier="general", guardian_name="甲", guardian_relation="祖母"))
    assert "status" in caught.value.errors
    log_in(client, "c")
    other = make_resident(staff, household, name="王小红", id_number=valid_id("20170808", "242"), relation="grandchild")
    page = client.get(f"/residents/{other.id}/children/new").get_data(as_text=True)
    response = client.post(f"/residents/{other.id}/children/new", data={
        "csrf_token": csrf_from(page), "category": "left_behind", "risk_tier": "general", "guardian_name": "甲",
        "guardian_relation": "祖母", "living_allowance": "NaN"})
    assert response.status_code == 422 and "living_allowance-error" in response.get_data(as_text=True)
