"""Screening reports (排查) and zero reports (零报告) per unit and period; missing screenings."""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from grid.accounts.access import get_unit_or_404, roles_required
from grid.disputes import screening
from grid.disputes.scope import AREA_ROLES, DISPUTE_ROLES, REGISTER_ROLES
from grid.disputes.services import today
from grid.errors import DomainError, FieldErrors
from grid.htmx import wants_fragment

bp = Blueprint("screenings", __name__)

CADENCE_LABELS = {"half_month": _l("every half month"), "month": _l("every month")}


def row_id(report) -> str:
    return f"screening-{report.unit_id}-{report.start.isoformat()}"


@bp.record_once
def screening_helpers(state):
    state.app.jinja_env.globals["screening_row_id"] = row_id


def page(failed: dict | None = None, status: int = 200):
    """The user's own units with their recent periods, and for community and
    street staff the units below theirs (previous and current period)."""
    day = today()
    units = screening.reporting_units(current_user)
    history = screening.unit_history(units, day)
    below = [(unit, screening.rows_by_unit(screening.reports_below(unit, day, include_root=False)))
             for unit in units if unit.level != "grid"]
    return render_template("disputes/screenings.html", units=units, history=history, below=below,
                           failed=failed or {}, may_register=current_user.role in REGISTER_ROLES,
                           cadence=screening.cadence, cadence_labels=CADENCE_LABELS), status


@bp.get("/screenings")
@roles_required(*AREA_ROLES)
def screenings():
    return page()


def form_date(name: str) -> date | None:
    try:
        return date.fromisoformat(request.form.get(name, "").strip())
    except ValueError:
        return None


@bp.post("/screenings")
@roles_required(*AREA_ROLES)
def file_zero_report():
    """File "nothing found" for one unit and period: htmx swaps that period's row."""
    try:
        unit_id = int(request.form.get("unit_id", ""))
    except ValueError:
        abort(404)
    unit = get_unit_or_404(current_user, unit_id)
    if unit.id not in {u.id for u in screening.reporting_units(current_user)}:
        abort(404)
    start = form_date("period_start")
    try:
        _screening, created = screening.file_zero_report(unit=unit, period_start=start,
                                                         note=request.form.get("note", ""), by=current_user)
    except DomainError as error:
        errors = error.errors if isinstance(error, FieldErrors) else {error.field or "form": error.message}
        failed = {"unit_id": unit.id, "start": start, "errors": errors, "message": error.message,
                  "typed": request.form}
        if wants_fragment() and start is not None:
            return row(unit, start, failed, error.status)
        return page(failed, error.status)
    if wants_fragment():
        return row(unit, start)
    flash(_("Zero report filed.") if created else _("This period was already reported."), "success")
    return redirect(url_for("screenings.screenings", _anchor=f"screening-{unit.id}-{start.isoformat()}"))


def row(unit, start: date, failed: dict | None = None, status: int = 200):
    """One period's row of the page, for htmx to swap in."""
    reports = screening.unit_history([unit], today())[unit.id]
    report = next((r for r in reports if r.start == start), None)
    if report is None:  # a period not on the page: show the error on its own
        return render_template("errors/_error.html", status=status, title=_("Please check your input"),
                               message=(failed or {}).get("message", "")), status
    return render_template("disputes/_screening_row.html", report=report, unit=unit, failed=failed or {},
                           may_register=current_user.role in REGISTER_ROLES), status


@bp.get("/units/<int:unit_id>/screenings/missing")
@roles_required(*DISPUTE_ROLES)
def missing(unit_id: int):
    """A compact card on community and street pages: who has not filed (htmx fragment)."""
    unit = get_unit_or_404(current_user, unit_id)
    return render_template("disputes/_missing_screenings.html", unit=unit,
                           missing=screening.missing_below(unit, today()), may_open=current_user.role in AREA_ROLES)
