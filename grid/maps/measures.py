"""What the map colours grids by: a registry of measures, each one set-based
query for every grid under a unit, narrowed to what the user may see.

A measure's query returns one row per grid that has anything to count:
(grid_id, numerator, denominator[, parts...]). Counts have no denominator;
shares (visit coverage) are numerator / denominator. Rolling up to a
community sums numerators, denominators and parts over its grids, so a
community's share is its records' share, not an average of its grids'.
Grids without a row count 0 (counts) or have no data (shares)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, Select, cast, func, null, select
from sqlalchemy.orm import aliased

from grid.accounts.access import in_grids, may_see_child_records, scope_paths, unit_path_in_scope
from grid.accounts.roles import UNSCOPED_ROLES
from grid.disputes import queries as dispute_queries
from grid.disputes.models import Dispute
from grid.disputes.scope import visible as dispute_visible
from grid.events import queries as event_queries
from grid.events.models import Event
from grid.events.scope import visible as event_visible
from grid.extensions import db
from grid.maps import breaks
from grid.places.models import Unit
from grid.places.queries import grids_inside, inside
from grid.registry.care_models import ChildRecord, ElderlyRecord
from grid.visits.queries import care_now, care_task

LEVELS = ("grid", "community")
LIGHTS = ("red", "yellow", "green")
# The inbox's "open" tab: neither closed nor standing. Spelled as two tests so
# that PostgreSQL matches `state <> 'closed'` to the partial index of open events.
OPEN_EVENT = (Event.state != "closed", Event.state != "standing")


@dataclass(frozen=True)
class Value:
    numerator: int = 0
    denominator: int | None = None
    parts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Measure:
    key: str
    label: object                      # a lazy string
    kind: str                          # "count" or "share"
    direction: str                     # breaks.PALETTES: more_is_worse, less_is_worse, neutral
    rows: Callable[..., Select]        # (user, unit, now) -> grid_id, numerator, denominator, *parts
    parts: tuple[str, ...] = ()
    available: Callable[[object], bool] = lambda user: True
    note: object = ""                  # how it is counted, for the legend and docs
    alarm: Callable[[Value], bool] = lambda value: False   # the panel shows it in red

    def is_alarming(self, v: Value | None) -> bool:
        return v is not None and self.alarm(v)

    def value(self, v: Value | None) -> float | None:
        if self.kind == "share":
            return v.numerator / v.denominator if v is not None and v.denominator else None
        return v.numerator if v is not None else 0

    def display(self, v: Value | None) -> str:
        value = self.value(v)
        if value is None:
            return str(_l("No data"))
        if self.kind == "share":
            return f"{value * 100:.0f}% ({v.numerator}/{v.denominator})"
        return str(value)

    def classes(self, values) -> breaks.Classes:
        if self.kind == "share":
            return breaks.share_classes(self.direction)
        return breaks.count_classes(values, self.direction)


def no_denominator():
    return cast(null(), Integer).label("denominator")


def in_scope(user, unit: Unit, stmt: Select) -> Select:
    """Narrow `stmt` over Unit to the user's scope, unless `unit` (which the
    rows lie under) is itself in scope: then everything under it is, and a
    second ltree test would only make PostgreSQL misjudge how many rows come
    back (it multiplies the two selectivities) and pick a plan for three grids."""
    paths = scope_paths(user)
    if user.role in UNSCOPED_ROLES or any(unit.path == p or unit.path.startswith(p + ".") for p in paths):
        return stmt
    return stmt.where(unit_path_in_scope(user, Unit.path))


def grids_under(user, unit: Unit) -> Select:
    """Ids of the grids under `unit` that the user may see."""
    return in_scope(user, unit, grids_inside(unit))


def seen(stmt: Select, name: str):
    """The open records the user may see, as a CTE that PostgreSQL computes on
    its own (MATERIALIZED), before any grouping; callers narrow it inside (to
    the unit's grids as an array: ix_event_open_grid; to a map view: the
    spatial index). Merged into the outer query, the planner once weighed the
    visibility rule's grids and the unit's grids as independent filters,
    expected a tenth of the rows and read every event of every grid through
    ix_event_grid_reported."""
    return stmt.cte(name).prefix_with("MATERIALIZED")


def open_events_seen(user, now: datetime, *narrower):
    """id, grid_id, location, due_at, light of the open events the user may
    see (and that meet the `narrower` conditions on Event: a map view)."""
    return seen(select(Event.id, Event.grid_id, Event.location, Event.due_at,
                       event_queries.light_sql(now).label("light"))
                .where(*OPEN_EVENT, event_visible(user), *narrower), "open_events")


def open_disputes_seen(user, now: datetime, *narrower):
    """id, grid_id, location, light of the open (not archived) disputes the
    user may see (and that meet the `narrower` conditions on Dispute)."""
    return seen(select(Dispute.id, Dispute.grid_id, Dispute.location, dispute_queries.light_sql(now).label("light"))
                .where(Dispute.state != "archived", dispute_visible(user), *narrower), "open_disputes")


def light_parts(light) -> list:
    return [func.count().filter(light == name).label(name) for name in LIGHTS]


def overdue_events(user, unit: Unit, now: datetime) -> Select:
    # The inbox's red light and the supervisors' "overdue": open, the running step past its deadline.
    events = open_events_seen(user, now, in_grids(Event.grid_id, grids_under(user, unit)))
    return (select(events.c.grid_id, func.count().label("numerator"), no_denominator())
            .where(events.c.due_at <= now).group_by(events.c.grid_id))


def open_events(user, unit: Unit, now: datetime) -> Select:
    events = open_events_seen(user, now, in_grids(Event.grid_id, grids_under(user, unit)))
    return (select(events.c.grid_id, func.count().label("numerator"), no_denominator(),
                   *light_parts(events.c.light))
            .group_by(events.c.grid_id))


def open_disputes(user, unit: Unit, now: datetime) -> Select:
    disputes = open_disputes_seen(user, now)
    return (select(disputes.c.grid_id, func.count().label("numerator"), no_denominator(),
                   *light_parts(disputes.c.light))
            .where(disputes.c.grid_id.in_(grids_under(user, unit)))
            .group_by(disputes.c.grid_id))


def visit_coverage(user, unit: Unit, now: datetime) -> Select:
    """This month's coverage per grid as the visits count it (visits.queries)."""
    coverage = care_now(grids_under(user, unit), user, now, care_task.c.grid_id).subquery("coverage")
    return select(coverage.c.grid_id, coverage.c.covered.label("numerator"), coverage.c.active.label("denominator"))


def open_records(model) -> Callable[..., Select]:
    def rows(user, unit: Unit, now: datetime) -> Select:
        return (select(model.grid_id.label("grid_id"), func.count().label("numerator"), no_denominator())
                .where(model.status == "open", in_grids(model.grid_id, grids_under(user, unit)))
                .group_by(model.grid_id))
    return rows


MEASURES: dict[str, Measure] = {m.key: m for m in (
    Measure("overdue_events", _l("Overdue events"), "count", "more_is_worse", overdue_events,
            note=_l("Open events whose current step is past its deadline."), alarm=lambda v: v.numerator > 0),
    Measure("open_events", _l("Open events"), "count", "more_is_worse", open_events, parts=LIGHTS,
            note=_l("Events neither closed nor standing, by traffic light."), alarm=lambda v: v.parts["red"] > 0),
    Measure("visit_coverage", _l("Visit coverage this month"), "share", "less_is_worse", visit_coverage,
            note=_l("Care records visited within their interval, of the records open this month."),
            alarm=lambda v: v.numerator < 0.8 * v.denominator),
    Measure("open_disputes", _l("Open disputes"), "count", "more_is_worse", open_disputes, parts=LIGHTS,
            note=_l("Disputes not yet archived."), alarm=lambda v: v.parts["red"] > 0),
    Measure("elderly_records", _l("Elderly care records"), "count", "neutral", open_records(ElderlyRecord),
            note=_l("Open elderly care records.")),
    Measure("child_records", _l("Children's records"), "count", "neutral", open_records(ChildRecord),
            available=may_see_child_records, note=_l("Open records of children in need.")),
)}
DEFAULT = "overdue_events"


def available(user) -> list[Measure]:
    """The measures this user may colour the map by (child records only for
    the roles that may see them: otherwise the measure does not exist)."""
    return [m for m in MEASURES.values() if m.available(user)]


def get(user, key: str | None) -> Measure | None:
    measure = MEASURES.get(key or DEFAULT)
    return measure if measure is not None and measure.available(user) else None


def now_utc() -> datetime:
    return datetime.now(UTC)


def rolled_up(user, unit: Unit, measure: Measure, *, level: str, now: datetime):
    """The measure per unit at `level` (grid, or community = the sum over its
    grids), as a subquery (unit_id, numerator, denominator, *parts)."""
    grid_rows = measure.rows(user, unit, now).subquery("per_grid")
    sums = [grid_rows.c[p] for p in measure.parts]
    if level == "grid":
        return select(grid_rows.c.grid_id.label("unit_id"), grid_rows.c.numerator, grid_rows.c.denominator,
                      *sums).subquery("per_unit")
    grid = aliased(Unit, name="g")
    return (select(grid.parent_id.label("unit_id"), func.sum(grid_rows.c.numerator).label("numerator"),
                   func.sum(grid_rows.c.denominator).label("denominator"),
                   *[func.sum(c).label(c.name) for c in sums])
            .join(grid, grid.id == grid_rows.c.grid_id).group_by(grid.parent_id).subquery("per_unit"))


def units_at(user, unit: Unit, level: str) -> Select:
    """The units at `level` under `unit` (itself included) that the user may see."""
    return in_scope(user, unit, select(Unit).where(Unit.level == level, inside(unit)))


def with_values(stmt: Select, units, values, measure: Measure) -> Select:
    """Add the measure's columns to a select over `units` (a subquery of units)."""
    return (stmt.add_columns(values.c.numerator, values.c.denominator, *[values.c[p] for p in measure.parts])
            .outerjoin(values, values.c.unit_id == units.c.id))


def to_value(measure: Measure, numerator, denominator, parts) -> Value | None:
    if measure.kind == "share" and not denominator:
        return None
    return Value(int(numerator or 0), None if denominator is None else int(denominator),
                 {p: int(n or 0) for p, n in zip(measure.parts, parts)})


def values_by_unit(user, unit: Unit, key: str, *, level: str = "grid",
                   now: datetime | None = None) -> dict[int, Value | None]:
    """{unit id: Value} for every unit at `level` under `unit` that the user may
    see (None: a share with nothing to measure). One query. An unknown or
    unavailable measure is a KeyError."""
    measure = get(user, key)
    if measure is None:
        raise KeyError(key)
    units = units_at(user, unit, level).subquery("units")
    values = rolled_up(user, unit, measure, level=level, now=now or now_utc())
    rows = db.session.execute(with_values(select(units.c.id), units, values, measure))
    return {unit_id: to_value(measure, n, d, parts) for unit_id, n, d, *parts in rows}


def values_by_grid(user, unit: Unit, key: str, *, now: datetime | None = None) -> dict[int, Value | None]:
    """{grid id: Value} for every grid under `unit` the user may see."""
    return values_by_unit(user, unit, key, level="grid", now=now)


def all_values(user, unit: Unit, *, now: datetime | None = None) -> list[tuple[Measure, Value | None]]:
    """Every available measure's value for `unit` itself (a grid or a community:
    the side panel). One query per measure."""
    now = now or now_utc()
    return [(m, values_by_unit(user, unit, m.key, level=unit.level, now=now).get(unit.id)) for m in available(user)]

