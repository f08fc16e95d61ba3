"""Pinned statement counts for the hot paths (issue 8): each page is asked for
with a little data in the user's scope and again with much more (and some
outside it), and must send the same number of SQL statements both times (no
N+1) and exactly the pinned number, so that adding a query is a conscious
change: update the pin and its comment together.

Every count comes after the same request once, so what the first request
after a while brings (the working calendar's reload, the login session's
touch) never falls in it, whatever ran before."""
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

import pytest

from grid.disputes import services as dispute_services
from grid.events import services as event_services
from grid.extensions import db
from grid.registry import care
from grid.visits import services as visit_services
from tests.events.conftest import category
from tests.factories import (PASSWORD, box, csrf_from, log_in, make_district, make_household, make_resident,
                             make_unit, make_user, sql_statements, valid_id)

FEW, MANY = 2, 12
SIX = {item: "able" for item in ("eating", "dressing", "transfer", "toilet", "walking", "bathing")}
HOME = (120.105, 30.21)
A1A, B1A = (120.1, 30.2), (120.12, 30.2)   # south-west corners of grids A1a and B1a


class World(dict):
    __getattr__ = dict.__getitem__


@pytest.fixture
def world(ctx):
    units = make_district()
    w = World(units=units, size=0,
              worker=make_user("w", "grid_worker", [units["A1a"]]),
              worker_b=make_user("wb", "grid_worker", [units["B1a"]]),
              community=make_user("c", "community_staff", [units["A1"]]),
              community_b=make_user("cb", "community_staff", [units["B1"]]),
              street=make_user("s", "street_staff", [units["A"]]))
    w.home = make_household(w.community, *HOME, address="朝晖路8号")
    w.event = report(w.worker, A1A, 0)
    event_services.act(event=w.event, by=w.community, data=event_services.ActionInput(
        action="sign", version=w.event.version))
    return w


# --- data in scope and out of it, through the real services ---------------------

def spot(corner, n: int) -> tuple[float, float]:
    """The n-th of a row of points inside the grid with this south-west corner."""
    return corner[0] + 0.001 + 0.0006 * (n % 12), corner[1] + 0.002 + 0.0015 * (n // 12)


def report(by, corner, n: int):
    event, _created = event_services.report_event(by=by, data=event_services.EventInput(
        uuid=str(uuid.uuid4()), category_id=category("fire_escape").id, source="patrol", priority="normal",
        description="楼道堆放杂物堵塞消防通道", address=f"朝晖路{n}号", lon=spot(corner, n)[0], lat=spot(corner, n)[1]))
    return event


def register(by, corner, n: int, owner, mediator):
    lon, lat = spot(corner, n)
    dispute, _created = dispute_services.register_dispute(by=by, data=dispute_services.DisputeInput(
        uuid=str(uuid.uuid4()), type="neighbour", source="request", level="ordinary", lon=lon, lat=lat,
        address=f"朝晖路{n}号", people_involved=2, facts="楼上漏水损坏楼下吊顶", claims="要求赔偿维修费",
        parties=[dispute_services.PartyInput(role="applicant", name=f"李梅{n}", phone="13812345678"),
                 dispute_services.PartyInput(role="respondent", name=f"王强{n}")],
        stability_owner_id=owner.id, mediator_ids=[mediator.id]))
    return dispute


def elder_and_child(staff, household, n: int):
    """An elder with an open elderly record and a child with an open child record."""
    serial = f"{n % 500:03d}"
    elder = make_resident(staff, household, name=f"老人{n}", id_number=valid_id(f"{1940 + n // 500}0105", serial))
    child = make_resident(staff, household, name=f"孩子{n}", id_number=valid_id(f"{2015 - n // 500}0601", serial))
    elderly = care.create_elderly_record(resident=elder, by=staff, data=care.ElderlyInput(
        categories=("living_alone",), risk_tier="high", self_care=dict(SIX)))
    kid = care.create_child_record(resident=child, by=staff, data=care.ChildInput(
        category="left_behind", risk_tier="general", guardian_name="王奶奶", guardian_relation="祖母"))
    return elderly, kid


def grow(w, to: int, kinds: frozenset[str]) -> None:
    """Bring each of these kinds of data to `to` items in scope, and a few in
    the neighbouring community, out of scope: households (each with an elder
    and a child on record, visited once off site, so the visit is flagged),
    the home household's elders and children on record, events waiting for the
    community, steps on the signed-for event, disputes, communities of a grid."""
    for n in range(w.size, to):
        outside = n % 4 == 0
        if "households" in kinds:
            lon, lat = spot(A1A, n)
            household = make_household(w.community, lon, lat, address=f"朝晖路{n}号", tags=("dibao",))
            elderly, _kid = elder_and_child(w.community, household, n)
            visit_services.log_visit(household=household, by=w.worker, data=visit_services.VisitInput(
                uuid=str(uuid.uuid4()), mode="in_person", records=[("elderly", elderly.id)], location_status="fix",
                lon=lon + 0.01, lat=lat, accuracy_m=15.0, off_site_reason="在社区服务中心碰面",
                checklist={"health": {"status": "ok", "note": ""}}))
            if outside:
                elder_and_child(w.community_b, make_household(w.community_b, *spot(B1A, n), address=f"潮王路{n}号",
                                                              tags=("dibao",)), 1000 + n)
        if "home" in kinds:
            elder_and_child(w.community, w.home, 500 + n)
        if "events" in kinds:
            report(w.worker, A1A, n)
            if outside:
                report(w.worker_b, B1A, n)
        if "timeline" in kinds:
            event_services.act(event=w.event, by=w.street, data=event_services.ActionInput(
                action="supervise", version=w.event.version, note=f"请抓紧处理{n}"))
        if "disputes" in kinds:
            register(w.worker, A1A, n, w.worker, w.community)
            if outside:
                register(w.worker_b, B1A, n, w.worker_b, w.community_b)
        if "grids" in kinds:   # a community of one grid, north of the district
            area = box(120.10 + 0.001 * n, 30.23, 120.101 + 0.001 * n, 30.24)
            make_unit(f"T01{n + 10}01", "grid", area, make_unit(f"T01{n + 10}", "community", area, w.units["A"]))
    db.session.commit()
    w.size = to


# --- the hot paths ---------------------------------------------------------------

@dataclass
class Group:
    """Pages one user asks for over the same kinds of data, each with its pin:
    {name: (request, statements, pattern)} where the request is (client, world) -> a
    function sending it (what it needs first, such as a form, is not counted)."""
    user: str | None                      # None: nobody logged in
    kinds: frozenset[str]
    pins: dict[str, tuple[Callable, int, str | None]]   # and a pattern the page shows once per item


def get(url: Callable) -> Callable:
    return lambda client, w: lambda: client.get(url(w))


def redirected(response):
    assert response.status_code == 302, response.get_data(as_text=True)[:500]   # not the form again
    return response


def post_login(client, _w):
    """A fresh browser logging in (its login page, for the CSRF token, is not counted)."""
    fresh = client.application.test_client()
    token = csrf_from(fresh.get("/login").get_data(as_text=True))
    return lambda: redirected(fresh.post("/login", data={"username": "c", "password": PASSWORD, "csrf_token": token}))


def post_visit(client, w):
    """A visit to the home household covering every open record in it (the form is not counted)."""
    form = client.get(f"/households/{w.home.id}/visits/new").get_data(as_text=True)
    records = sorted(set(part.split('"')[0] for part in form.split('name="records" value="')[1:]))
    assert len(records) == 2 * w.size
    return lambda: redirected(client.post(f"/households/{w.home.id}/visits/new", data={
        "csrf_token": csrf_from(form), "uuid": str(uuid.uuid4()), "mode": "in_person", "records": records,
        "location_status": "fix", "lat": str(HOME[1]), "lon": str(HOME[0]), "accuracy": "12",
        "check_health": "ok", "started_at": datetime.now(timezone.utc).isoformat()}))


def unit_a(rest: str) -> Callable:
    return get(lambda w: f"/units/{w.units['A'].id}{rest}")


EVERYTHING = frozenset({"households", "events", "disputes", "grids"})
# What a page shows once per item, to check that it did list what grew.
HOUSEHOLD_ROW, EVENT_LINK, DISPUTE_LINK = 'data-testid="household-row"', r'href="/events/\d+"', r'href="/disputes/\d+"'
FEATURE = r'"type": ?"Feature"'

# Each pin counts the statements of one request. Two of them in every count
# are the tests' own: the request's transaction is a savepoint here
# ("savepoint … release"). Pages of a logged-in user begin with their login
# session, which brings the user and their scope in the same statement
# ("session"); pages of the roles with a task list end with the header's
# unread notifications and overdue badge ("badges"; street office staff have
# no task list: notifications only, "badge").
GROUPS = {
    "login": Group(None, frozenset(), {
        # An anonymous page: nothing.
        "GET /login": (get(lambda w: "/login"), 0, None),
        # Savepoint, advisory lock, throttles by address and by user around the user, the attempt, last login,
        # audit, the new session, release; savepoint, the user again after that commit, release.
        "POST /login": (post_login, 13, None),
    }),
    "tasks": Group("w", frozenset({"households", "disputes"}), {
        # Savepoint, session, task rows, badges, events to verify, dispute tasks, their grids, release.
        "GET /tasks": (get(lambda w: "/tasks"), 9, 'data-testid="task"'),
    }),
    "tasks with flagged visits": Group("c", frozenset({"households", "disputes"}), {
        # Savepoint, session, task rows, flagged visits, their households, badges, dispute tasks, their grids,
        # release.
        "GET /tasks": (get(lambda w: "/tasks"), 10, r'href="/visits/\d+"'),
    }),
    "households": Group("c", frozenset({"households"}), {
        # Savepoint, session, the page, its residents and grids (selectin), the count, care flags, badges,
        # release: the same whatever the filter.
        "GET /households": (get(lambda w: "/households"), 10, HOUSEHOLD_ROW),
        "?q= an address": (get(lambda w: "/households?q=朝晖路"), 10, HOUSEHOLD_ROW),
        "?q= a resident": (get(lambda w: "/households?q=老人"), 10, HOUSEHOLD_ROW),
        "?tag=": (get(lambda w: "/households?tag=dibao"), 10, HOUSEHOLD_ROW),
        "?care=elderly": (get(lambda w: "/households?care=elderly"), 10, HOUSEHOLD_ROW),
        "?care=child": (get(lambda w: "/households?care=child"), 10, HOUSEHOLD_ROW),
        "?unit=": (get(lambda w: f"/households?unit={w.units['A1a'].id}"), 10, HOUSEHOLD_ROW),
    }),
    "household page": Group("c", frozenset({"home"}), {
        # Savepoint, session, household with its grid and community, residents, elderly records, child
        # records, badges, visits, the audit of the child records shown, release.
        "GET /households/<id>": (get(lambda w: f"/households/{w.home.id}"), 11, 'data-testid="member"'),
    }),
    "visit": Group("w", frozenset({"home"}), {
        # Savepoint, session, household with its grid and community, residents, open records, the uuid, the
        # records checked, distance; savepoint, visit, its records (one insert), release; last visit per kind
        # of record (2), audit, release; savepoint, the visit after that commit, release.
        "POST /households/<id>/visits/new": (post_visit, 19, None),
    }),
    "events": Group("c", frozenset({"events", "timeline"}), {
        # Savepoint, session, the page, its grids and categories (selectin), the count, the category tree,
        # badges, release.
        "GET /events": (get(lambda w: "/events"), 10, EVENT_LINK),
        "GET /events?tab=open": (get(lambda w: "/events?tab=open"), 10, EVENT_LINK),
        # Savepoint, session, event, notifications read, release; savepoint, event, its grid, reporter and
        # units (after that commit), timeline with actors and their units (selectin), photos, departments,
        # badges, category, release.
        "GET /events/<id>": (get(lambda w: f"/events/{w.event.id}"), 21, "timeline-item"),
    }),
    "disputes": Group("c", frozenset({"disputes"}), {
        # Savepoint, session, the page, its grids (selectin), the count, the units to filter by, badges,
        # release.
        "GET /disputes": (get(lambda w: "/disputes"), 9, DISPUTE_LINK),
    }),
    "dashboard": Group("s", EVERYTHING, {
        # Savepoint, session, unit, badge, release; the cards come by htmx.
        "GET /units/<id>/dashboard": (unit_a("/dashboard"), 5, None),
        # Savepoint, session, unit, the card's own queries, release.
        "card headline": (unit_a("/dashboard/headline"), 7, None),        # disputes, care, events
        "card visits": (unit_a("/dashboard/visits"), 7, None),            # months to roll up, rollup, live month
        **{f"card {card}": (unit_a(f"/dashboard/{card}"), 5, "data-unit-dashboard" if card == "units" else None)
           for card in ("events", "units", "disputes", "care")},                                 # one query
    }),
    "map": Group("s", EVERYTHING, {
        # Savepoint, session, unit, the layer in one query, release.
        **{f"areas {measure}": (unit_a(f"/map/areas.json?measure={measure}"), 5, FEATURE)
           for measure in ("overdue_events", "open_events", "visit_coverage", "open_disputes", "elderly_records",
                           "child_records")},
        "areas per community": (unit_a("/map/areas.json?measure=open_events&level=community"), 5, FEATURE),
        # Counted per grid (zoom 12), per cluster (15), one by one (17).
        **{f"points {layer} zoom {zoom}": (unit_a(f"/map/points.json?layer={layer}&zoom={zoom}"), 5,
                                           FEATURE if zoom == 17 else None)
           for layer in ("events", "disputes", "care") for zoom in (12, 15, 17)},
    }),
}


def statements(client, w, ask: Callable):
    ask(client, w)()                        # warm: what comes once in a while stays out of the count
    send = ask(client, w)
    with sql_statements() as sent:
        response = send()
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:500]
    return len(sent), response.get_data(as_text=True)


@pytest.mark.parametrize("name", GROUPS)
def test_hot_paths_take_the_pinned_statements_at_any_size(app, world, name):
    group = GROUPS[name]
    client = app.test_client()
    if group.user:
        log_in(client, group.user)
    counts, shown = {}, {}
    for size in (FEW, MANY):
        grow(world, size, group.kinds)
        for path, (ask, _pin, pattern) in group.pins.items():
            count, page = statements(client, world, ask)
            counts.setdefault(path, []).append(count)
            shown[path] = len(re.findall(pattern, page)) >= MANY if pattern else True
    assert shown == dict.fromkeys(group.pins, True)
    assert counts == {path: [pin, pin] for path, (_ask, pin, _pattern) in group.pins.items()}
