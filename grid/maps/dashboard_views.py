"""The street office's and community's dashboard: the page shell loads each
card as an htmx fragment (the phone shows the page at once and fills it in);
the printable page renders every card in one request."""
from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from grid.accounts.access import get_unit_or_404, roles_required
from grid.accounts.roles import OVERVIEW_ROLES
from grid.maps import charts, dashboard, dashboard_cards
from grid.visits.views import TASK_ROLES

bp = Blueprint("dashboard", __name__)

# Supervisors: the street office, the community, the grid leader over their
# grids' workers, and the administrator over the district. Grid workers have
# their task list; departments, children's directors and auditors see no
# area's events or disputes, so no dashboard either.


@bp.record_once
def chart_helpers(state):
    state.app.jinja_env.globals["bar_length"] = charts.bar_length


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def requested_months() -> int:
    months = request.args.get("months", type=int)
    return months if months in dashboard.MONTH_CHOICES else dashboard.MONTH_CHOICES[-1]


def context(unit, **extra) -> dict:
    """What every dashboard template needs besides a card's numbers."""
    months = requested_months()
    return {"unit": unit, "months": months, "month_choices": dashboard.MONTH_CHOICES,
            "window": dashboard.month_window(months, now_utc()),
            "lists_cover": dashboard.lists_cover(unit, current_user),
            "has_task_list": current_user.role in TASK_ROLES,
            # The map page comes with another part of this issue: link to it once it exists.
            "map_url": url_for("maps.unit_map", unit_id=unit.id) if "maps.unit_map" in current_app.view_functions
            else None, **extra}


@bp.get("/dashboard")
@roles_required(*OVERVIEW_ROLES)
def home():
    unit = dashboard.home_unit(current_user)
    if unit is None:
        abort(404)
    return redirect(url_for("dashboard.unit_dashboard", unit_id=unit.id, months=request.args.get("months", type=int)))


@bp.get("/units/<int:unit_id>/dashboard")
@roles_required(*OVERVIEW_ROLES)
def unit_dashboard(unit_id: int):
    unit = get_unit_or_404(current_user, unit_id)
    return render_template("maps/dashboard.html", cards=dashboard_cards.cards_for(unit), numbers=None,
                           **context(unit, parent=dashboard.parent_in_scope(unit, current_user)))


@bp.get("/units/<int:unit_id>/dashboard/print")
@roles_required(*OVERVIEW_ROLES)
def printable(unit_id: int):
    unit = get_unit_or_404(current_user, unit_id)
    ctx = context(unit, parent=None, printing=True)
    numbers = dashboard_cards.all_cards(unit=unit, user=current_user, window=ctx["window"], now=now_utc())
    return render_template("maps/dashboard.html", cards=list(numbers), numbers=numbers, **ctx)


@bp.get("/units/<int:unit_id>/dashboard/<name>")
@roles_required(*OVERVIEW_ROLES)
def card(unit_id: int, name: str):
    """One card (htmx fragment)."""
    unit = get_unit_or_404(current_user, unit_id)
    if name not in dashboard_cards.cards_for(unit):
        abort(404)
    ctx = context(unit)
    data = dashboard_cards.card(name, unit=unit, user=current_user, window=ctx["window"], now=now_utc())
    return render_template(f"maps/_dashboard_{name}.html", card=data, **ctx)
