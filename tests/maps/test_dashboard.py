"""The dashboard on real PostGIS: every number against a hand-built district
(events, disputes, care records and coverage), the month switch, scope (other
streets and communities never counted, 404 for what is out of scope, children's
numbers only for the roles that may see them), every link on the page
resolves, and a fixed number of statements however many units there are."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from shapely.geometry import box
from sqlalchemy import update

from grid import workdays
from grid.disputes import services as dispute_services
from grid.events import services as event_services
from grid.extensions import db
from grid.maps import dashboard, dashboard_cards, dashboard_views
from grid.registry import care
from grid.registry.care_models import ChildRecord, ElderlyRecord
from grid.registry.vocab import CHILD_CATEGORIES
from grid.visits import queries as visit_queries
from grid.visits import services as visit_services
from tests.disputes.conftest import act as dispute_act
from tests.disputes.conftest import add_agreement, dispute_input
from tests.events.conftest import act as event_act
from tests.events.conftest import event_input
from tests.visits.test_visits import visit_input
from tests.factories import (log_in, make_household, make_resident, make_unit, make_user, make_district,
                             sql_statements, valid_id)

SH = workdays.SHANGHAI
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=SH)            # a working day
FRIDAY = MONDAY + timedelta(days=4)                         # the dashboard's "now" in the events and disputes tests
OCTOBER_20 = datetime(2026, 10, 20, 9, 0, tzinfo=SH)
A_YEAR_AGO = datetime(2025, 11, 20, 9, 0, tzinfo=SH)        # before the 12-month window (December 2025 onwards)
IN_A1A, IN_A1B, IN_A2A, IN_B1A = (120.105, 30.21), (120.115, 30.21), (120.11, 30.225), (120.125, 30.21)
SIX = {item: "able" for item in ("eating", "dressing", "transfer", "toilet", "walking", "bathing")}


class World(dict):
    __getattr__ = dict.__getitem__


@pytest.fixture
def world(ctx):
    """Street A with communities A1 (grids A1a, A1b) and A2 (grid A2a); street B with B1."""
    units = make_district()
    units["A2"] = make_unit("T0102", "community", box(120.10, 30.22, 120.12, 30.23).wkt, units["A"])
    units["A2a"] = make_unit("T010201", "grid", box(120.10, 30.22, 120.12, 30.23).wkt, units["A2"])
    db.session.commit()
    return World(
        units=units,
        worker=make_user("w", "grid_worker", [units["A1a"]]), worker_b=make_user("wb", "grid_worker", [units["A1b"]]),
        worker_a2=make_user("w2", "grid_worker", [units["A2a"]]),
        worker_street_b=make_user("wsb", "grid_worker", [units["B1a"]]),
        leader=make_user("gl", "grid_leader", [units["A1a"], units["A1b"]]),
        community=make_user("c", "community_staff", [units["A1"]]),
        committee=make_user("c2", "community_staff", [units["A1"]]),
        community_a2=make_user("ca2", "community_staff", [units["A2"]]),
        community_b=make_user("cb", "community_staff", [units["B1"]]),
        street=make_user("s", "street_staff", [units["A"]]), street_b=make_user("sb", "street_staff", [units["B"]]),
        director=make_user("cd", "children_director", [units["A1"]]),
        admin=make_user("adm", "admin"), auditor=make_user("aud", "auditor"),
    )


@pytest.fixture
def at_friday(monkeypatch):
    monkeypatch.setattr(dashboard_views, "now_utc", lambda: FRIDAY)


# --- the hand-built records ---------------------------------------------------

def report(by, point, when, **changes):
    event, _created = event_services.report_event(data=event_input(point, **changes), by=by, now=when)
    return event


def close(event, holder, verifier, *, sign_at, result_at, verify_at):
    event_act(event, holder, "sign", sign_at)
    event_act(event, holder, "report_result", result_at, note="已处理")
    event_act(event, verifier, "verify_close", verify_at, satisfaction="satisfied")
    return event


def street_a_events(world):
    """Street A's events (and one of street B), worked out in the tests below.

    A1a  reported a year ago, closed 24 Nov on time (closed in the window, not received in it)
    A1a  reported 26 Oct, closed 23 Nov on time
    A1a  reported and closed 23 Nov on time
    A1b  reported 23 Nov, signed for late on Wednesday, closed
    A1b  reported 23 Nov, never signed for: overdue (red) on Friday
    A2a  reported 23 Nov, never signed for: red
    A1a  reported Friday 08:30: green
    B1a  reported 23 Nov, never signed for: street B's
    """
    w, wb, c = world.worker, world.worker_b, world.community
    hour = timedelta(hours=1)
    close(report(w, IN_A1A, A_YEAR_AGO), c, w, sign_at=A_YEAR_AGO + hour, result_at=A_YEAR_AGO + 2 * hour,
          verify_at=MONDAY + timedelta(days=1))
    october = datetime(2026, 10, 26, 9, 0, tzinfo=SH)
    close(report(w, IN_A1A, october), c, w, sign_at=october + hour, result_at=october + 3 * hour, verify_at=MONDAY)
    close(report(w, IN_A1A, MONDAY), c, w, sign_at=MONDAY + hour, result_at=MONDAY + 2 * hour,
          verify_at=MONDAY + 3 * hour)
    wednesday = MONDAY + timedelta(days=2, hours=1)
    late = close(report(wb, IN_A1B, MONDAY), c, wb, sign_at=wednesday, result_at=wednesday + hour,
                 verify_at=wednesday + 2 * hour)
    assert late.late_steps == 1
    red = report(wb, IN_A1B, MONDAY)
    red_a2 = report(world.worker_a2, IN_A2A, MONDAY)
    green = report(w, IN_A1A, FRIDAY - timedelta(minutes=30))
    report(world.worker_street_b, IN_B1A, MONDAY)
    assert red.due_at <= FRIDAY and red_a2.due_at <= FRIDAY and green.yellow_at > FRIDAY


def register(world, when, *, point=IN_A1A, by=None, **changes):
    data = dispute_input(world, point=point, **{"stability_owner_id": world.community.id, **changes})
    dispute, _created = dispute_services.register_dispute(data=data, by=by or world.community, now=when)
    return dispute


def conclude(world, dispute, outcome, *, outcome_at, approved_at):
    if outcome in ("agreement", "partial"):
        add_agreement(dispute, world.community, outcome_at)
    dispute_act(dispute, world.community, "record_outcome", outcome_at, outcome=outcome, note="结果说明")
    dispute_act(dispute, world.committee, "approve", approved_at)
    return dispute


def street_a_disputes(world):
    """neighbour A1a 23 Nov, agreement approved 26 Nov (follow-up: open)
    family    A1a 23 Nov, partly agreed, approved (open)
    neighbour A1b 20 Oct, mediating past its time limit (overdue)
    wages     A1b 20 Oct, mediation failed, approved 24 Nov (archived)
    housing   A1a a year ago, mediating past its limit (open, overdue, not registered in the window)
    other     B1a: street B's"""
    days = timedelta(days=1)
    conclude(world, register(world, MONDAY), "agreement", outcome_at=MONDAY + 2 * days, approved_at=MONDAY + 3 * days)
    conclude(world, register(world, MONDAY, type="family"), "partial", outcome_at=MONDAY + 2 * days,
             approved_at=MONDAY + 3 * days)
    register(world, OCTOBER_20, point=IN_A1B)
    failed = conclude(world, register(world, OCTOBER_20, point=IN_A1B, type="wages"), "failed", outcome_at=MONDAY,
                      approved_at=MONDAY + days)
    register(world, A_YEAR_AGO, type="housing")
    register(world, MONDAY, point=IN_B1A, by=world.community_b, type="other", stability_owner_id=world.community_b.id,
             mediator_ids=[world.community_b.id])
    assert failed.state == "archived"


def care_records(world):
    """Open care records in street A: an elderly person in two categories,
    long overdue for a visit; a new one (first visit not yet due); a child
    long overdue. Closed records and street B's never count."""
    c = world.community
    home = make_household(c, *IN_A1A, address="朝晖路8号")
    long_ago = datetime.now(SH) - timedelta(days=100)
    old = care.create_elderly_record(resident=make_resident(c, home, "王奶奶", valid_id("19400105", "124")), by=c,
                                     data=care.ElderlyInput(categories=("living_alone", "oldest_old"),
                                                            risk_tier="high", self_care=dict(SIX)))
    care.create_elderly_record(resident=make_resident(c, home, "李爷爷", valid_id("19420305", "133")), by=c,
                               data=care.ElderlyInput(categories=("empty_nest",), risk_tier="general",
                                                      self_care=dict(SIX)))
    closed = care.create_elderly_record(resident=make_resident(c, home, "赵奶奶", valid_id("19390101", "222")), by=c,
                                        data=care.ElderlyInput(categories=("living_alone",), risk_tier="key",
                                                               self_care=dict(SIX)))
    care.close_record(record=closed, version=closed.version, reason="moved_away", note="迁居", by=c)
    child = care.create_child_record(resident=make_resident(c, home, "王小明", valid_id("20150601", "131")), by=c,
                                     data=care.ChildInput(category="left_behind", risk_tier="general",
                                                          guardian_name="王奶奶", guardian_relation="祖母"))
    elsewhere = make_household(world.community_b, *IN_B1A, address="新村路1号")
    care.create_elderly_record(resident=make_resident(world.community_b, elsewhere, "钱爷爷", valid_id("19380101", "311")),
                               by=world.community_b, data=care.ElderlyInput(categories=("living_alone",),
                                                                            risk_tier="high", self_care=dict(SIX)))
    for model, record in ((ElderlyRecord, old), (ChildRecord, child), (ElderlyRecord, closed)):
        db.session.execute(update(model).where(model.id == record.id)
                           .values(created_at=long_ago, first_visit_due=long_ago + timedelta(days=5)))
    # Closed long ago too: a record closed this very moment still counts in this month's coverage.
    db.session.execute(update(ElderlyRecord).where(ElderlyRecord.id == closed.id)
                       .values(closed_at=long_ago + timedelta(days=1)))
    db.session.commit()
    return World(home=home, old=old, child=child)


# --- reading the page ---------------------------------------------------------

def signed_in(client, username: str):
    other = client.application.test_client()
    log_in(other, username)
    return other


def card_html(html: str, name: str) -> str:
    start = html.index(f'data-testid="dashboard-{name}"')
    return html[start:html.index("</section>", start)]


def numbers(fragment: str) -> dict[str, str]:
    """Every data-number element's text (links and tags stripped), by name."""
    found = re.findall(r'data-number="([\w-]+)">(.*?)</(?:dd|td|span|strong|a)>', fragment, re.S)
    return {name: re.sub(r"<[^>]+>", "", value).strip() for name, value in found}


def tiles(fragment: str) -> dict[str, str]:
    """The card's number tiles (its first <dl>)."""
    start = fragment.index("<dl")
    return numbers(fragment[start:fragment.index("</dl>", start)])


def rows(fragment: str, testid: str) -> dict[str, str]:
    """A bar list's rows: the data-row key and its number."""
    start = fragment.index(f'data-testid="{testid}"')
    part = fragment[start:fragment.index("</ul>", start)]
    return dict(re.findall(r'data-number="([\w-]+)">([^<]*)<', part))


def month_rows(fragment: str, testid: str) -> dict[str, dict[str, str]]:
    start = fragment.index(f'data-testid="{testid}"')
    part = fragment[start:fragment.index("</table>", start)]
    return {month: numbers(row) for month, row in re.findall(r'<tr data-month="([\d-]+)">(.*?)</tr>', part, re.S)}


def printed(client, unit, **args) -> str:
    response = client.get(f"/units/{unit.id}/dashboard/print", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- the numbers ----------------------------------------------------------------

def test_month_windows_are_shanghai_months_ending_with_this_one():
    # 1 January 01:00 in Shanghai is still 31 December in UTC.
    window = dashboard.month_window(6, datetime(2026, 12, 31, 17, 0, tzinfo=timezone.utc))
    assert [m.isoformat() for m in window.months] == ["2026-08-01", "2026-09-01", "2026-10-01", "2026-11-01",
                                                      "2026-12-01", "2027-01-01"]
    assert (window.start, window.end) == (datetime(2026, 8, 1, tzinfo=SH), datetime(2027, 2, 1, tzinfo=SH))
    assert len(dashboard.month_window(12, FRIDAY).months) == 12
    assert dashboard.month_window(7, FRIDAY) == dashboard.month_window(12, FRIDAY)   # only 6 or 12


def test_events_received_closed_on_time_and_overdue(client, world, at_friday):
    street_a_events(world)
    html = printed(signed_in(client, "s"), world.units["A"])

    trend = card_html(html, "events")
    assert (tiles(trend)["received"], tiles(trend)["closed"]) == ("6", "4")
    months = month_rows(trend, "events-table")
    assert len(months) == 12 and list(months)[0] == "2025-12-01"
    assert months["2026-10-01"] == {"received": "1", "closed": "0"}
    assert months["2026-11-01"] == {"received": "5", "closed": "4"}
    assert all(m == {"received": "0", "closed": "0"} for key, m in months.items() if key < "2026-10-01")

    head = numbers(card_html(html, "headline"))
    assert (head["overdue_events"], head["open_events"]) == ("2", "3")
    assert (head["light-red"], head["light-yellow"], head["light-green"]) == ("2", "0", "1")

    units = card_html(html, "units")
    a1, a2 = str(world.units["A1"].id), str(world.units["A2"].id)
    assert rows(units, "units-on-time") == {a1: "75%", a2: "—"}
    assert rows(units, "units-overdue") == {a1: "1", a2: "1"}

    # Community A1's staff see A1 with a row per grid.
    html = printed(signed_in(client, "c"), world.units["A1"])
    assert numbers(card_html(html, "headline"))["overdue_events"] == "1"
    units = card_html(html, "units")
    a, b = str(world.units["A1a"].id), str(world.units["A1b"].id)
    assert rows(units, "units-on-time") == {a: "100%", b: "0%"}
    assert rows(units, "units-overdue") == {a: "0", b: "1"}


def test_six_months_shows_six(client, world, at_friday):
    street_a_events(world)
    html = printed(signed_in(client, "s"), world.units["A"], months=6)
    months = month_rows(card_html(html, "events"), "events-table")
    assert list(months) == ["2026-06-01", "2026-07-01", "2026-08-01", "2026-09-01", "2026-10-01", "2026-11-01"]
    assert 'data-months="6" aria-current="page"' in html


def test_the_event_lights_follow_the_inbox(world):
    """Red at or past the deadline, yellow past the yellow moment, green before;
    closed and standing events have no light."""
    red = report(world.worker, IN_A1A, MONDAY)
    yellow = report(world.worker, IN_A1A, FRIDAY)
    now = yellow.yellow_at + timedelta(minutes=1)
    green = report(world.worker, IN_A1A, now - timedelta(minutes=1))
    assert red.due_at <= now < yellow.due_at and green.yellow_at > now
    assert dashboard_cards.event_lights(world.units["A"], world.street, now) == {"red": 1, "yellow": 1, "green": 1}
    assert dashboard_cards.event_lights(world.units["B"], world.street_b, now) == {"red": 0, "yellow": 0, "green": 0}


def test_disputes_by_type_and_resolution_rate(client, world, at_friday):
    street_a_disputes(world)
    html = card_html(printed(signed_in(client, "s"), world.units["A"]), "disputes")
    shown = {**numbers(html), **tiles(html)}
    assert (shown["registered"], shown["concluded"], shown["resolved"], shown["rate"]) == ("4", "3", "1", "33%")
    assert (shown["open"], shown["overdue"]) == ("4", "2")
    assert rows(html, "disputes-by-type")["neighbour"] == "2"
    assert (shown["open-neighbour"], shown["overdue-neighbour"], shown["rate-neighbour"]) == ("2", "1", "100%")
    assert (shown["open-family"], shown["rate-family"]) == ("1", "0%") and "overdue-family" not in shown
    assert (shown["open-wages"], shown["rate-wages"]) == ("0", "0%")
    assert (shown["open-housing"], shown["overdue-housing"], shown["rate-housing"]) == ("1", "1", "—")
    assert rows(html, "disputes-by-type")["housing"] == "0" and shown["open-other"] == "0"

    head = numbers(card_html(printed(signed_in(client, "s"), world.units["A"]), "headline"))
    assert (head["open_disputes"], head["overdue_disputes"]) == ("4", "2")


def test_care_records_by_category_coverage_and_overdue_visits(client, world):
    care_records(world)
    html = printed(signed_in(client, "s"), world.units["A"])
    care_card = card_html(html, "care")
    shown = tiles(care_card)
    assert (shown["elderly"], shown["children"]) == ("2", "1")
    elderly = rows(care_card, "care-elderly")
    assert (elderly["elderly-living_alone"], elderly["elderly-oldest_old"], elderly["elderly-empty_nest"]) == (
        "1", "1", "1")
    assert sum(map(int, elderly.values())) == 3
    assert rows(care_card, "care-children") == {**{f"child-{c}": "0" for c in CHILD_CATEGORIES},
                                                "child-left_behind": "1"}

    # This month: the new record is not yet due (covered), the two old ones were never visited.
    head = numbers(card_html(html, "headline"))
    assert (head["coverage"], head["overdue_visits"]) == ("33%", "2")
    months = month_rows(card_html(html, "visits"), "coverage-table")
    expected = visit_queries.coverage_by_month(world.units["A"], world.street, months=11)
    assert len(months) == 12 and list(months.values())[-1] == {"active": "3", "covered": "1", "rate": "33%"}
    assert [(m["active"], m["covered"]) for m in months.values()] == [(str(a), str(c)) for _m, a, c in expected]
    assert list(months.values())[0] == {"active": "0", "covered": "0", "rate": "—"}


def test_this_moments_coverage_from_last_visits_matches_the_monthly_query(world):
    records = care_records(world)
    # Opened an hour ago: inside this test's one transaction, now() is when it began.
    visit_services.log_visit(data=visit_input(records.old, client_started_at=datetime.now(SH) - timedelta(hours=1)),
                             household=records.home, by=world.worker)
    for user, unit in ((world.street, "A"), (world.admin, "A"), (world.community, "A1"), (world.leader, "A1b")):
        (_month, *monthly), = visit_queries.coverage_by_month(world.units[unit], user, months=0)
        assert visit_queries.coverage_now(world.units[unit], user) == tuple(monthly), (user.username, unit)
    assert visit_queries.coverage_now(world.units["A"], world.street) == (3, 2)
    assert visit_queries.coverage_now(world.units["A"], world.admin) == (2, 2)      # children left out


def test_children_are_counted_only_for_roles_that_may_see_them(client, world):
    care_records(world)
    for username, unit in (("adm", "D"), ("gl", "A1a")):
        html = printed(signed_in(client, username), world.units[unit])
        assert 'data-testid="care-children"' not in html and 'data-number="children"' not in html, username
        assert "/registers/children" not in html
    # An administrator's overdue visits leave the child's record out; the street office's include it.
    assert numbers(card_html(printed(signed_in(client, "adm"), world.units["A"]), "headline"))["overdue_visits"] == "1"
    assert 'data-testid="care-children"' in printed(signed_in(client, "s"), world.units["A"])


# --- scope and roles ------------------------------------------------------------

def test_another_street_or_community_is_never_counted_and_is_a_404(client, world, at_friday):
    street_a_events(world)
    street_a_disputes(world)
    b = numbers(card_html(printed(signed_in(client, "sb"), world.units["B"]), "headline"))
    assert (b["overdue_events"], b["open_events"], b["open_disputes"]) == ("1", "1", "1")

    community = signed_in(client, "c")
    a1, a2, a = world.units["A1"].id, world.units["A2"].id, world.units["A"].id
    for url in (f"/units/{a2}/dashboard", f"/units/{a}/dashboard", f"/units/{a2}/dashboard/events",
                f"/units/{a}/dashboard/headline", f"/units/{a2}/dashboard/print",
                f"/units/{world.units['B1'].id}/dashboard"):
        assert community.get(url).status_code == 404, url
    assert community.get(f"/units/{a1}/dashboard").status_code == 200
    # Unknown cards, and the per-unit card of a grid (it would repeat the headline), do not exist.
    assert community.get(f"/units/{a1}/dashboard/nothing").status_code == 404
    assert community.get(f"/units/{world.units['A1a'].id}/dashboard/units").status_code == 404


@pytest.mark.parametrize("username", ["w", "cd", "aud"])
def test_roles_without_a_dashboard_get_404(client, world, username):
    other = signed_in(client, username)
    assert other.get("/dashboard").status_code == 404
    assert other.get(f"/units/{world.units['A1a'].id}/dashboard").status_code == 404


def test_dashboard_opens_the_users_own_unit(client, world):
    for username, unit in (("s", "A"), ("c", "A1"), ("gl", "A1a"), ("adm", "D")):
        response = signed_in(client, username).get("/dashboard", query_string={"months": 6})
        assert response.status_code == 302, username
        assert response.headers["Location"] == f"/units/{world.units[unit].id}/dashboard?months=6", username
    # A grid leader of two grids may switch between them; a grid's page has no per-unit card.
    html = signed_in(client, "gl").get(f"/units/{world.units['A1b'].id}/dashboard").get_data(as_text=True)
    assert f"/units/{world.units['A1a'].id}/dashboard" in html and 'data-card="units"' not in html


def test_the_shell_loads_every_card_and_links_up_only_within_scope(client, world):
    html = signed_in(client, "c").get(f"/units/{world.units['A1a'].id}/dashboard").get_data(as_text=True)
    cards = re.findall(r'data-card="(\w+)"', html)
    assert cards == ["headline", "visits", "events", "disputes", "care"]
    assert f'href="/units/{world.units["A1"].id}/dashboard' in html            # up to the community
    html = signed_in(client, "c").get(f"/units/{world.units['A1'].id}/dashboard").get_data(as_text=True)
    assert 'data-testid="parent-dashboard"' not in html                          # the street is not theirs
    for name in ("headline", "visits", "events", "units", "disputes", "care"):
        assert f'/units/{world.units["A1"].id}/dashboard/{name}?months=12' in html


# --- links and statements ---------------------------------------------------------

def links_in(html: str) -> set[str]:
    main = html[html.index("<main"):html.index("</main>")]
    return {href.replace("&amp;", "&") for href in re.findall(r'(?:href|hx-get)="(/[^"]*)"', main)}


@pytest.mark.parametrize("username, unit", [("s", "A"), ("c", "A1"), ("gl", "A1a"), ("adm", "D")])
def test_every_link_on_the_dashboard_resolves(client, world, at_friday, username, unit):
    street_a_events(world)
    street_a_disputes(world)
    care_records(world)
    user = signed_in(client, username)
    shell = user.get(f"/units/{world.units[unit].id}/dashboard").get_data(as_text=True)
    links = links_in(shell) | links_in(printed(user, world.units[unit]))
    assert any("/events" in link for link in links) and any("/disputes" in link for link in links)
    for link in sorted(links):
        assert user.get(link).status_code == 200, link


def test_care_numbers_link_to_the_register_only_when_it_shows_the_same_records(client, world):
    care_records(world)
    own = printed(signed_in(client, "s"), world.units["A"])
    assert "/registers/elderly?category=living_alone" in own and "/registers/children?category=left_behind" in own
    below = printed(signed_in(client, "s"), world.units["A1"])
    assert not any("/registers/" in link for link in links_in(below))


def test_the_dashboard_takes_the_same_statements_however_many_units(client, world, at_friday):
    user = signed_in(client, "s")

    def statements():
        # A request first: the calendar reload and the session touch, which
        # come with the first request after a while, do not fall in the count.
        printed(user, world.units["A"])
        with sql_statements() as sent:
            printed(user, world.units["A"])
        return len(sent)

    few = statements()
    for n in range(3, 6):
        community = make_unit(f"T010{n}", "community", box(120.10, 30.23, 120.12, 30.24).wkt, world.units["A"])
        for g in range(1, 4):
            make_unit(f"T010{n}0{g}", "grid", box(120.10, 30.23, 120.12, 30.24).wkt, community)
    db.session.commit()
    street_a_events(world)
    street_a_disputes(world)
    care_records(world)
    assert statements() == few <= 20
