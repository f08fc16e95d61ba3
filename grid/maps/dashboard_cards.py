"""The dashboard's cards, each one or two set-based queries over the unit's
grids whatever the number of units or months, reusing the features' own
definitions: the events' lights and on-time rule (events.queries,
events.stats), the disputes' concluded and resolved outcomes
(disputes.stats), visit coverage and the task list's overdue rank
(visits.queries). Everything is narrowed to the unit and the user's scope
(measures.grids_under plus each feature's visible()); children's records
only for the roles that may see them."""
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, distinct, func, literal_column, or_, select, tuple_, union_all

from grid.accounts.access import in_grids, may_see_child_records
from grid.disputes import stats as dispute_stats
from grid.disputes.labels import TYPES
from grid.disputes.limits import LIMIT_RUNNING
from grid.disputes.models import Dispute
from grid.disputes.scope import visible as dispute_visible
from grid.events import stats as event_stats
from grid.events.models import Event
from grid.events.queries import light_sql
from grid.events.scope import visible as event_visible
from grid.extensions import db
from grid.maps import charts
from grid.maps.dashboard import Window, rate
from grid.maps.measures import grids_under
from grid.places.models import Unit
from grid.registry.care_models import ChildRecord, ElderlyRecord
from grid.registry.vocab import CHILD_CATEGORIES, ELDERLY_CATEGORIES
from grid.unit_numbers import UnitNumbers
from grid.visits import queries as visit_queries
from grid.visits import rollup as coverage_rollup

LIGHTS = ("red", "yellow", "green")
# The inbox's "open" tab: an event on the standing list has no clock, so no light.
NOT_OPEN = ("closed", "standing")


def window_month(column, window: Window):
    """Which of the window's months a moment falls in: 1 for the first, 0
    before, len(months) + 1 after. A binary search over the months' first
    moments; converting each event's times to Shanghai's wall clock cost as
    much as reading the events (a street office's year: 100 ms against 51).
    The bounds are inlined rather than bound: PostgreSQL matches GROUP BY
    expressions to the SELECT list, and two bound parameters never match."""
    bounds = ",".join(f'"{moment.isoformat()}"' for moment in window.bounds)
    return func.width_bucket(column, literal_column(f"'{{{bounds}}}'::timestamptz[]"))


# --- the headline numbers -------------------------------------------------

@dataclass
class Headline:
    lights: dict[str, int]       # open events (the inbox's open tab) by light
    open_disputes: int
    overdue_disputes: int
    coverage: tuple[int, int]    # this month's (active, covered) care records
    overdue_visits: int

    @property
    def open_events(self) -> int:
        return sum(self.lights.values())

    @property
    def coverage_rate(self) -> float | None:
        return rate(self.coverage[1], self.coverage[0])

    @property
    def light_segments(self) -> list[charts.Segment]:
        return charts.stacked_bar(list(self.lights.items()))


def event_lights(unit: Unit, user, now: datetime) -> dict[str, int]:
    """The unit's open events by light, from the index of open events by grid alone."""
    light = light_sql(now)
    counts = db.session.execute(
        select(*(func.count().filter(light == name) for name in LIGHTS))
        .where(Event.state != "closed", Event.state.notin_(NOT_OPEN), event_visible(user),
               in_grids(Event.grid_id, grids_under(user, unit)))).one()
    return dict(zip(LIGHTS, counts))


def headline(unit: Unit, user, window: Window, now: datetime) -> Headline:
    disputes = dispute_numbers(unit, user, window, now).total
    # This month's coverage and the visits overdue now (the task list's rank), in one pass.
    active, covered, overdue = db.session.execute(visit_queries.care_now(grids_under(user, unit), user, now)).one()
    return Headline(lights=event_lights(unit, user, now), open_disputes=disputes.open,
                    overdue_disputes=disputes.numbers.overdue, coverage=(active, covered), overdue_visits=overdue)


# --- visit coverage by month ----------------------------------------------

@dataclass
class MonthCoverage:
    month: date
    active: int
    covered: int

    @property
    def rate(self) -> float | None:
        return rate(self.covered, self.active)


@dataclass
class Coverage:
    months: list[MonthCoverage]
    chart: charts.Chart


def coverage(unit: Unit, user, window: Window, now: datetime) -> Coverage:
    """Closed months from the rollup (visits.rollup), rolling up first any
    not stored yet (the whole district's year takes seconds, once); last
    month live for the 12 hours before it closes; this month from each
    record's last visit (coverage_now: the same figure without the visits)."""
    *past, this_month = window.months
    coverage_rollup.roll_up(now, back=len(past))
    found = coverage_rollup.stored_coverage(grids_under(user, unit), user, past)
    open_months = [m for m in past if m not in found]
    if open_months:
        found.update((m.date(), (active, covered))
                     for m, active, covered in visit_queries.coverage_of_months(unit, user, open_months))
    found[this_month] = visit_queries.coverage_now(unit, user)
    months = [MonthCoverage(m, *found.get(m, (0, 0))) for m in window.months]
    chart = charts.line_chart([m.month for m in months],
                              [None if m.rate is None else 100 * m.rate for m in months])
    return Coverage(months=months, chart=chart)


# --- events received and closed per month -----------------------------------

@dataclass
class EventMonth:
    month: date
    received: int = 0
    closed: int = 0


@dataclass
class EventTrend:
    months: list[EventMonth]
    chart: charts.Chart

    @property
    def received(self) -> int:
        return sum(m.received for m in self.months)

    @property
    def closed(self) -> int:
        return sum(m.closed for m in self.months)


def event_trend(unit: Unit, user, window: Window, now: datetime) -> EventTrend:
    """Events reported and closed in each month of the window: one pass over
    the unit's events, grouped twice (by the month reported, by the month closed)."""
    received, closed = window_month(Event.reported_at, window), window_month(Event.closed_at, window)
    rows = db.session.execute(
        select(received, closed, func.count())
        .where(in_grids(Event.grid_id, grids_under(user, unit)), event_visible(user),
               or_(Event.reported_at >= window.start, Event.closed_at >= window.start))
        .group_by(func.grouping_sets(tuple_(received), tuple_(closed))))
    ordered = [EventMonth(m) for m in window.months]
    in_window = range(1, len(ordered) + 1)
    for received_month, closed_month, count in rows:
        # In the "by month reported" set the closed column is NULL, and the
        # other way round; NULL in both is the open events' group (not closed).
        if received_month is not None:
            if received_month in in_window:
                ordered[received_month - 1].received = count
        elif closed_month in in_window:
            ordered[closed_month - 1].closed = count
    chart = charts.column_chart([m.month for m in ordered],
                                [[m.received for m in ordered], [m.closed for m in ordered]])
    return EventTrend(months=ordered, chart=chart)


# --- on-time rate and overdue now per unit below ----------------------------

@dataclass
class UnitRows:
    numbers: UnitNumbers         # events.stats rows: closed, closed_on_time, overdue …
    overdue_top: float           # the overdue bars' full length

    @property
    def children(self):
        return self.numbers.children


def unit_rows(unit: Unit, user, window: Window, now: datetime) -> UnitRows:
    numbers = event_stats.unit_numbers(unit, user, window.start, window.end, now, with_step_times=False)
    largest = max((row.numbers.overdue for row in numbers.children), default=0)
    return UnitRows(numbers=numbers, overdue_top=charts.nice_axis(largest).top)


# --- disputes by type -------------------------------------------------------

@dataclass
class DisputeRow:
    type: str | None             # None: every type
    open: int = 0                # not archived, now
    numbers: dispute_stats.Numbers = field(default_factory=dispute_stats.Numbers)


@dataclass
class DisputeTypes:
    total: DisputeRow
    rows: list[DisputeRow]
    top: float                   # the registered bars' full length


def dispute_numbers(unit: Unit, user, window: Window, now: datetime) -> DisputeTypes:
    """Per type: registered, concluded and resolved in the window (the
    disputes numbers' definitions), open and overdue now; ROLLUP adds the total."""
    registered = and_(Dispute.registered_on >= window.months[0], Dispute.registered_on < window.end_day)
    approved = and_(Dispute.approved_at >= window.start, Dispute.approved_at < window.end)
    concluded = and_(approved, Dispute.outcome.in_(dispute_stats.CONCLUDED_OUTCOMES))
    resolved = and_(approved, Dispute.outcome == dispute_stats.RESOLVED_OUTCOME)
    overdue = and_(Dispute.state.in_(LIMIT_RUNNING), Dispute.time_limit_at < now)
    is_open = Dispute.state != "archived"
    rows = db.session.execute(
        select(Dispute.type, func.count().filter(is_open), func.count().filter(registered),
               func.count().filter(concluded), func.count().filter(resolved), func.count().filter(overdue))
        .where(Dispute.grid_id.in_(grids_under(user, unit)), dispute_visible(user),
               or_(registered, approved, is_open))
        .group_by(func.rollup(Dispute.type)))
    found = {}
    for code, open_now, *numbers in rows:
        registered_n, concluded_n, resolved_n, overdue_n = numbers
        found[code] = DisputeRow(code, open_now, dispute_stats.Numbers(
            registered=registered_n, concluded=concluded_n, resolved=resolved_n, overdue=overdue_n))
    by_type = [found.get(code) or DisputeRow(code) for code in TYPES]
    largest = max((row.numbers.registered for row in by_type), default=0)
    return DisputeTypes(total=found.get(None) or DisputeRow(None), rows=by_type,
                        top=charts.nice_axis(largest).top)


# --- care records by category ----------------------------------------------

@dataclass
class CareCategories:
    elderly: dict[str, int]      # open records per category (a record counts under each of its categories)
    elderly_total: int
    children: dict[str, int] | None    # None: the user may not see children's records
    children_total: int
    elderly_top: float           # each list's bars' full length
    children_top: float


def care_categories(unit: Unit, user, window: Window, now: datetime) -> CareCategories:
    """Open care records under the unit by category, in one pass over the
    unit's households: a row per (kind, category) and, by ROLLUP, per kind.
    Distinct records, so an elderly person in two categories counts once in
    the total (every elderly record has at least one category: checked on save)."""
    kind = literal_column("'elderly'").label("kind")
    parts = [select(kind, ElderlyRecord.id.label("record_id"), ElderlyRecord.grid_id,
                    func.unnest(ElderlyRecord.categories).label("category")).where(ElderlyRecord.status == "open")]
    shows_children = may_see_child_records(user)
    if shows_children:
        parts.append(select(literal_column("'child'"), ChildRecord.id, ChildRecord.grid_id, ChildRecord.category)
                     .where(ChildRecord.status == "open"))
    records = union_all(*parts).subquery("records")
    rows = db.session.execute(
        select(records.c.kind, records.c.category, func.count(distinct(records.c.record_id)))
        .where(in_grids(records.c.grid_id, grids_under(user, unit)))
        .group_by(func.rollup(records.c.kind, records.c.category)))
    counts = {"elderly": {}, "child": {}}
    for kind_name, category, count in rows:
        if kind_name is not None:                  # the grand total over both kinds means nothing here
            counts[kind_name][category] = count
    elderly_counts = {code: counts["elderly"].get(code, 0) for code in ELDERLY_CATEGORIES}
    child_counts = {code: counts["child"].get(code, 0) for code in CHILD_CATEGORIES} if shows_children else None
    return CareCategories(elderly=elderly_counts, elderly_total=counts["elderly"].get(None, 0),
                          children=child_counts, children_total=counts["child"].get(None, 0),
                          elderly_top=charts.nice_axis(max(elderly_counts.values(), default=0)).top,
                          children_top=charts.nice_axis(max((child_counts or {}).values(), default=0)).top)


# Each card of the page, by the name in its URL, in the order shown.
CARDS = {"headline": headline, "visits": coverage, "events": event_trend, "units": unit_rows,
         "disputes": dispute_numbers, "care": care_categories}


def cards_for(unit: Unit) -> list[str]:
    # A grid is its own only unit below: its per-unit card would repeat the headline.
    return [name for name in CARDS if not (name == "units" and unit.level == "grid")]


def card(name: str, *, unit: Unit, user, window: Window, now: datetime):
    """One card's numbers (the name must be one of `cards_for(unit)`)."""
    return CARDS[name](unit, user, window, now)


def all_cards(*, unit: Unit, user, window: Window, now: datetime) -> dict:
    """Every card's numbers, for the printable page."""
    return {name: card(name, unit=unit, user=user, window=window, now=now) for name in cards_for(unit)}
