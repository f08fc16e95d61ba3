"""Reads for visits: the task list, the overdue count, histories, flagged
visits and coverage, all narrowed by accounts.access."""
from datetime import datetime, timezone

from sqlalchemy import (Boolean, Column, DateTime, Integer, MetaData, Select, String, Table, case, func, literal, or_,
                        select, text)
from sqlalchemy.orm import selectinload

from grid.accounts.access import grids_in_scope, in_grids, in_scope_grid, may_see_child_records, one_of
from grid.extensions import db
from grid.places.models import Unit
from grid.places.queries import grids_inside
from grid.registry.models import Household, Resident
from grid.visits.models import CadencePolicy, Visit, VisitPhoto, VisitRecord

# The care_task view (migration 0003), outside the models' metadata so that
# autogenerate never tries to create it as a table.
care_task = Table(
    "care_task", MetaData(),
    Column("kind", String), Column("record_id", Integer), Column("resident_id", Integer), Column("grid_id", Integer),
    Column("status", String),
    Column("closed_at", DateTime(timezone=True)), Column("risk_tier", String),
    Column("created_at", DateTime(timezone=True)), Column("first_visit_due", DateTime(timezone=True)),
    Column("last_visit_at", DateTime(timezone=True)), Column("major_change_at", DateTime(timezone=True)),
    Column("major_change_reason", String), Column("interval_days", Integer), Column("window_before_days", Integer),
    Column("window_after_days", Integer), Column("first_visit_working_days", Integer),
    Column("is_major_change", Boolean), Column("due_at", DateTime(timezone=True)),
)
STATE_RANK = {0: "overdue", 1: "due", 2: "upcoming"}


def state_rank(now: datetime):
    """0 overdue, 1 due (inside the window), 2 upcoming. A major change is due
    from the moment it is noted and overdue 24 hours later, with no grace."""
    t = care_task.c
    after = case((t.is_major_change, 0), else_=func.coalesce(t.window_after_days, 0))
    before = case((t.is_major_change, 1), else_=func.coalesce(t.window_before_days, 0))
    at = literal(now, DateTime(timezone=True))
    return case((at > t.due_at + func.make_interval(0, 0, 0, after), 0),
                (at >= t.due_at - func.make_interval(0, 0, 0, before), 1), else_=2)


def task_rows(user, *, now: datetime, kind: str = "", tier: str = ""):
    """The user's tasks, overdue first, in one query: record, person, household, state."""
    t = care_task.c
    rank = state_rank(now).label("rank")
    stmt = (select(t.kind, t.record_id, t.risk_tier, t.due_at, t.last_visit_at, t.is_major_change,
                   t.major_change_reason, rank, Resident.id.label("resident_id"), Resident.name, Resident.birth_date,
                   Household.id.label("household_id"), Household.address)
            .join(Resident, Resident.id == t.resident_id).join(Household, Household.id == Resident.household_id)
            .where(t.status == "open", in_grids(t.grid_id, grids_in_scope(user))))
    if not may_see_child_records(user):
        stmt = stmt.where(t.kind != "child")
    if kind in ("elderly", "child"):
        stmt = stmt.where(t.kind == kind)
    if tier:
        stmt = stmt.where(t.risk_tier == tier)
    return db.session.execute(stmt.order_by(rank, t.due_at, Household.address)).all()


def overdue_count(user, *, now: datetime) -> int:
    t = care_task.c
    stmt = select(func.count()).select_from(care_task).where(
        t.status == "open", in_grids(t.grid_id, grids_in_scope(user)), state_rank(now) == 0)
    if not may_see_child_records(user):
        stmt = stmt.where(t.kind != "child")
    return db.session.scalar(stmt)


def open_records_of(household_id: int, user) -> list:
    """A household's open care records (the visit form offers them), one query."""
    t = care_task.c
    # The members by one_of: a join on the household is not pushed into the view's UNION ALL.
    members = select(Resident.id).where(Resident.household_id == household_id)
    stmt = (select(t.kind, t.record_id, Resident.name, t.risk_tier).join(Resident, Resident.id == t.resident_id)
            .where(one_of(t.resident_id, members), t.status == "open").order_by(Resident.id, t.kind))
    if not may_see_child_records(user):
        stmt = stmt.where(t.kind != "child")
    return db.session.execute(stmt).all()


def visible_visits(user):
    """Visits the user may open: of households now in their scope (a household
    that moved grid takes its history along), and, for roles that may not see
    children's records, none that covers a child's record: its notes, reason
    and photos are about the child."""
    stmt = select(Visit).join(Household, Household.id == Visit.household_id).where(
        in_scope_grid(user, Household.grid_id))
    if not may_see_child_records(user):
        stmt = stmt.where(~select(VisitRecord.visit_id).where(
            VisitRecord.visit_id == Visit.id, VisitRecord.kind == "child").exists())
    return stmt


def visit_in_scope(user, visit_id: int) -> Visit | None:
    # Photo bytes stay in the database until the one photo is asked for.
    return db.session.scalar(visible_visits(user).where(Visit.id == visit_id)
                             .options(selectinload(Visit.records), selectinload(Visit.problems),
                                      selectinload(Visit.photos).defer(VisitPhoto.data)))


def photo_in_scope(user, visit_id: int, photo_id: int) -> VisitPhoto | None:
    visits = visible_visits(user).where(Visit.id == visit_id).with_only_columns(Visit.id)
    return db.session.scalar(select(VisitPhoto).where(VisitPhoto.id == photo_id, VisitPhoto.visit_id.in_(visits)))


def visit_by_uuid(uuid) -> Visit | None:
    return db.session.scalar(select(Visit).where(Visit.uuid == uuid))


def household_visits(user, household_id: int, limit: int = 50) -> list[Visit]:
    return list(db.session.scalars(visible_visits(user).where(Visit.household_id == household_id)
                                   .order_by(Visit.visited_at.desc()).limit(limit)))


def record_visits(user, kind: str, record_id: int, limit: int = 50) -> list[Visit]:
    return list(db.session.scalars(
        visible_visits(user).join(VisitRecord, VisitRecord.visit_id == Visit.id)
        .where(VisitRecord.kind == kind, VisitRecord.record_id == record_id)
        .order_by(Visit.visited_at.desc()).limit(limit)))


def flagged_visits(user) -> list[Visit]:
    """Visits away from the household or without a fix, not yet confirmed."""
    return list(db.session.scalars(
        visible_visits(user).where(Visit.is_flagged, Visit.confirmed_at.is_(None))
        .options(selectinload(Visit.household)).order_by(Visit.visited_at.desc())))


def policies() -> list[CadencePolicy]:
    return list(db.session.scalars(select(CadencePolicy).order_by(CadencePolicy.kind, CadencePolicy.risk_tier,
                                                                  CadencePolicy.category)))


def distance_to_household(household_id: int, lon: float, lat: float) -> float:
    """Metres on the ellipsoid (geography), not degrees."""
    return db.session.scalar(text(
        "SELECT ST_Distance(location::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography) "
        "FROM household WHERE id = :id"), {"lon": lon, "lat": lat, "id": household_id})


# Coverage: a record counts in a month if it was active at the month's end (or
# now, for this month), and it is covered if a visit fell within its interval
# (plus the window after) before that moment, or its first visit was not yet due.
# COVERAGE_OF takes its months ({month_list}, first days) and its grids
# ({grid_filter} over care_task t); COVERAGE is it for this month and the
# {months} before, under the unit :path. This moment's figure is care_now's.
COVERAGE_OF = """
WITH months AS (
    -- m: the first of each month on Shanghai's wall clock; at: that month's end as a real moment.
    SELECT m, least((m + interval '1 month') AT TIME ZONE 'Asia/Shanghai' - interval '1 second', now()) AS at
      FROM {month_list} m
), records AS (
    SELECT t.kind, t.record_id, t.created_at, t.closed_at, t.first_visit_due, t.last_visit_at,
           coalesce(t.interval_days, 30) + coalesce(t.window_after_days, 0) AS span, t.grid_id
      FROM care_task t
     WHERE {grid_filter} {child_filter}
)
SELECT {group}, count(records.record_id) AS active,
       count(records.record_id) FILTER (WHERE coalesce(records.first_visit_due, records.created_at + make_interval(days => span)) > months.at
           OR {visited}) AS covered
  FROM months LEFT JOIN records ON records.created_at <= months.at AND (records.closed_at IS NULL OR records.closed_at > months.at)
 GROUP BY {group} ORDER BY {group}
"""
LAST_MONTHS = ("generate_series(date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') - interval '{months} months',\n"
               "                date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai'), interval '1 month')")
LISTED_MONTHS = "unnest(CAST(:months AS timestamp[]))"      # bound: a list of first days
# As access.in_grids: an array, so that each half of the view reads its unit's records by index.
UNDER_PATH = "t.grid_id = ANY(ARRAY(SELECT g.id FROM unit g WHERE g.level = 'grid' AND g.path <@ CAST(:path AS ltree)))"
COVERAGE = COVERAGE_OF.replace("{month_list}", LAST_MONTHS).replace("{grid_filter}", UNDER_PATH)
# Whether a record was visited in the span before months.at, probing its visits.
VISITED_BY_MONTH_END = """EXISTS (SELECT 1 FROM visit_record vr JOIN visit v ON v.id = vr.visit_id
                       WHERE vr.kind = records.kind AND vr.record_id = records.record_id
                         AND v.visited_at <= months.at AND v.visited_at > months.at - make_interval(days => span))"""


def child_filter(user) -> str:
    """Children's records count only for roles that may see them."""
    return "" if may_see_child_records(user) else "AND t.kind <> 'child'"


def coverage_by_month(unit: Unit, user, months: int = 6) -> list[tuple[datetime, int, int]]:
    """(month, active records, covered records) for this month and the `months` before, under `unit`."""
    sql = COVERAGE.format(months=int(months), group="months.m", visited=VISITED_BY_MONTH_END,
                          child_filter=child_filter(user))
    return db.session.execute(text(sql), {"path": unit.path}).all()


def coverage_of_months(unit: Unit, user, months: list) -> list[tuple[datetime, int, int]]:
    """coverage_by_month for the listed months only (their first days)."""
    sql = COVERAGE_OF.format(month_list=LISTED_MONTHS, grid_filter=UNDER_PATH, group="months.m",
                             visited=VISITED_BY_MONTH_END,
                             child_filter=child_filter(user))
    return db.session.execute(text(sql), {"path": unit.path, "months": list(months)}).all()


def care_now(grids: Select, user, now: datetime, *group) -> Select:
    """This moment's figures of the care records in `grids` (a select of
    grid ids), one row per `group` column of care_task (none: one row), in
    one pass: active and covered (coverage_by_month's current month, read
    from each record's last visit instead of probing its visits: no visit is
    dated after it reached the server, so the answer is the same) and
    overdue (the task list's overdue rank at `now`)."""
    t = care_task.c
    span = func.make_interval(0, 0, 0, func.coalesce(t.interval_days, 30) + func.coalesce(t.window_after_days, 0))
    at = func.now()         # as COVERAGE's months.at for this month
    covered = or_(func.coalesce(t.first_visit_due, t.created_at + span) > at, t.last_visit_at > at - span)
    stmt = (select(*group, func.count().label("active"), func.count().filter(covered).label("covered"),
                   func.count().filter(state_rank(now) == 0).label("overdue"))
            .where(t.closed_at.is_(None), t.created_at <= at, in_grids(t.grid_id, grids)))
    if not may_see_child_records(user):
        stmt = stmt.where(t.kind != "child")
    return stmt.group_by(*group) if group else stmt


def coverage_now(unit: Unit, user) -> tuple[int, int]:
    """This moment's (active, covered) under `unit`."""
    active, covered, _overdue = db.session.execute(care_now(grids_inside(unit), user, datetime.now(timezone.utc))).one()
    return active, covered


def coverage_by_grid(unit: Unit, user) -> dict[int, tuple[int, int]]:
    """This month's (active, covered) per grid under `unit`."""
    rows = db.session.execute(care_now(grids_inside(unit), user, datetime.now(timezone.utc), care_task.c.grid_id))
    return {grid_id: (active, covered) for grid_id, active, covered, _overdue in rows}
