"""Keeping the working calendar's corrections: edits by administrators, and
loading them into grid.workdays in every process."""
import time
from datetime import date

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from grid import workdays
from grid.audit.actions import register_actions
from grid.audit.services import record_audit
from grid.calendar.models import CalendarDay, CalendarYear
from grid.errors import FieldErrors
from grid.extensions import db

register_actions({"calendar.day": _l("Working calendar corrected"), "calendar.confirm": _l("Year's schedule confirmed"),
                  "calendar.remove": _l("Calendar correction removed")},
                 detail_keys={"day": _l("Day"), "working": _l("Working day"), "year": _l("Year")})

# Each process reloads the corrections at most this often, so an edit reaches
# every gunicorn worker within a minute (and the editing one at once).
RELOAD_SECONDS = 60
_loaded = {"at": 0.0}


def load_corrections() -> None:
    days = {d.day: d.is_working for d in db.session.scalars(select(CalendarDay))}
    years = set(db.session.scalars(select(CalendarYear.year)))
    workdays.set_overrides(days, confirmed_years=years)
    _loaded["at"] = time.monotonic()


def init_app(app: Flask) -> None:
    workdays.set_office_hours(workdays.parse_office_hours(app.config["OFFICE_HOURS"]))

    @app.before_request
    def refresh_corrections():
        if time.monotonic() - _loaded["at"] > RELOAD_SECONDS:
            load_corrections()


def set_day(*, day: date, is_working: bool, name: str, by) -> None:
    """Record a correction for one day (commits) and apply it in this process."""
    if day.year < 2000 or day.year > 2100:
        raise FieldErrors({"day": _("Choose a date between 2000 and 2100.")})
    entry = db.session.get(CalendarDay, day) or CalendarDay(day=day)
    entry.is_working, entry.name, entry.updated_by_id = is_working, name.strip() or None, by.id
    db.session.add(entry)
    record_audit("calendar.day", actor=by, detail={"day": day.isoformat(), "working": is_working})
    db.session.commit()
    load_corrections()


def remove_day(*, day: date, by) -> None:
    entry = db.session.get(CalendarDay, day)
    if entry is not None:
        db.session.delete(entry)
        record_audit("calendar.remove", actor=by, detail={"day": day.isoformat()})
        db.session.commit()
        load_corrections()


def confirm_year(*, year: int, by) -> None:
    """The year's schedule as entered is the official one: no longer provisional (commits)."""
    if db.session.get(CalendarYear, year) is None:
        db.session.add(CalendarYear(year=year, confirmed_by_id=by.id))
        record_audit("calendar.confirm", actor=by, detail={"year": year})
        db.session.commit()
        load_corrections()


def year_view(year: int) -> dict:
    """What the calendar says about a year: its days off on weekdays, its
    working weekends, and the corrections."""
    first = date(year, 1, 1)
    days = [first + workdays.ONE_DAY * n for n in range((date(year, 12, 31) - first).days + 1)]
    return {
        "year": year,
        "provisional": workdays.is_provisional(date(year, 6, 1)),
        "confirmed": db.session.get(CalendarYear, year) is not None,
        "weekday_holidays": [d for d in days if d.weekday() < 5 and not workdays.is_working_day(d)],
        "working_weekends": [d for d in days if d.weekday() >= 5 and workdays.is_working_day(d)],
        "corrections": list(db.session.scalars(select(CalendarDay).where(
            CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)).order_by(CalendarDay.day))),
    }
