"""The dashboard of a street office, community or grid (docs/dashboard.md):
the months it shows, whose dashboard /dashboard opens, what a user may reach
from it. The cards' numbers are in dashboard_cards.py, counted in the grids
the map counts in (maps.measures.grids_under)."""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from grid.accounts.access import scope_paths
from grid.accounts.roles import UNSCOPED_ROLES
from grid.extensions import db
from grid.places.models import Unit
from grid.workdays import SHANGHAI

MONTH_CHOICES = (6, 12)


@dataclass(frozen=True)
class Window:
    """The months a dashboard shows, oldest first, on Shanghai's wall clock."""
    months: list[date]           # the first day of each month
    start: datetime              # the first month's first moment
    end: datetime                # the moment after the last month

    @property
    def end_day(self) -> date:
        return self.end.date()

    @property
    def bounds(self) -> list[datetime]:
        """Each month's first moment, and the end."""
        return [datetime(m.year, m.month, m.day, tzinfo=SHANGHAI) for m in self.months] + [self.end]


def month_window(months: int, now: datetime) -> Window:
    """This month and the `months - 1` before it (an unknown count is 12)."""
    months = months if months in MONTH_CHOICES else MONTH_CHOICES[-1]
    today = now.astimezone(SHANGHAI).date()
    index = today.year * 12 + today.month - 1           # months since year 0: easy to step back
    firsts = [date(i // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 2)]
    start, end = (datetime(d.year, d.month, d.day, tzinfo=SHANGHAI) for d in (firsts[0], firsts[-1]))
    return Window(months=firsts[:-1], start=start, end=end)


def home_unit(user) -> Unit | None:
    """The unit whose dashboard /dashboard opens: the user's first scope unit;
    an administrator's is the top of the hierarchy."""
    if user.role in UNSCOPED_ROLES:
        return db.session.scalar(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.code).limit(1))
    return min(user.scope_units, key=lambda unit: unit.code, default=None)


def parent_in_scope(unit: Unit, user) -> Unit | None:
    """The unit one level up, when the user may open its dashboard too."""
    if unit.parent_id is None:
        return None
    parent_path = unit.path.rsplit(".", 1)[0]
    if user.role in UNSCOPED_ROLES or any(parent_path == p or parent_path.startswith(p + ".")
                                          for p in scope_paths(user)):
        return unit.parent
    return None


def lists_cover(unit: Unit, user) -> bool:
    """Whether the user's own lists that cannot be narrowed to a unit (the
    care registers, the task list) show exactly this unit's records: only
    then do the care numbers link to them."""
    if user.role in UNSCOPED_ROLES:
        return unit.parent_id is None
    return [u.id for u in user.scope_units] == [unit.id]


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None
