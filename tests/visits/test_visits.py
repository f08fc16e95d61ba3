"""Visits: cadence and due dates, the task list, exactly-once logging, proof
of presence, photos, scope and coverage, on real PostGIS."""
import io
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from PIL import Image
from sqlalchemy import func, select, update

from grid import workdays
from grid.errors import Conflict, FieldErrors
from grid.extensions import db
from grid.registry import care
from grid.registry.care_models import ElderlyRecord
from grid.visits import cadence, queries, services
from grid.visits.models import CadencePolicy, Visit
from tests.factories import (csrf_from, log_in, make_district, make_household, make_resident, make_user,
                             sql_statements, valid_id)

SIX = {item: "able" for item in ("eating", "dressing", "transfer", "toilet", "walking", "bathing")}
HOME = (120.105, 30.21)


@pytest.fixture
def world(ctx):
    units = make_district()
    staff = make_user("c", "community_staff", [units["A1"]])
    worker = make_user("w", "grid_worker", [units["A1a"]])
    household = make_household(staff, *HOME, address="朝晖路8号")
    elder = make_resident(staff, household, name="王奶奶", id_number=valid_id("19400105", "124"), relation="head")
    record = care.create_elderly_record(resident=elder, by=staff, data=care.ElderlyInput(
        categories=("living_alone",), risk_tier="high", self_care=dict(SIX)))
    return units, staff, worker, household, record


def visit_input(record=None, **changes) -> services.VisitInput:
    values = {"uuid": str(uuid.uuid4()), "mode": "in_person", "location_status": "fix", "lon": HOME[0], "lat": HOME[1],
              "accuracy_m": 15.0, "records": [("elderly", record.id)] if record else [],
              "checklist": {"health": {"status": "ok", "note": ""}}}
    values.update(changes)
    return services.VisitInput(**values)


def task(user, record_id, now):
    return next(r for r in queries.task_rows(user, now=now) if r.record_id == record_id)


def test_first_visit_due_in_working_days(world):
    _units, _staff, worker, _household, record = world
    db.session.refresh(record)
    today = datetime.now(cadence.SHANGHAI).date()
    assert record.first_visit_due.astimezone(cadence.SHANGHAI).date() == workdays.add_working_days(today, 5)
    row = task(worker, record.id, cadence.now_utc())
    assert row.rank == 2 or row.rank == 1  # not overdue on day one


def test_after_a_visit_the_next_is_one_interval_later_and_tier_and_policy_move_it(world):
    _units, _staff, worker, household, record = world
    visit, created = services.log_visit(data=visit_input(record), household=household, by=worker)
    assert created and not visit.is_flagged
    now = cadence.now_utc()
    due = task(worker, record.id, now).due_at
    assert abs((due - visit.visited_at) - timedelta(days=7)) < timedelta(seconds=1)   # 高风险: weekly
    db.session.execute(update(ElderlyRecord).where(ElderlyRecord.id == record.id).values(risk_tier="key"))
    assert abs((task(worker, record.id, now).due_at - visit.visited_at) - timedelta(days=30)) < timedelta(seconds=1)
    db.session.execute(update(CadencePolicy).where(CadencePolicy.risk_tier == "key").values(interval_days=14))
    assert abs((task(worker, record.id, now).due_at - visit.visited_at) - timedelta(days=14)) < timedelta(seconds=1)


def test_a_major_change_makes_a_visit_due_within_24_hours(world):
    _units, staff, worker, household, record = world
    services.log_visit(data=visit_input(record), household=household, by=worker)
    services.note_major_change(record=record, reason="hospitalised", by=staff)
    now = cadence.now_utc()
    row = task(worker, record.id, now)
    assert row.is_major_change and row.rank == 1
    assert task(worker, record.id, now + timedelta(hours=25)).rank == 0
    services.log_visit(data=visit_input(record), household=household, by=worker)
    assert not task(worker, record.id, cadence.now_utc()).is_major_change


def test_task_list_puts_overdue_first(world):
    _units, staff, worker, household, record = world
    other = make_resident(staff, household, name="李爷爷", id_number=valid_id("19380101", "333"))
    second = care.create_elderly_record(resident=other, by=staff, data=care.ElderlyInput(
        categories=("empty_nest",), risk_tier="general", self_care=dict(SIX)))
    services.log_visit(data=visit_input(second), household=household, by=worker)
    later = cadence.now_utc() + timedelta(days=20)
    ranks = [(r.record_id, r.rank) for r in queries.task_rows(worker, now=later)]
    assert ranks == [(record.id, 0), (second.id, 2)]
    assert queries.overdue_count(worker, now=later) == 1


def test_same_uuid_twice_is_one_visit_and_altered_content_is_refused(world):
    _units, _staff, worker, household, record = world
    data = visit_input(record)
    first, created = services.log_visit(data=data, household=household, by=worker)
    again, created_again = services.log_visit(data=data, household=household, by=worker)
    assert created and not created_again and again.id == first.id
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1
    altered = visit_input(record, uuid=data.uuid, notes="改过的内容")
    with pytest.raises(Conflict):
        services.log_visit(data=altered, household=household, by=worker)


def test_far_or_no_fix_is_accepted_with_a_reason_and_flagged(world):
    _units, _staff, worker, household, record = world
    far = visit_input(record, lon=HOME[0] + 0.01)   # about 960 m east
    with pytest.raises(FieldErrors) as caught:
        services.log_visit(data=far, household=household, by=worker)
    assert "off_site_reason" in caught.value.errors
    far.off_site_reason = "在社区服务中心碰面"
    visit, _created = services.log_visit(data=far, household=household, by=worker)
    assert visit.is_flagged and 900 < visit.distance_m < 1020 and not visit.is_at_household
    denied = visit_input(record, location_status="denied", lon=None, lat=None, off_site_reason="室内无法定位")
    visit, _created = services.log_visit(data=denied, household=household, by=worker)
    assert visit.is_flagged and visit.distance_m is None
    near = visit_input(record, lon=HOME[0] + 0.0015)   # about 145 m: inside the 200 m tolerance
    visit, _created = services.log_visit(data=near, household=household, by=worker)
    assert visit.is_at_household and not visit.is_flagged


def test_photos_are_checked_by_content_and_re_encoded(world):
    _units, _staff, worker, household, record = world
    with pytest.raises(FieldErrors) as caught:
        services.log_visit(data=visit_input(record, photos=[b"this is not a picture, only named .jpg"]),
                           household=household, by=worker)
    assert "photos" in caught.value.errors
    out = io.BytesIO()
    Image.new("RGB", (3000, 2000), "green").save(out, "PNG")
    visit, _created = services.log_visit(data=visit_input(record, photos=[out.getvalue()]), household=household,
                                         by=worker)
    photo = visit.photos[0]
    assert max(photo.width, photo.height) == 1600 and photo.data[:2] == b"\xff\xd8"


def test_a_worker_cannot_log_a_visit_to_another_grids_household(client, world):
    units, staff, _worker, _household, _record = world
    theirs = make_household(staff, 120.115, 30.21)
    log_in(client, "w")
    assert client.get(f"/households/{theirs.id}/visits/new").status_code == 404
    token = csrf_from(client.get("/tasks").get_data(as_text=True))
    assert client.post(f"/households/{theirs.id}/visits/new", data={"csrf_token": token}).status_code == 404


def test_logging_through_the_page_and_resubmitting(client, world):
    _units, _staff, _worker, household, record = world
    log_in(client, "w")
    form = client.get(f"/households/{household.id}/visits/new").get_data(as_text=True)
    visit_id = form.split('name="uuid" value="')[1].split('"')[0]
    data = {"csrf_token": csrf_from(form), "uuid": visit_id, "mode": "in_person", "records": f"elderly:{record.id}",
            "location_status": "fix", "lat": str(HOME[1]), "lon": str(HOME[0]), "accuracy": "12",
            "check_health": "ok", "started_at": datetime.now(timezone.utc).isoformat()}
    first = client.post(f"/households/{household.id}/visits/new", data=data)
    second = client.post(f"/households/{household.id}/visits/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1


def test_task_list_uses_the_same_number_of_queries_for_any_length(client, world):
    units, staff, _worker, household, _record = world

    def statements():
        with sql_statements() as sent:
            assert client.get("/tasks").status_code == 200
        return len(sent)

    log_in(client, "w")
    few = statements()
    for n in range(8):
        person = make_resident(staff, household, name=f"老人{n}", id_number=valid_id("19450101", f"{n:02d}5"))
        care.create_elderly_record(resident=person, by=staff, data=care.ElderlyInput(
            categories=("empty_nest",), risk_tier="key", self_care=dict(SIX)))
    assert statements() == few


def test_coverage_counts_records_visited_in_time(world):
    units, staff, worker, household, record = world
    months = queries.coverage_by_month(units["A"], staff)
    assert len(months) == 7 and months[-1][1] == 1
    services.log_visit(data=visit_input(record), household=household, by=worker)
    assert queries.coverage_by_month(units["A"], staff)[-1][1:] == (1, 1)
    assert queries.coverage_by_grid(units["A"], staff) == {units["A1a"].id: (1, 1)}


def test_flagged_visits_wait_for_the_grid_leader(client, world):
    units, _staff, worker, household, record = world
    services.log_visit(data=visit_input(record, location_status="timeout", lon=None, lat=None,
                                        off_site_reason="电梯里没有信号"), household=household, by=worker)
    make_user("gl", "grid_leader", [units["A1a"]])
    log_in(client, "gl")
    page = client.get("/tasks").get_data(as_text=True)
    assert "电梯里没有信号" in page and 'data-testid="flagged"' in page
    visit = db.session.scalar(select(Visit))
    client.post(f"/visits/{visit.id}/confirm", data={"csrf_token": csrf_from(page)})
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).confirmed_at is not None


def test_a_phone_visit_needs_no_presence_and_is_not_flagged(world):
    _units, _staff, worker, household, record = world
    call = visit_input(record, mode="phone", location_status="denied", lon=None, lat=None)
    visit, _created = services.log_visit(data=call, household=household, by=worker)
    assert not visit.is_flagged and not visit.is_at_household


# --- regressions from the review of visits ---

def child_visit(world):
    units, staff, worker, household, _record = world
    kid = make_resident(staff, household, name="王小明", id_number=valid_id("20150601", "131"), relation="grandchild")
    child = care.create_child_record(resident=kid, by=staff, data=care.ChildInput(
        category="left_behind", risk_tier="general", guardian_name="王奶奶", guardian_relation="祖母"))
    visit, _created = services.log_visit(data=visit_input(None, records=[("child", child.id)], notes="监护人酗酒",
                                                          location_status="denied", lon=None, lat=None,
                                                          off_site_reason="孩子在学校"),
                                         household=household, by=worker)
    return child, visit


def test_grid_leaders_see_nothing_of_visits_about_children(client, world):
    units, _staff, _worker, household, _record = world
    child, visit = child_visit(world)
    leader = make_user("gl", "grid_leader", [units["A1a"]])
    assert queries.visit_in_scope(leader, visit.id) is None
    assert queries.household_visits(leader, household.id) == []
    assert queries.flagged_visits(leader) == []
    log_in(client, "gl")
    assert client.get(f"/visits/{visit.id}").status_code == 404
    assert "孩子在学校" not in client.get("/tasks").get_data(as_text=True)
    token = csrf_from(client.get("/tasks").get_data(as_text=True))
    assert client.post(f"/children/{child.id}/major-change", data={"csrf_token": token,
                                                                   "reason": "bereaved"}).status_code == 404
    staff_view = queries.flagged_visits(make_user("c2", "community_staff", [units["A1"]]))
    assert [v.id for v in staff_view] == [visit.id]   # community staff confirm it instead


def test_the_phones_clock_cannot_move_a_visit_into_the_future_or_far_back(world):
    _units, _staff, worker, household, record = world
    now = datetime.now(timezone.utc)
    ahead, _ = services.log_visit(data=visit_input(record, client_started_at=now + timedelta(hours=23)),
                                  household=household, by=worker)
    behind, _ = services.log_visit(data=visit_input(record, client_started_at=now - timedelta(days=29)),
                                   household=household, by=worker)
    for visit in (ahead, behind):
        assert abs(visit.visited_at - visit.received_at) < timedelta(seconds=5)
    assert ahead.client_started_at > now   # the phone's own time is kept as sent


def test_the_same_record_twice_is_a_field_error_not_a_crash(world):
    _units, _staff, worker, household, record = world
    with pytest.raises(FieldErrors) as caught:
        services.log_visit(data=visit_input(record, records=[("elderly", record.id)] * 2), household=household,
                           by=worker)
    assert "records" in caught.value.errors


def test_a_policy_change_moves_the_first_visit_of_records_not_yet_visited(world):
    _units, admin_like, _worker, _household, record = world
    db.session.refresh(record)
    before = record.first_visit_due
    policy = db.session.scalar(select(CadencePolicy).where(CadencePolicy.risk_tier == "high"))
    admin = make_user("boss", "admin")
    services.update_policy(policy=policy, version=policy.version, interval_days=7, window_before_days=1,
                           window_after_days=1, first_visit_working_days=1, by=admin)
    db.session.refresh(record)
    assert record.first_visit_due < before
    assert admin_like
