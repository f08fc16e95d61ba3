"""Dispute numbers for a unit and each unit one level below it, over a period
(this month, last month, this year on Shanghai's wall clock): what was
registered and of which type, what mediation concluded and resolved, and what
is overdue or due for a follow-up now. One set-based query whatever the
number of cases or units; every case counts under the grid it lies in.

- registered: registered (`registered_on`) in the period;
- concluded: the committee approved the outcome in the period, whatever it
  was, except a withdrawn application (declined cases are never approved);
- resolved (化解成功): concluded with a full agreement. A partly agreed case
  is concluded but not resolved: part of the dispute is still open;
- resolution rate (化解率): resolved / concluded, None when nothing concluded;
- overdue: open now (waiting to be accepted or mediating) past the case's
  time limit (完成时限), whatever the period;
- follow-ups due: being followed up with the follow-up date today or earlier.

A case sent back to mediation after a follow-up loses its approval, so it
counts again when it is next approved, not in the period of the first one."""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, or_, select, tuple_
from sqlalchemy.orm import aliased

from grid import workdays
from grid.accounts.access import unit_path_in_scope
from grid.disputes.labels import TYPES
from grid.disputes.limits import LIMIT_RUNNING
from grid.disputes.models import Dispute
from grid.disputes.scope import visible
from grid.extensions import db
from grid.places.models import Unit
from grid.unit_numbers import Row, UnitNumbers

CONCLUDED_OUTCOMES = ("agreement", "partial", "failed", "referred")
RESOLVED_OUTCOME = "agreement"


@dataclass
class Numbers:
    registered: int = 0
    concluded: int = 0
    resolved: int = 0
    overdue: int = 0
    follow_ups_due: int = 0
    by_type: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TYPES, 0))   # registered, by type

    @property
    def resolution_rate(self) -> float | None:
        return self.resolved / self.concluded if self.concluded else None


def unit_numbers(unit: Unit, user, period_start: datetime, period_end: datetime, now: datetime) -> UnitNumbers:
    """The numbers of `unit` and of each unit directly below it (a grid stands
    for itself), for the disputes the user may see. Counts use [period_start,
    period_end); "overdue" and "follow-ups due" are as of `now`."""
    child, grid = aliased(Unit, name="child"), aliased(Unit, name="g")
    below = child.id == unit.id if unit.level == "grid" else child.parent_id == unit.id
    children = and_(below, unit_path_in_scope(user, child.path))
    in_grid = and_(grid.level == "grid", grid.path.descendant_of(child.path))

    # registered_on is a Shanghai date; the bounds are Shanghai midnights.
    first_day = period_start.astimezone(workdays.SHANGHAI).date()
    end_day = period_end.astimezone(workdays.SHANGHAI).date()
    registered = and_(Dispute.registered_on >= first_day, Dispute.registered_on < end_day)
    approved = and_(Dispute.approved_at >= period_start, Dispute.approved_at < period_end)
    concluded = and_(approved, Dispute.outcome.in_(CONCLUDED_OUTCOMES))
    resolved = and_(approved, Dispute.outcome == RESOLVED_OUTCOME)
    overdue = and_(Dispute.state.in_(LIMIT_RUNNING), Dispute.time_limit_at < now)
    due = and_(Dispute.state == "follow_up", Dispute.follow_up_on <= now.astimezone(workdays.SHANGHAI).date())
    counts = (
        select(child.id, child.name,
               func.count(Dispute.id).filter(registered), func.count(Dispute.id).filter(concluded),
               func.count(Dispute.id).filter(resolved), func.count(Dispute.id).filter(overdue),
               func.count(Dispute.id).filter(due),
               *(func.count(Dispute.id).filter(registered, Dispute.type == code) for code in TYPES))
        .select_from(child)
        .outerjoin(grid, in_grid)
        .outerjoin(Dispute, and_(Dispute.grid_id == grid.id, visible(user), or_(registered, approved, overdue, due)))
        .where(children)
        # One composite ROLLUP column: a row per child plus the grand total (id NULL).
        .group_by(func.rollup(tuple_(child.id, child.name, child.code)))
        .order_by(child.code.nulls_first()))

    total, rows = Numbers(), []
    for child_id, name, *values in db.session.execute(counts):
        numbers = Numbers(*values[:5], by_type=dict(zip(TYPES, values[5:])))
        if child_id is None:
            total = numbers
        else:
            rows.append(Row(child_id, name, numbers))
    return UnitNumbers(total=total, children=rows)
