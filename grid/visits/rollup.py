"""The monthly visit coverage rollup (coverage_month): a closed month's
coverage per grid and kind of record, computed once for the whole district
with the same COVERAGE query the live figures use, so that the dashboard's
12-month chart reads a few hundred stored rows instead of probing every
record's visits at every month's end.

A month is closed once nothing can still change it: visits are dated at
most MAX_ENTRY_DELAY before the server received them (services.visit_time),
and care records are created and closed at the server's clock, never
back-dated. From then on the stored figure is the month as it stood; the
live query would re-read it through today's households and cadence policy
(a household that moved since counts under its new grid), which is not what
a month's figure should do.

Filled when first asked for: the dashboard rolls up the closed months it
shows that are missing (one set-based query for every grid, not per unit),
so the figures never depend on a cron job having run; `flask grid
rollup-coverage` from cron stores a month before anyone asks, so that no
dashboard request pays for it. Concurrent fills of
the same month store the same figure, the second one ignored."""
from datetime import date, datetime

from sqlalchemy import ARRAY, Date, func, literal, select, text

from grid.accounts.access import may_see_child_records
from grid.extensions import db
from grid.visits.models import CoverageMonth
from grid.visits.queries import COVERAGE_OF, LISTED_MONTHS, VISITED_BY_MONTH_END
from grid.visits.services import MAX_ENTRY_DELAY
from grid.workdays import SHANGHAI

# How far back the sweep keeps the rollup filled: the dashboard's longest window.
KEEP_MONTHS = 12

ROLL_UP = f"""
INSERT INTO coverage_month (grid_id, month, kind, active, covered)
SELECT g.id, m.m::date, k.kind, coalesce(c.active, 0), coalesce(c.covered, 0)
  FROM unit g CROSS JOIN {LISTED_MONTHS} m(m) CROSS JOIN (VALUES ('elderly'), ('child')) k(kind)
  LEFT JOIN ({COVERAGE_OF.format(month_list=LISTED_MONTHS, grid_filter="TRUE", child_filter="",
                                 group="months.m, records.grid_id, records.kind", visited=VISITED_BY_MONTH_END)}
  ) c ON c.m = m.m AND c.grid_id = g.id AND c.kind = k.kind
 WHERE g.level = 'grid'
    ON CONFLICT DO NOTHING
"""


def month_end(first: date) -> datetime:
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return datetime(following.year, following.month, 1, tzinfo=SHANGHAI)


def is_closed(first: date, now: datetime) -> bool:
    """Whether the month starting `first` can no longer change: a visit
    entered late may still be dated up to MAX_ENTRY_DELAY before now."""
    return month_end(first) + MAX_ENTRY_DELAY <= now


def closed_months(now: datetime, back: int = KEEP_MONTHS) -> list[date]:
    """The closed months among the `back` before this one, oldest first."""
    today = now.astimezone(SHANGHAI).date()
    index = today.year * 12 + today.month - 1
    firsts = [date(i // 12, i % 12 + 1, 1) for i in range(index - back, index)]
    return [m for m in firsts if is_closed(m, now)]


def rolled_up(months: list[date]) -> set[date]:
    """The months stored already; every dashboard request asks, so one
    EXISTS per month, each stopping at its first row."""
    if not months:
        return set()
    wanted = func.unnest(literal(months, ARRAY(Date))).table_valued("first").render_derived(name="wanted")
    stored = select(CoverageMonth.grid_id).where(CoverageMonth.month == wanted.c.first).exists()
    return set(db.session.scalars(select(wanted.c.first).where(stored)))


def roll_up(now: datetime, back: int = KEEP_MONTHS) -> list[date]:
    """Store the closed months of the last `back` not stored yet, for every
    grid in one set-based query (commits); returns the months added. Safe to
    run concurrently: a month two runs compute is the same figure twice."""
    closed = closed_months(now, back)
    stored = rolled_up(closed)
    missing = [m for m in closed if m not in stored]
    if missing:
        db.session.execute(text(ROLL_UP), {"months": missing})
        db.session.commit()
    return missing


def stored_coverage(grids, user, months: list[date]) -> dict[date, tuple[int, int]]:
    """(active, covered) per stored month over `grids` (a select of grid
    ids), children's records only for those who may see them. A month is
    missing when none of the grids has a row for it (not rolled up yet)."""
    stmt = (select(CoverageMonth.month, func.sum(CoverageMonth.active), func.sum(CoverageMonth.covered))
            .where(CoverageMonth.grid_id.in_(grids), CoverageMonth.month.in_(months)).group_by(CoverageMonth.month))
    if not may_see_child_records(user):
        stmt = stmt.where(CoverageMonth.kind != "child")
    return {month: (int(active), int(covered)) for month, active, covered in db.session.execute(stmt)}


