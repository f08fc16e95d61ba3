"""The administrators' page for the working calendar."""
from datetime import date

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from grid.accounts.access import roles_required
from grid.accounts.roles import Role
from grid.calendar import services
from grid.errors import FieldErrors

bp = Blueprint("calendar", __name__, url_prefix="/admin/calendar")


@bp.get("")
@roles_required(Role.ADMIN)
def year():
    chosen = request.args.get("year", date.today().year + 1, type=int)
    return render_template("calendar/year.html", view=services.year_view(min(max(chosen, 2004), 2100)), errors={})


@bp.post("")
@roles_required(Role.ADMIN)
def change():
    action = request.form.get("action")
    try:
        day = date.fromisoformat(request.form.get("day", ""))
    except ValueError:
        day = None
    year = request.form.get("year", type=int) or (day.year if day else date.today().year + 1)
    try:
        if action == "confirm":
            services.confirm_year(year=year, by=current_user)
        elif day is None:
            raise FieldErrors({"day": "—"})
        elif action == "remove":
            services.remove_day(day=day, by=current_user)
        else:
            services.set_day(day=day, is_working=request.form.get("is_working") == "y",
                             name=request.form.get("name", ""), by=current_user)
    except FieldErrors as error:
        return render_template("calendar/year.html", view=services.year_view(year), errors=error.errors), 422
    return redirect(url_for("calendar.year", year=year))
