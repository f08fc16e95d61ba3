"""Screening periods (排查): each grid and community reports every half month,
each street office every month (`SCREENING_CADENCE`) — the disputes found,
which are registered from the screening, or an explicit "nothing found"
(零报告). A period without either is a missing screening.

Who reports for a unit is whoever acts for it (grid workers and leaders for
their grids, community staff for their community, street staff for their
street office). A missed period may be reported late, up to LATE_PERIODS
periods back; it then shows as filed late."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Boolean, Date, String, and_, cast, column, func, select, values
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import aliased

from grid import workdays
from grid.accounts.acting import acts_for
from grid.accounts.models import User
from grid.disputes.models import Dispute, Screening
from grid.errors import DomainError, raise_field_errors
from grid.extensions import db
from grid.places.models import Ltree, Unit

CADENCES = ("half_month", "month")
# How many periods before the current one may still be reported (late); the
# screenings page shows the current period and these.
LATE_PERIODS = 6
NOTE_MAX = 1000


def cadence(level: str) -> str | None:
    return current_app.config["SCREENING_CADENCE"].get(level)


def period_of(kind: str, day: date) -> tuple[date, date]:
    """The period containing `day`: the 1st–15th or 16th–last of a month, or the month."""
    last = calendar.monthrange(day.year, day.month)[1]
    if kind == "month":
        return day.replace(day=1), day.replace(day=last)
    if kind == "half_month":
        if day.day <= 15:
            return day.replace(day=1), day.replace(day=15)
        return day.replace(day=16), day.replace(day=last)
    raise ValueError(f"unknown screening cadence {kind!r}")


def previous_period(kind: str, start: date) -> tuple[date, date]:
    return period_of(kind, start - timedelta(days=1))


def recent_periods(kind: str, day: date, back: int = LATE_PERIODS) -> list[tuple[date, date]]:
    """The period containing `day` and the `back` periods before it, newest first."""
    periods = [period_of(kind, day)]
    for _n in range(back):
        periods.append(previous_period(kind, periods[-1][0]))
    return periods


def local_day(moment: datetime) -> date:
    return moment.astimezone(workdays.SHANGHAI).date()


def found_in_screening(unit: Unit, now: datetime, by) -> Screening:
    """The unit's screening report for the current period, made if missing:
    a dispute registered from screening is what that screening found (and a
    zero report filed earlier in the period is corrected)."""
    kind = cadence(unit.level) or "half_month"
    start, end = period_of(kind, now.astimezone(workdays.SHANGHAI).date())
    db.session.execute(pg_insert(Screening).values(
        unit_id=unit.id, period_start=start, period_end=end, nothing_found=False, reported_by_id=by.id,
        reported_at=now, version=1).on_conflict_do_nothing(index_elements=["unit_id", "period_start"]))
    screening = db.session.scalar(select(Screening).where(Screening.unit_id == unit.id,
                                                          Screening.period_start == start))
    if screening.nothing_found:
        screening.nothing_found = False
        screening.version += 1
    return screening


# --- filing a zero report --------------------------------------------------------------

def reporting_units(user: User) -> list[Unit]:
    """The units `user` files screening reports for, by code."""
    return [unit for unit in user.scope_units
            if cadence(unit.level) and acts_for(user, unit.level, unit.id)]


def file_zero_report(*, unit: Unit, period_start: date | None, note: str, by,
                     now: datetime | None = None) -> tuple[Screening, bool]:
    """Report that the screening of `unit` for the period starting on
    `period_start` found nothing (零报告); commits. Filing the same period
    again changes nothing; returns (screening, created). The current period
    and up to LATE_PERIODS before it may be filed (a past one is filed late).
    Raises DomainError when `by` does not report for the unit or disputes
    found in that period's screening are registered, FieldErrors
    (period_start, note) for a period that is not one, in the future or too
    long ago, or a note that is too long."""
    kind = cadence(unit.level)
    if kind is None or not acts_for(by, unit.level, unit.id):
        raise DomainError(_("You do not file screening reports for this unit."))
    now = now or datetime.now(timezone.utc)
    note = (note or "").strip()
    errors: dict[str, str | None] = {}
    current_start = period_of(kind, local_day(now))[0]
    oldest_start = recent_periods(kind, local_day(now))[-1][0]
    if period_start is None or period_of(kind, period_start)[0] != period_start:
        errors["period_start"] = _("Choose a period from the list.")
    elif period_start > current_start:
        errors["period_start"] = _("This period has not started yet: it cannot be reported before it begins.")
    elif period_start < oldest_start:
        errors["period_start"] = _("This period is too long ago to be reported (at most %(n)s periods back).",
                                   n=LATE_PERIODS)
    if len(note) > NOTE_MAX:
        errors["note"] = _("At most %(n)s characters.", n=NOTE_MAX)
    raise_field_errors(errors)
    period_end = period_of(kind, period_start)[1]
    # One report per unit and period: a second filing, or a dispute from
    # screening registered a moment ago, finds the row that is already there.
    inserted = db.session.execute(pg_insert(Screening).values(
        unit_id=unit.id, period_start=period_start, period_end=period_end, nothing_found=True,
        note=note or None, reported_by_id=by.id, reported_at=now, version=1)
        .on_conflict_do_nothing(index_elements=["unit_id", "period_start"]).returning(Screening.id)).scalar()
    screening = db.session.scalar(select(Screening).where(Screening.unit_id == unit.id,
                                                          Screening.period_start == period_start)
                                  .execution_options(populate_existing=True))
    if not screening.nothing_found:
        db.session.rollback()
        raise DomainError(_("Disputes found in this period's screening are already registered, so it cannot be "
                            "reported as “nothing found”."), field="period_start")
    db.session.commit()
    return screening, inserted is not None


# --- reading reports ---------------------------------------------------------------------

@dataclass(frozen=True)
class Report:
    """One unit's report for one period, or its absence."""

    unit_id: int
    unit_name: str
    unit_level: str
    start: date
    end: date
    is_current: bool
    screening: Screening | None = None
    found: int = 0                      # disputes registered from this screening
    reporter: str | None = None

    @property
    def status(self) -> str:
        if self.screening is None:
            return "missing"
        return "zero" if self.screening.nothing_found else "found"

    @property
    def is_late(self) -> bool:
        return self.screening is not None and local_day(self.screening.reported_at) > self.end


def found_count():
    """Per screening row of the query: how many disputes it found."""
    return (select(func.count(Dispute.id)).where(Dispute.screening_id == Screening.id)
            .correlate(Screening).scalar_subquery())


def unit_history(units: list[Unit], day: date) -> dict[int, list[Report]]:
    """Each unit's reports for the current period and the LATE_PERIODS before
    it, newest first, from one query."""
    periods = {unit.id: recent_periods(cadence(unit.level), day) for unit in units}
    if not units:
        return {}
    reporter = aliased(User)
    rows = db.session.execute(
        select(Screening, found_count(), reporter.full_name)
        .join(reporter, reporter.id == Screening.reported_by_id)
        .where(Screening.unit_id.in_(periods), Screening.period_start >= min(p[-1][0] for p in periods.values())))
    filed = {(s.unit_id, s.period_start): (s, n, name) for s, n, name in rows}
    history = {}
    for unit in units:
        history[unit.id] = [
            Report(unit.id, unit.name, unit.level, start, end, n == 0, *filed.get((unit.id, start), ()))
            for n, (start, end) in enumerate(periods[unit.id])]
    return history


def reports_below(root: Unit, day: date, *, include_root: bool = True) -> list[Report]:
    """For every unit at or below `root` that screens: its reports for the
    previous (completed) and the current period of its own cadence, in tree
    order, from one query."""
    rows = []
    for level, kind in current_app.config["SCREENING_CADENCE"].items():
        current = period_of(kind, day)
        previous = previous_period(kind, current[0])
        rows += [(level, previous[0], previous[1], False), (level, current[0], current[1], True)]
    periods = values(column("level", String), column("start", Date), column("end", Date),
                     column("is_current", Boolean), name="periods").data(rows)
    reporter = aliased(User)
    stmt = (select(Unit.id, Unit.name, Unit.level, periods.c.start, periods.c.end, periods.c.is_current,
                   Screening, found_count(), reporter.full_name)
            .select_from(Unit)
            .join(periods, periods.c.level == Unit.level)
            .outerjoin(Screening, and_(Screening.unit_id == Unit.id, Screening.period_start == periods.c.start))
            .outerjoin(reporter, reporter.id == Screening.reported_by_id)
            .where(Unit.path.descendant_of(cast(root.path, Ltree)))
            .order_by(Unit.path, periods.c.start))
    if not include_root:
        stmt = stmt.where(Unit.id != root.id)
    return [Report(uid, name, level, start, end, is_current, screening, n if screening else 0, who)
            for uid, name, level, start, end, is_current, screening, n, who in db.session.execute(stmt)]


@dataclass(frozen=True)
class UnitRow:
    unit_id: int
    unit_name: str
    unit_level: str
    previous: Report
    current: Report


def rows_by_unit(reports: list[Report]) -> list[UnitRow]:
    """Reports from `reports_below` paired per unit (previous, current)."""
    pairs: dict[int, list[Report]] = {}
    for report in reports:
        pairs.setdefault(report.unit_id, []).append(report)
    return [UnitRow(pair[0].unit_id, pair[0].unit_name, pair[0].unit_level, pair[0], pair[1])
            for pair in pairs.values()]


@dataclass(frozen=True)
class Missing:
    overdue: list[UnitRow]          # no report for the previous, completed period
    pending: list[UnitRow]          # none yet for the current period


def missing_below(root: Unit, day: date) -> Missing:
    """The units at or below `root` without a report for the previous
    (completed) period, and those without one yet for the current period."""
    rows = rows_by_unit(reports_below(root, day))
    return Missing(overdue=[row for row in rows if row.previous.screening is None],
                   pending=[row for row in rows if row.current.screening is None])
