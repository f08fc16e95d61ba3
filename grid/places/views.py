"""Home pages by role, unit pages, boundary GeoJSON and the boundary import page."""
from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from grid.accounts import queries as account_queries
from grid.accounts.access import get_unit_or_404, roles_required, units_in_scope
from grid.accounts.roles import Role
from grid.errors import DomainError
from grid.geo import gcj02
from grid.htmx import render
from grid.places import queries, services
from grid.places.messages import describe, field_label

bp = Blueprint("places", __name__)
bp.add_app_template_filter(field_label, "field_label")


@bp.get("/")
@login_required
def home():
    role = current_user.role
    if role == Role.AUDITOR:
        return redirect(url_for("audit.entries"))
    if role == Role.DEPARTMENT_HANDLER:
        # A department's day is the events dispatched to it.
        return redirect(url_for("events.inbox"))
    scope = units_in_scope(current_user)
    if role in (Role.GRID_WORKER, Role.GRID_LEADER, Role.CHILDREN_DIRECTOR):
        # Field roles start the day on their task list (the visits package).
        return redirect(url_for("visits.tasks"))
    roots = current_user.scope_units if role != Role.ADMIN else queries.descendants_at(scope, "district")
    return render_template("places/home_area.html", roots=roots,
                           communities=queries.descendants_at(scope, "community"),
                           grids=queries.descendants_at(scope, "grid"),
                           counts=queries.count_by_level(scope))


@bp.get("/favicon.ico")
def favicon():
    # Browsers ask for it whatever the page says; answer instead of logging a 404.
    return redirect(url_for("static", filename="favicon.svg"), 301)


@bp.get("/units/<int:unit_id>")
@login_required
def unit(unit_id: int):
    unit = get_unit_or_404(current_user, unit_id)
    scope = units_in_scope(current_user)
    return render_template("places/unit.html", unit=unit, trail=queries.ancestors(unit, scope),
                           children=queries.children_of(unit, scope),
                           workers=account_queries.workers_of(unit), history=queries.unit_history(unit))


@bp.get("/units/<int:unit_id>/boundaries.geojson")
@login_required
def unit_boundaries(unit_id: int):
    """The unit and every unit below it that the user may see: ids, codes, names, levels.
    `datum=gcj02`: shifted for display over a GCJ-02 base map (static/js/map.js
    asks for it then; the location picker, which reads points off the map, never does)."""
    unit = get_unit_or_404(current_user, unit_id)
    data = queries.boundaries_geojson(units_in_scope(current_user).where(queries.inside(unit)))
    if request.args.get("datum") == "gcj02":
        data = gcj02.collection_to_gcj02(data, digits=6)
    response = jsonify(data)
    response.mimetype = "application/geo+json"
    return response


@bp.get("/admin/boundaries/export.geojson")
@roles_required(Role.ADMIN)
def export_boundaries():
    """All units in the import format, to edit in QGIS and import again."""
    response = jsonify(queries.boundaries_export())
    response.mimetype = "application/geo+json"
    response.headers["Content-Disposition"] = "attachment; filename=boundaries.geojson"
    return response


@bp.route("/admin/boundaries", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def boundaries():
    if request.method == "GET":
        return render_template("places/boundaries.html", report=None, describe=describe,
                               imports=queries.recent_imports())
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise DomainError(_("Choose a GeoJSON file to check or import."), field="file")
    # Read one byte past the limit so an oversized file is reported, not truncated.
    data = upload.read(current_app.config["MAX_IMPORT_BYTES"] + 1)
    report = services.import_boundaries(data=data, filename=upload.filename, by=current_user,
                                        dry_run=request.form.get("action") != "import")
    return render("places/boundaries.html", "places/_import_report.html", report=report, describe=describe,
                  imports=queries.recent_imports())
