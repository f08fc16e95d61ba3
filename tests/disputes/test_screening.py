"""Screening reports (排查) and zero reports (零报告): periods, filing, the
found report a dispute from screening makes, missing screenings, page scope."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from grid import workdays
from grid.disputes import screening, services
from grid.disputes.models import Screening
from grid.errors import DomainError, FieldErrors
from grid.extensions import db
from tests.disputes.conftest import MONDAY, register
from tests.factories import csrf_from, log_in, sql_statements


# --- periods ---------------------------------------------------------------------

@pytest.mark.parametrize("day, period", [
    (date(2026, 11, 15), (date(2026, 11, 1), date(2026, 11, 15))),
    (date(2026, 11, 16), (date(2026, 11, 16), date(2026, 11, 30))),
    (date(2026, 12, 31), (date(2026, 12, 16), date(2026, 12, 31))),
    (date(2027, 2, 20), (date(2027, 2, 16), date(2027, 2, 28))),
    (date(2028, 2, 29), (date(2028, 2, 16), date(2028, 2, 29))),
    (date(2027, 1, 1), (date(2027, 1, 1), date(2027, 1, 15))),
])
def test_half_month_periods(day, period):
    assert screening.period_of("half_month", day) == period


def test_month_periods_and_going_back_over_the_new_year():
    assert screening.period_of("month", date(2027, 2, 3)) == (date(2027, 2, 1), date(2027, 2, 28))
    assert screening.period_of("month", date(2026, 11, 30)) == (date(2026, 11, 1), date(2026, 11, 30))
    assert screening.previous_period("half_month", date(2027, 1, 1)) == (date(2026, 12, 16), date(2026, 12, 31))
    assert screening.previous_period("month", date(2027, 1, 1)) == (date(2026, 12, 1), date(2026, 12, 31))
    assert screening.previous_period("half_month", date(2027, 3, 1)) == (date(2027, 2, 16), date(2027, 2, 28))
    recent = screening.recent_periods("half_month", date(2027, 1, 20))
    assert len(recent) == screening.LATE_PERIODS + 1
    assert [p[0] for p in recent[:4]] == [date(2027, 1, 16), date(2027, 1, 1), date(2026, 12, 16), date(2026, 12, 1)]


def test_cadence_follows_the_level(ctx):
    assert (screening.cadence("grid"), screening.cadence("community"), screening.cadence("street")) == \
        ("half_month", "half_month", "month")
    assert screening.cadence("district") is None


# --- zero reports ----------------------------------------------------------------

def zero(world, unit="A1a", start=date(2026, 11, 16), by=None, when=MONDAY, note="走访12户，未发现矛盾纠纷"):
    return screening.file_zero_report(unit=world.units[unit], period_start=start, note=note,
                                      by=by or world.worker, now=when)


def test_a_zero_report_is_filed_once(world):
    report, created = zero(world)
    assert created and report.nothing_found and report.note == "走访12户，未发现矛盾纠纷"
    assert (report.period_start, report.period_end, report.reported_by_id) == \
        (date(2026, 11, 16), date(2026, 11, 30), world.worker.id)
    again, created = zero(world, by=world.leader, note="别的说明", when=MONDAY + timedelta(hours=3))
    assert (again.id, created, again.note, again.reported_by_id) == (report.id, False, "走访12户，未发现矛盾纠纷",
                                                                     world.worker.id)
    assert len(db.session.scalars(select(Screening)).all()) == 1
    history = screening.unit_history([world.units["A1a"]], MONDAY.date())[world.units["A1a"].id]
    assert (history[0].status, history[0].is_current, history[0].is_late) == ("zero", True, False)
    assert history[0].reporter == "张伟"


def test_a_missed_period_may_be_filed_late_up_to_the_limit(world):
    late, _ = zero(world, start=date(2026, 11, 1))
    history = screening.unit_history([world.units["A1a"]], MONDAY.date())[world.units["A1a"].id]
    assert [(r.start, r.status, r.is_late) for r in history[:3]] == [
        (date(2026, 11, 16), "missing", False), (date(2026, 11, 1), "zero", True), (date(2026, 10, 16), "missing", False)]
    # Six periods back is the oldest that may still be filed; seven is too long ago.
    oldest = screening.recent_periods("half_month", MONDAY.date())[-1][0]
    assert oldest == date(2026, 8, 16)
    zero(world, start=oldest)
    with pytest.raises(FieldErrors) as error:
        zero(world, start=date(2026, 8, 1))
    assert "period_start" in error.value.errors


@pytest.mark.parametrize("start", [date(2026, 12, 1), date(2026, 11, 17), None])
def test_future_or_made_up_periods_are_refused(world, start):
    with pytest.raises(FieldErrors) as error:
        zero(world, start=start)
    assert "period_start" in error.value.errors
    assert db.session.scalar(select(Screening)) is None


def test_only_those_acting_for_the_unit_file_its_report(world):
    with pytest.raises(DomainError):
        zero(world, by=world.worker_b)             # another grid's worker
    with pytest.raises(DomainError):
        zero(world, by=world.community)            # the community files its own report, not the grid's
    with pytest.raises(DomainError):
        zero(world, unit="A1", by=world.community_b)
    community, _ = zero(world, unit="A1", by=world.community)
    street, _ = zero(world, unit="A", start=date(2026, 11, 1), by=world.street)
    assert (community.period_end, street.period_end) == (date(2026, 11, 30), date(2026, 11, 30))
    with pytest.raises(FieldErrors):               # the street office reports by month
        zero(world, unit="A", start=date(2026, 11, 16), by=world.street)


def test_a_zero_report_is_refused_where_screening_found_disputes(world):
    dispute = register(world, source="screening")
    with pytest.raises(DomainError, match="已登记"):
        zero(world, when=MONDAY + timedelta(hours=2))
    found = db.session.get(Screening, dispute.screening_id)
    assert found.nothing_found is False and found.unit_id == world.units["A1a"].id


def test_a_dispute_from_screening_corrects_a_zero_report_of_its_period(world):
    report, _ = zero(world)
    first = register(world, source="screening", when=MONDAY + timedelta(hours=4))
    second = register(world, source="screening", when=MONDAY + timedelta(days=1))
    register(world, source="request", when=MONDAY + timedelta(days=1))
    db.session.refresh(report)
    assert first.screening_id == second.screening_id == report.id
    assert (report.nothing_found, report.version) == (False, 2)
    current = screening.unit_history([world.units["A1a"]], MONDAY.date())[world.units["A1a"].id][0]
    assert (current.status, current.found) == ("found", 2)
    # A dispute found in the grid's screening is the grid's report only.
    assert db.session.scalar(select(Screening).where(Screening.unit_id == world.units["A1"].id)) is None


def test_disputes_not_from_screening_make_no_report(world):
    dispute = register(world, source="request")
    assert dispute.screening_id is None and db.session.scalar(select(Screening)) is None


# --- missing screenings ----------------------------------------------------------

def filed(world, unit, start, end, *, by, nothing_found=True):
    """A report row as the services leave it (hand-made fixture)."""
    row = Screening(unit_id=world.units[unit].id, period_start=start, period_end=end, nothing_found=nothing_found,
                    reported_by_id=by.id, reported_at=datetime.combine(end, datetime.min.time(), workdays.SHANGHAI),
                    version=1)
    db.session.add(row)
    db.session.commit()
    return row


def some_filed(world, day):
    """A1a filed both periods, A1b only the current one, the community
    nothing, the street office its previous month; B1a (another street) nothing."""
    half = screening.period_of("half_month", day)
    half_before = screening.previous_period("half_month", half[0])
    month_before = screening.previous_period("month", screening.period_of("month", day)[0])
    filed(world, "A1a", *half_before, by=world.worker)
    filed(world, "A1a", *half, by=world.worker)
    filed(world, "A1b", *half, by=world.worker_b)
    filed(world, "A", *month_before, by=world.street)


def test_missing_screenings_below_a_street_office(world):
    day = MONDAY.date()
    some_filed(world, day)
    root = world.units["A"]
    db.session.refresh(root)
    with sql_statements() as sent:
        missing = screening.missing_below(root, day)
    statements = [s for s in sent if s.startswith("SELECT")]
    assert len(statements) == 1          # one query for the whole tree
    assert [r.unit_name for r in missing.overdue] == [world.units["A1"].name, world.units["A1b"].name]
    assert [r.unit_id for r in missing.pending] == [world.units["A"].id, world.units["A1"].id]
    # Each unit at its own cadence: the street office's previous period is last month.
    street = next(r for r in screening.rows_by_unit(screening.reports_below(world.units["A"], day))
                  if r.unit_id == world.units["A"].id)
    assert (street.previous.start, street.current.start) == (date(2026, 10, 1), date(2026, 11, 1))
    community = screening.missing_below(world.units["A1"], day)
    assert [r.unit_id for r in community.overdue] == [world.units["A1"].id, world.units["A1b"].id]


def test_missing_fragment_on_the_street_page(world, app):
    some_filed(world, services.today())
    client = app.test_client()
    log_in(client, "s")
    response = client.get(f"/units/{world.units['A'].id}/screenings/missing", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-overdue="2"' in html and 'data-pending="2"' in html
    assert world.units["A1b"].name in html and world.units["B1a"].name not in html
    assert 'href="/screenings"' in html
    # Another street office's unit does not exist for this user.
    assert client.get(f"/units/{world.units['B'].id}/screenings/missing").status_code == 404
    other = app.test_client()
    log_in(other, "sb")
    assert other.get(f"/units/{world.units['A1'].id}/screenings/missing").status_code == 404
    director = app.test_client()
    log_in(director, "cd")
    assert director.get(f"/units/{world.units['A1'].id}/screenings/missing").status_code == 404


def test_the_community_page_loads_the_missing_card(world, app):
    client = app.test_client()
    log_in(client, "c")
    page = client.get(f"/units/{world.units['A1'].id}").get_data(as_text=True)
    assert f"/units/{world.units['A1'].id}/screenings/missing" in page
    card = client.get(f"/units/{world.units['A1'].id}/screenings/missing").get_data(as_text=True)
    # Nothing filed: the community and both its grids miss the previous period.
    assert 'data-overdue="3"' in card


# --- the page ------------------------------------------------------------------

def test_a_worker_sees_only_their_grid(world, app):
    some_filed(world, services.today())
    client = app.test_client()
    log_in(client, "w")
    html = client.get("/screenings").get_data(as_text=True)
    a1a, a1b = world.units["A1a"].id, world.units["A1b"].id
    assert f'id="screening-unit-{a1a}"' in html and html.count('class="list-item screening-row"') == 7
    assert f"screening-{a1b}-" not in html and f'data-unit="{a1b}"' not in html
    assert 'data-testid="screening-below"' not in html
    assert "source=screening" in html           # register a dispute found, for the current period


def test_community_staff_see_their_grids_status(world, app):
    day = services.today()
    some_filed(world, day)
    client = app.test_client()
    log_in(client, "c")
    html = client.get("/screenings").get_data(as_text=True)
    a1 = world.units["A1"].id
    assert f'id="screening-unit-{a1}"' in html
    below = html[html.index('data-testid="screening-below"'):]
    assert f'data-unit="{world.units["A1a"].id}"' in below and f'data-unit="{world.units["A1b"].id}"' in below
    assert f'data-unit="{world.units["B1a"].id}"' not in html
    assert below.count('data-status="missing"') == 1        # A1b's previous period
    street = app.test_client()
    log_in(street, "s")
    html = street.get("/screenings").get_data(as_text=True)
    below = html[html.index('data-testid="screening-below"'):]
    assert all(f'data-unit="{world.units[u].id}"' in below for u in ("A1", "A1a", "A1b"))


def test_filing_a_zero_report_from_the_page(world, app):
    start = screening.period_of("half_month", services.today())[0]
    client = app.test_client()
    log_in(client, "w")
    token = csrf_from(client.get("/screenings").get_data(as_text=True))
    form = {"unit_id": str(world.units["A1a"].id), "period_start": start.isoformat(), "note": "入户排查"}
    assert client.post("/screenings", data=form).status_code == 400          # no CSRF token
    response = client.post("/screenings", data={**form, "csrf_token": token}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith("<li") and 'data-status="zero"' in html and "入户排查" in html
    again = client.post("/screenings", data={**form, "csrf_token": token})
    assert again.status_code == 302
    assert len(db.session.scalars(select(Screening)).all()) == 1
    # Another grid's unit is not there for this worker.
    other = client.post("/screenings", data={**form, "unit_id": str(world.units["A1b"].id), "csrf_token": token})
    assert other.status_code == 404
    future = client.post("/screenings", data={**form, "csrf_token": token, "period_start": "2099-01-01"})
    assert future.status_code == 422 and 'data-testid="form-error"' in future.get_data(as_text=True)


def test_a_refused_zero_report_shows_its_reason_in_the_row(world, app):
    register(world, source="screening", when=services.now_utc())
    start = screening.period_of("half_month", services.today())[0]
    client = app.test_client()
    log_in(client, "w")
    token = csrf_from(client.get("/screenings").get_data(as_text=True))
    response = client.post("/screenings", headers={"HX-Request": "true"}, data={
        "unit_id": str(world.units["A1a"].id), "period_start": start.isoformat(), "csrf_token": token})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'data-status="found"' in html and 'role="alert"' in html and 'data-found="1"' in html
