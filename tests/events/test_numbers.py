"""Supervisors' numbers per unit and period, on real PostGIS: what each number
counts, the rows per unit below, scope, the period switch and a constant
number of statements."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from shapely.geometry import box

from grid.events import services, stats, stats_views
from grid.extensions import db
from grid.unit_numbers import period_bounds
from tests.events.conftest import IN_A1A, MONDAY, act, event_input, jpeg
from tests.factories import log_in, make_unit, make_user, sql_statements

IN_A1B = (120.115, 30.21)
IN_A2A = (120.105, 30.225)
FRIDAY = MONDAY + timedelta(days=4)                         # 27 November 2026, 09:00 in Shanghai
NOVEMBER = period_bounds("month", FRIDAY)


@pytest.fixture
def street(world):
    """A second community (A2, one grid) under street A, with its own worker and staff."""
    a2 = make_unit("T0102", "community", box(120.10, 30.22, 120.12, 30.23).wkt, world.units["A"])
    a2a = make_unit("T010201", "grid", box(120.10, 30.22, 120.12, 30.23).wkt, a2)
    db.session.commit()
    world.units.update(A2=a2, A2a=a2a)
    world.update(worker_a2=make_user("w2", "grid_worker", [a2a]), community_a2=make_user("c2", "community_staff", [a2]))
    return world


def report(world, by=None, point=IN_A1A, when=MONDAY, **changes):
    event, _created = services.report_event(data=event_input(point, **changes), by=by or world.worker, now=when)
    return event


def close(world, event, *, sign_at, result_at, verify_at, satisfaction, verifier=None, holder=None):
    """Sign for it at the community, report the result, verify and close at the grid."""
    holder = holder or world.community
    act(event, holder, "sign", sign_at)
    act(event, holder, "report_result", result_at, note="已处理")
    act(event, verifier or world.worker, "verify_close", verify_at, satisfaction=satisfaction)
    return event


def november_of_a1(world):
    """Five events in community A1 (the numbers are worked out in the test)."""
    at = MONDAY
    close(world, report(world), sign_at=at + timedelta(hours=1), result_at=at + timedelta(hours=2),
          verify_at=at + timedelta(hours=2, minutes=30), satisfaction="satisfied")
    # Signed for on Wednesday at 10:00, past Tuesday's 17:30 deadline: 6.5 + 7 + 1.5 = 15 working hours.
    wednesday = MONDAY + timedelta(days=2, hours=1)
    late = close(world, report(world), sign_at=wednesday, result_at=wednesday + timedelta(hours=1),
                 verify_at=wednesday + timedelta(hours=1, minutes=30), satisfaction="dissatisfied")
    assert late.late_steps == 1
    report(world, world.worker_b, IN_A1B)                   # never signed for: overdue since Tuesday 17:30
    report(world, on_spot=True, resolution="当场清理", photos=[jpeg()])
    close(world, report(world, world.worker_b, IN_A1B), sign_at=at + timedelta(hours=1),
          result_at=at + timedelta(hours=2), verify_at=at + timedelta(hours=2, minutes=30), satisfaction="unreached",
          verifier=world.worker_b)


def test_counts_rates_and_step_times_of_a_community_and_its_grids(world):
    november_of_a1(world)
    numbers = stats.unit_numbers(world.units["A1"], world.community, *NOVEMBER, now=FRIDAY)
    total = numbers.total
    assert (total.received, total.closed, total.closed_on_time, total.overdue) == (5, 4, 3, 1)
    assert total.on_time_rate == 0.75
    # Satisfied or basically satisfied over those who gave an answer ("unreached" and on-the-spot left out).
    assert (total.satisfied, total.rated, total.satisfaction_rate) == (1, 2, 0.5)
    assert total.step_times == {"sign": timedelta(hours=17) / 3, "handle": timedelta(hours=1),
                                "verify": timedelta(minutes=30)}

    rows = {row.unit_id: row for row in numbers.children}
    assert [row.name for row in numbers.children] == [world.units["A1a"].name, world.units["A1b"].name]
    a, b = rows[world.units["A1a"].id].numbers, rows[world.units["A1b"].id].numbers
    assert (a.received, a.closed, a.overdue, a.satisfaction_rate) == (3, 3, 0, 0.5)
    assert a.on_time_rate == pytest.approx(2 / 3)
    assert a.step_times["sign"] == timedelta(hours=8)
    assert (b.received, b.closed, b.overdue, b.on_time_rate, b.satisfaction_rate) == (2, 1, 1, 1.0, None)
    assert b.step_times == {"sign": timedelta(hours=1), "handle": timedelta(hours=1), "verify": timedelta(minutes=30)}

    # A grid stands for itself: its worker gets its numbers, the same as its row.
    grid = stats.unit_numbers(world.units["A1b"], world.worker_b, *NOVEMBER, now=FRIDAY)
    assert grid.total == b and [row.unit_id for row in grid.children] == [world.units["A1b"].id]


def test_rates_are_none_and_rows_are_there_without_events(world):
    numbers = stats.unit_numbers(world.units["A1"], world.community, *NOVEMBER, now=FRIDAY)
    assert numbers.total == stats.Numbers()
    assert numbers.total.on_time_rate is None and numbers.total.satisfaction_rate is None
    assert [row.unit_id for row in numbers.children] == [world.units["A1a"].id, world.units["A1b"].id]


def test_periods_are_months_and_years_on_shanghai_time():
    # 1 December 01:00 in Shanghai is still 30 November in UTC.
    now = datetime(2026, 11, 30, 17, 0, tzinfo=timezone.utc)
    day = [(start.date().isoformat(), end.date().isoformat(), start.utcoffset())
           for start, end in (period_bounds(p, now) for p in ("month", "last_month", "year", "bogus"))]
    eight = timedelta(hours=8)
    assert day == [("2026-12-01", "2027-01-01", eight), ("2026-11-01", "2026-12-01", eight),
                   ("2026-01-01", "2027-01-01", eight), ("2026-12-01", "2027-01-01", eight)]
    january = datetime(2027, 1, 10, tzinfo=timezone.utc)
    assert [d.date().isoformat() for d in period_bounds("last_month", january)] == ["2026-12-01", "2027-01-01"]


def signed_in(client, username: str):
    """A fresh client logged in as `username`."""
    other = client.application.test_client()
    log_in(other, username)
    return other


def shown_numbers(fragment: str, closing: str) -> dict[str, str]:
    """The numbers (data-number cells ending with `closing`) by name, links stripped."""
    found = re.findall(rf'data-number="(\w+)">(.*?){closing}', fragment, re.S)
    return {name: re.sub(r"<[^>]+>", "", value).strip() for name, value in found}


def row_numbers(html: str, unit_id: int) -> dict[str, str]:
    """One row of the per-unit table."""
    start = html.index(f'data-unit="{unit_id}"')
    return shown_numbers(html[start:html.index("</tr>", start)], "</td>")


def numbers_on_page(html: str) -> dict[str, str]:
    """The unit's own numbers: the tiles before the per-unit table."""
    start = html.index('data-testid="event-totals"')
    end = html.find("<table", start)
    return shown_numbers(html[start:end if end > 0 else None], "</dd>")


def test_the_period_switch_counts_what_happened_in_each_period(client, world, monkeypatch):
    monkeypatch.setattr(stats_views, "now_utc", lambda: FRIDAY)
    # Reported and handled in October, verified and closed in November.
    october = datetime(2026, 10, 26, 9, 0, tzinfo=MONDAY.tzinfo)
    close(world, report(world, when=october), sign_at=october + timedelta(hours=1),
          result_at=october + timedelta(hours=3), verify_at=MONDAY, satisfaction="basic")
    log_in(client, "c")
    url = f"/units/{world.units['A1'].id}/event-numbers"

    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'aria-pressed="true" data-period="month"' in html
    shown = numbers_on_page(html)
    assert (shown["received"], shown["closed"], shown["on_time"], shown["overdue"], shown["satisfaction"]) == (
        "0", "1", "100%", "0", "100%")
    # Only the verification ended in November.
    assert shown["sign"] == shown["handle"] == "—" and shown["verify"] != "—"

    html = client.get(url, query_string={"period": "last_month"}).get_data(as_text=True)
    assert 'aria-pressed="true" data-period="last_month"' in html and "2026-10-01 – 2026-10-31" in html
    shown = numbers_on_page(html)
    assert (shown["received"], shown["closed"], shown["on_time"], shown["satisfaction"]) == ("1", "0", "—", "—")
    assert shown["verify"] == "—" and shown["sign"] != "—" and shown["handle"] != "—"

    shown = numbers_on_page(client.get(url, query_string={"period": "year"}).get_data(as_text=True))
    assert (shown["received"], shown["closed"]) == ("1", "1")
    # An unknown period is this month.
    assert 'aria-pressed="true" data-period="month"' in client.get(url, query_string={"period": "x"}).get_data(
        as_text=True)


def test_working_times_read_as_hours_and_minutes(client, world, monkeypatch):
    monkeypatch.setattr(stats_views, "now_utc", lambda: FRIDAY)
    november_of_a1(world)
    log_in(client, "c")
    with client.session_transaction() as session:
        session["locale"] = "en"
    shown = numbers_on_page(client.get(f"/units/{world.units['A1'].id}/event-numbers").get_data(as_text=True))
    assert (shown["sign"], shown["handle"], shown["verify"]) == ("5 h 40 min", "1 h 0 min", "30 min")
    assert (shown["received"], shown["on_time"], shown["overdue"], shown["satisfaction"]) == ("5", "75%", "1", "50%")


def test_numbers_stay_inside_the_users_scope(client, street, monkeypatch):
    world = street
    monkeypatch.setattr(stats_views, "now_utc", lambda: FRIDAY)
    november_of_a1(world)
    report(world, world.worker_a2, IN_A2A)
    make_user("aud", "auditor")
    a1, a2, a = (f"/units/{world.units[k].id}/event-numbers" for k in ("A1", "A2", "A"))

    for username, url in (("cb", a1), ("c", a2), ("c", a), ("sb", a), ("h", a1), ("aud", a1), ("w", a1)):
        assert signed_in(client, username).get(url).status_code == 404, (username, url)

    html = signed_in(client, "s").get(a).get_data(as_text=True)
    rows = set(re.findall(r'<tr[^>]* data-unit="(\d+)"', html))
    assert rows == {str(world.units["A1"].id), str(world.units["A2"].id)}
    assert row_numbers(html, world.units["A1"].id)["received"] == "5"
    assert row_numbers(html, world.units["A2"].id)["received"] == "1"
    assert numbers_on_page(html)["received"] == "6"
    # Community A1's staff see their own community's numbers, with a row per grid.
    html = signed_in(client, "c").get(a1).get_data(as_text=True)
    assert numbers_on_page(html)["received"] == "5" and row_numbers(html, world.units["A1b"].id)["overdue"] == "1"


def test_unit_pages_load_the_numbers_for_communities_and_streets(client, world):
    make_user("cd", "children_director", [world.units["A1"]])
    log_in(client, "s")
    for key, shown in (("A", True), ("A1", True), ("A1a", False)):
        html = client.get(f"/units/{world.units[key].id}").get_data(as_text=True)
        assert (f"/units/{world.units[key].id}/event-numbers" in html) is shown, key
    assert f"/units/{world.units['A'].id}/event-numbers" in client.get("/").get_data(as_text=True)
    director = signed_in(client, "cd")   # sees no events, so no numbers either
    assert "event-numbers" not in director.get(f"/units/{world.units['A1'].id}").get_data(as_text=True)
    assert director.get(f"/units/{world.units['A1'].id}/event-numbers").status_code == 404


def test_the_numbers_take_the_same_statements_however_many_events(client, world, monkeypatch):
    monkeypatch.setattr(stats_views, "now_utc", lambda: FRIDAY)

    url = f"/units/{world.units['A'].id}/event-numbers"

    def statements():
        with sql_statements() as sent:
            assert client.get(url).status_code == 200
        return len(sent)

    log_in(client, "s")
    few = statements()
    november_of_a1(world)
    for _ in range(3):
        report(world, world.worker_b, IN_A1B)
    assert statements() == few
