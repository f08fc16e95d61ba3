"""A small world for the map tests, with numbers worked out by hand.

The test district (tests/factories.make_district): street A = community A1 =
grids A1a | A1b; street B = community B1 = grids B1a | B1b. Relative to NOW:

  grid  events (state, light)                          disputes        elderly / child records     coverage (all / no child)
  A1a   red, yellow, green, closed, standing            open, archived  2 open + 1 closed / 1 open  3/3 / 2/2
  A1b   red                                             -               2 open / -                  0/2 / 0/2
  B1a   red, red                                        open            1 open / -                  1/1
  B1b   -                                               -               -                           -

So for street A: overdue A1a 1, A1b 1; open events A1a 3 (red 1, yellow 1,
green 1), A1b 1 (red 1); open disputes A1a 1; elderly A1a 2, A1b 2; children
A1a 1; coverage A1a 3/3 (100 %), A1b 0/2 (0 %), community A1 3/5 (60 %)."""
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from grid.disputes import services as dispute_services
from grid.disputes.models import Dispute
from grid.events import services as event_services
from grid.events.models import Event, EventCategory
from grid.extensions import db
from grid.registry.care_models import ChildRecord, ElderlyRecord
from grid.visits.models import Visit, VisitRecord
from tests.factories import make_district, make_household, make_resident, make_user, valid_id

NOW = datetime.now(UTC).replace(microsecond=0)
IN = {"A1a": (120.105, 30.21), "A1b": (120.115, 30.21), "B1a": (120.125, 30.21), "B1b": (120.135, 30.21)}

# Everything personal the world holds: no map response may contain any of it.
PEOPLE = {
    "names": ["李梅", "王小明", "周建国", "钱秀英", "孙大海", "赵大爷", "王强", "吴桂兰"],
    "phones": ["13812345678", "13900001111", "13711112222", "13655556666", "13544443333"],
    "addresses": ["朝晖路8号3单元402室", "朝晖路10号", "潮王路5号", "和睦路99号", "大关路7号2幢", "德胜路1号"],
    "ids": [valid_id("19450312"), valid_id("20150601", "246"), valid_id("19380101", "135")],
}


class World(dict):
    __getattr__ = dict.__getitem__


def elderly(resident, *, status="open", created_days_ago=0, tier="key") -> ElderlyRecord:
    record = ElderlyRecord(resident_id=resident.id, risk_tier=tier, categories=["empty_nest"], status=status,
                           closed_at=NOW if status == "closed" else None)
    db.session.add(record)
    db.session.flush()
    if created_days_ago:
        db.session.execute(update(ElderlyRecord).where(ElderlyRecord.id == record.id)
                           .values(created_at=NOW - timedelta(days=created_days_ago)))
    return record


def child(resident) -> ChildRecord:
    record = ChildRecord(resident_id=resident.id, risk_tier="general", category="left_behind",
                         guardian_name="吴桂兰", guardian_relation="grandparent", guardian_phone="13544443333")
    db.session.add(record)
    db.session.flush()
    return record


def visit(household, record, by, days_ago: int) -> None:
    at = NOW - timedelta(days=days_ago)
    v = Visit(uuid=uuid.uuid4(), payload_hash="0" * 64, household_id=household.id, grid_id=household.grid_id,
              visitor_id=by.id, mode="in_person", visited_at=at, location_status="fix")
    db.session.add(v)
    db.session.flush()
    db.session.add(VisitRecord(visit_id=v.id, kind=record.kind, record_id=record.id))
    record.last_visit_at = at          # as visits.services keeps it


def event(by, grid: str, *, state="handling", due_in=None, yellow_in=None) -> Event:
    category = db.session.scalar(select(EventCategory).where(EventCategory.code == "fire_escape"))
    lon, lat = IN[grid]
    made, _created = event_services.report_event(data=event_services.EventInput(
        uuid=str(uuid.uuid4()), category_id=category.id, description="楼道堆放杂物，住户孙大海反映",
        address="朝晖路10号", lon=lon, lat=lat, requester_name="赵大爷", requester_phone="13711112222"),
        by=by, now=NOW - timedelta(days=3))
    made.state = state
    made.due_at = None if due_in is None else NOW + due_in
    made.yellow_at = None if yellow_in is None else NOW + yellow_in
    if state == "closed":
        made.closed_at = NOW
    db.session.commit()
    return made


def dispute(world, by, grid: str, *, archived=False) -> Dispute:
    lon, lat = IN[grid]
    made, _created = dispute_services.register_dispute(data=dispute_services.DisputeInput(
        uuid=str(uuid.uuid4()), type="neighbour", source="request", level="ordinary", lon=lon, lat=lat,
        address="潮王路5号", people_involved=2, facts="周建国家漏水损坏楼下吊顶", claims="赔偿维修费",
        parties=[dispute_services.PartyInput(role="applicant", name="周建国", phone="13655556666",
                                             address="潮王路5号", id_number=PEOPLE["ids"][2]),
                 dispute_services.PartyInput(role="respondent", name="王强", address="和睦路99号")],
        stability_owner_id=by.id, mediator_ids=[]), by=by, now=NOW - timedelta(days=2))
    if archived:
        made.state = "archived"
        made.archived_at = NOW
        db.session.commit()
    return made


@pytest.fixture
def world(ctx):
    u = make_district()
    w = World(units=u,
              worker=make_user("w", "grid_worker", [u["A1a"]]),
              worker_b=make_user("wb", "grid_worker", [u["A1b"]]),
              worker_bb=make_user("wbb", "grid_worker", [u["B1a"]]),
              leader=make_user("gl", "grid_leader", [u["A1a"]]),
              community=make_user("c", "community_staff", [u["A1"]], full_name="刘芳"),
              community_b=make_user("cb", "community_staff", [u["B1"]]),
              street=make_user("s", "street_staff", [u["A"]], full_name="陈刚"),
              street_b=make_user("sb", "street_staff", [u["B"]]),
              director=make_user("cd", "children_director", [u["A1"]]),
              handler=make_user("h", "department_handler"),
              auditor=make_user("au", "auditor"),
              admin=make_user("adm", "admin"))
    # Households and care records.
    h1 = make_household(w.worker, *IN["A1a"], address="朝晖路8号3单元402室", phone="13812345678")
    li = make_resident(w.worker, h1, name="李梅", id_number=PEOPLE["ids"][0], relation="head", phone="13900001111")
    ming = make_resident(w.worker, h1, name="王小明", id_number=PEOPLE["ids"][1], relation="grandchild")
    h2 = make_household(w.worker, 120.106, 30.211, address="大关路7号2幢")
    qian = make_resident(w.worker, h2, name="钱秀英", relation="head")
    sun = make_resident(w.worker, h2, name="孙大海", relation="spouse")
    h3 = make_household(w.worker_b, *IN["A1b"], address="德胜路1号")
    wu = make_resident(w.worker_b, h3, name="吴桂兰", relation="head")
    zhao = make_resident(w.worker_b, h3, name="赵大爷", relation="spouse")
    h4 = make_household(w.worker_bb, *IN["B1a"], address="和睦路99号")
    wang = make_resident(w.worker_bb, h4, name="王强", relation="head")
    elderly(li)                                                    # new: first visit not yet due, covered
    child(ming)                                                    # new: covered (not for roles without children)
    old = elderly(qian, created_days_ago=100)
    visit(h2, old, w.worker, days_ago=5)                           # visited in time: covered
    elderly(sun, status="closed")                                  # closed: counts nowhere
    elderly(wu, created_days_ago=100)                              # never visited: not covered
    late = elderly(zhao, created_days_ago=300)
    visit(h3, late, w.worker_b, days_ago=200)                      # visited long ago: not covered
    elderly(wang)                                                  # street B
    db.session.commit()
    # Events.
    hour, day = timedelta(hours=1), timedelta(days=1)
    event(w.worker, "A1a", due_in=-hour, yellow_in=-day)                 # red
    event(w.worker, "A1a", due_in=day, yellow_in=-hour)                  # yellow
    event(w.worker, "A1a", due_in=3 * day, yellow_in=2 * day)            # green
    event(w.worker, "A1a", state="closed")
    event(w.worker, "A1a", state="standing")
    event(w.worker_b, "A1b", due_in=-day, yellow_in=-2 * day)            # red
    event(w.worker_bb, "B1a", due_in=-day, yellow_in=-2 * day)           # red, street B
    event(w.worker_bb, "B1a", due_in=-hour, yellow_in=-day)              # red, street B
    # Disputes.
    dispute(w, w.worker, "A1a")
    dispute(w, w.worker, "A1a", archived=True)
    dispute(w, w.worker_bb, "B1a")
    return w
