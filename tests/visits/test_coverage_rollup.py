"""The monthly coverage rollup (visits.rollup) against the live COVERAGE
query on a hand-built world: the same figures for every closed month, unit
and role (children's records only for those who may see them), the dashboard
card reading it, when a month counts as closed, and re-runs adding nothing."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select, update

from grid import workdays
from grid.extensions import db
from grid.maps import dashboard, dashboard_cards, measures
from grid.visits import queries, rollup
from grid.visits import services as visit_services
from grid.visits.models import CoverageMonth, Visit, VisitRecord
from grid.visits.services import RECORD_MODELS
from tests.maps import test_dashboard
from tests.visits.test_visits import visit_input

SH = workdays.SHANGHAI
world = test_dashboard.world            # the dashboard tests' district, as a fixture here too
care_records = test_dashboard.care_records


def visited(records, world, kind: str, record, days_ago: int) -> None:
    """A visit to `record` dated `days_ago` days back (services.log_visit
    dates it now; a visit that old can only be written straight to the table)."""
    visit, _created = visit_services.log_visit(data=visit_input(records=[(kind, record.id)]), household=records.home, by=world.worker)
    db.session.execute(update(Visit).where(Visit.id == visit.id)
                       .values(visited_at=datetime.now(SH) - timedelta(days=days_ago)))
    # The record's last visit, as log_visit keeps it: its latest visit's date.
    model = RECORD_MODELS[kind]
    latest = (select(func.max(Visit.visited_at)).join(VisitRecord, VisitRecord.visit_id == Visit.id)
              .where(VisitRecord.kind == kind, VisitRecord.record_id == record.id).scalar_subquery())
    db.session.execute(update(model).where(model.id == record.id).values(last_visit_at=latest))
    db.session.commit()


def history(world):
    """care_records' world (records created 100 days ago, one closed after a
    day, a child's, street B's) plus visits spread over the last months."""
    records = care_records(world)
    for kind, record, days_ago in (("elderly", records.old, 75), ("elderly", records.old, 20),
                                   ("child", records.child, 40)):
        visited(records, world, kind, record, days_ago)
    return records


VIEWS = (("s", "A"), ("adm", "A"), ("adm", "D"), ("c", "A1"), ("gl", "A1b"), ("sb", "B"), ("cd", "A1"))


def users(world):
    return {u.username: u for u in world.values() if hasattr(u, "username")}


def test_rolled_up_months_equal_the_live_query_for_every_unit_and_role(world):
    history(world)
    now = datetime.now(timezone.utc)
    added = rollup.roll_up(now)
    assert added == rollup.closed_months(now) and len(added) >= 11
    by_name = users(world)
    for username, unit_name in VIEWS:
        user, unit = by_name[username], world.units[unit_name]
        live = {m.date(): (active, covered)
                for m, active, covered in queries.coverage_by_month(unit, user, months=rollup.KEEP_MONTHS)}
        stored = rollup.stored_coverage(measures.grids_under(user, unit), user, added)
        assert stored == {m: live[m] for m in added}, (username, unit_name)
    # The world is not trivial: some months have records, visited and not.
    street = rollup.stored_coverage(measures.grids_under(by_name["s"], world.units["A"]), by_name["s"], added)
    assert any(0 < covered < active for active, covered in street.values()), sorted(street.items())


def test_the_dashboard_card_rolls_up_what_is_missing_and_shows_the_live_figure(world):
    history(world)
    now = datetime.now(timezone.utc)
    window = dashboard.month_window(12, now)
    by_name = users(world)
    for username, unit_name in VIEWS:
        user, unit = by_name[username], world.units[unit_name]
        live = [(m.date(), a, c) for m, a, c in queries.coverage_by_month(unit, user, months=11)]
        card = dashboard_cards.coverage(unit, user, window, now).months
        assert [(m.month, m.active, m.covered) for m in card] == live, (username, unit_name)
        # The first card stored the closed months; the rest read them.
        assert rollup.rolled_up(window.months) == set(rollup.closed_months(now, 11)), (username, unit_name)


def test_a_month_closes_once_a_late_visit_can_no_longer_be_dated_in_it():
    december = datetime(2026, 12, 1, tzinfo=SH)
    assert not rollup.is_closed(datetime(2026, 11, 1).date(), december + visit_services.MAX_ENTRY_DELAY
                                - timedelta(seconds=1))
    assert rollup.is_closed(datetime(2026, 11, 1).date(), december + visit_services.MAX_ENTRY_DELAY)
    early = rollup.closed_months(december + timedelta(hours=1))
    assert early[-1] == datetime(2026, 10, 1).date() and len(early) == 11
    late = rollup.closed_months(december + timedelta(days=1))
    assert late[-1] == datetime(2026, 11, 1).date() and len(late) == 12


def test_rolling_up_again_adds_nothing_and_every_grid_gets_its_rows(world):
    history(world)
    now = datetime.now(timezone.utc)
    months = rollup.roll_up(now)
    rows = db.session.scalar(select(func.count()).select_from(CoverageMonth))
    grids = sum(unit.level == "grid" for unit in world.units.values())
    assert rows == len(months) * grids * 2          # zeros included: a stored month is complete
    assert rollup.roll_up(now) == []
    assert db.session.scalar(select(func.count()).select_from(CoverageMonth)) == rows
    # A month missing among stored ones is found and filled, alone.
    db.session.execute(delete(CoverageMonth).where(CoverageMonth.month == months[3]))
    db.session.commit()
    assert rollup.rolled_up(months) == set(months) - {months[3]}
    assert rollup.roll_up(now) == [months[3]]
    assert db.session.scalar(select(func.count()).select_from(CoverageMonth)) == rows


def test_the_cli_command_rolls_up_the_closed_months_once(app, world):
    history(world)
    result = app.test_cli_runner().invoke(args=["grid", "rollup-coverage"])
    assert result.exit_code == 0, result.output
    months = rollup.closed_months(datetime.now(timezone.utc))
    assert result.output.strip() == "coverage rolled up: " + ", ".join(m.strftime("%Y-%m") for m in months)
    again = app.test_cli_runner().invoke(args=["grid", "rollup-coverage"])
    assert again.output.strip() == "coverage rolled up: nothing new"
