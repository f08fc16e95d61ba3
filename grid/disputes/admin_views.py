"""Administrators edit the time limit of each dispute level."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grid.accounts.access import roles_required
from grid.accounts.roles import Role
from grid.disputes import admin
from grid.disputes.labels import LEVELS, LIMIT_UNITS
from grid.disputes.limits import UNITS
from grid.errors import DomainError, FieldErrors

bp = Blueprint("disputes_admin", __name__)


def form_int(name: str) -> int | None:
    try:
        return int(request.form.get(name, "").strip())
    except ValueError:
        return None


def limits_page(failed: dict | None = None):
    return render_template("disputes/admin_limits.html", limits=admin.limit_table(), failed=failed or {},
                           units=UNITS, LEVELS=LEVELS, LIMIT_UNITS=LIMIT_UNITS, amount_min=admin.AMOUNT_MIN,
                           amount_max=admin.AMOUNT_MAX), (failed or {}).get("status", 200)


@bp.route("/admin/dispute-limits", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def time_limits():
    """The limits of every level; a POST saves one level's (`level`, `version`, `amount`, `unit`)."""
    if request.method == "GET":
        return limits_page()
    limit = admin.limit_of(request.form.get("level", ""))
    if limit is None:
        abort(404)
    try:
        admin.update_limit(limit=limit, version=form_int("version") or 0, amount=form_int("amount"),
                           unit=request.form.get("unit", ""), by=current_user)
    except DomainError as error:
        errors = error.errors if isinstance(error, FieldErrors) else {error.field or "form": error.message}
        return limits_page({"target": request.form.get("level"), "errors": errors, "typed": request.form,
                            "message": error.message, "status": error.status})
    flash(_("Saved."), "success")
    return redirect(url_for("disputes_admin.time_limits", _anchor=f"limit-{limit.level}"))
