"""The grid worker's task list, logging a visit, flagged visits, coverage and the cadence table."""
import uuid as uuid_module


from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from grid.accounts.access import get_unit_or_404, may_see_child_records, roles_required
from grid.accounts.roles import Role
from grid.errors import Conflict, FieldErrors
from grid.extensions import db
from grid.htmx import render
from grid.registry import queries as registry_queries
from grid.visits import cadence, forms, queries, services
from grid.visits.models import CadencePolicy

bp = Blueprint("visits", __name__)

TASK_ROLES = (Role.GRID_WORKER, Role.GRID_LEADER, Role.CHILDREN_DIRECTOR, Role.COMMUNITY_STAFF)
VISIT_ROLES = TASK_ROLES
CONFIRM_ROLES = (Role.GRID_LEADER, Role.COMMUNITY_STAFF)


def overdue_badge() -> int | None:
    """The overdue count in the page header, for roles with a task list. Called
    by base.html only, so htmx fragments never pay for the query."""
    if current_user.is_authenticated and current_user.role in TASK_ROLES and not current_user.must_change_password:
        return queries.overdue_count(current_user, now=cadence.now_utc())
    return None


@bp.record_once
def visit_helpers(state):
    # Pages of other packages (a household, a care record) show visit history
    # through these globals, so the registry never imports visits.
    state.app.jinja_env.globals.update(household_visits=queries.household_visits,
                                       record_visits=queries.record_visits, major_changes=services.MAJOR_CHANGES,
                                       subject_label=services.subject_label, overdue_count=overdue_badge)


@bp.get("/tasks")
@roles_required(*TASK_ROLES)
def tasks():
    now = cadence.now_utc()
    kind, tier = request.args.get("kind", ""), request.args.get("tier", "")
    rows = queries.task_rows(current_user, now=now, kind=kind, tier=tier)
    flagged = queries.flagged_visits(current_user) if current_user.role in CONFIRM_ROLES else []
    return render("visits/tasks.html", "visits/_task_rows.html", rows=rows, now=now, kind=kind, tier=tier,
                  states=queries.STATE_RANK, flagged=flagged, grids=current_user.scope_units)


def household_or_404(household_id: int):
    household = registry_queries.household_in_scope(current_user, household_id)
    if household is None:
        abort(404)
    return household


@bp.route("/households/<int:household_id>/visits/new", methods=["GET", "POST"])
@roles_required(*VISIT_ROLES)
def new_visit(household_id: int):
    household = household_or_404(household_id)
    records = queries.open_records_of(household.id, current_user)
    errors, status, values, fresh_uuid = {}, 200, request.form, None
    if request.method == "POST":
        data, parse_errors = forms.visit_input(request.form, request.files)
        try:
            if parse_errors:
                raise FieldErrors(parse_errors)
            visit, _created = services.log_visit(data=data, household=household, by=current_user)
        except FieldErrors as error:
            errors, status = error.errors, 422
        except Conflict as error:
            # A new id for the next try; the saved one is linked if the user may open it.
            errors, status = {"uuid": error.message}, 409
            saved = queries.visit_by_uuid(services.parse_uuid(request.form.get("uuid", "")))
            if saved is not None and queries.visit_in_scope(current_user, saved.id) is not None:
                errors["saved_visit"] = saved.id
            fresh_uuid = str(uuid_module.uuid4())
        else:
            return redirect(url_for("visits.visit", visit_id=visit.id, saved=1))
    chosen = set(request.form.getlist("records")) if request.method == "POST" else set(request.args.getlist("record"))
    if request.method == "GET" and not chosen:
        chosen = {f"{kind}:{record_id}" for kind, record_id, _n, _t in records}
    return render_template("visits/visit_form.html", household=household, records=records, chosen=chosen,
                           errors=errors, values=values, subjects=services.SUBJECTS, modes=services.MODES,
                           visit_uuid=fresh_uuid or request.form.get("uuid") or str(uuid_module.uuid4()),
                           home=registry_queries.point_of(household),
                           tolerance=current_app.config["PRESENCE_TOLERANCE_M"]), status


@bp.get("/visits/<int:visit_id>")
@roles_required(*VISIT_ROLES)
def visit(visit_id: int):
    visit = queries.visit_in_scope(current_user, visit_id)
    if visit is None:
        abort(404)
    return render_template("visits/visit.html", visit=visit, subjects=services.SUBJECTS,
                           may_confirm=current_user.role in CONFIRM_ROLES, just_saved=request.args.get("saved") == "1")


@bp.get("/visits/<int:visit_id>/photos/<int:photo_id>.jpg")
@roles_required(*VISIT_ROLES)
def photo(visit_id: int, photo_id: int):
    picture = queries.photo_in_scope(current_user, visit_id, photo_id)
    if picture is None:
        abort(404)
    response = current_app.response_class(picture.data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.post("/visits/<int:visit_id>/confirm")
@roles_required(*CONFIRM_ROLES)
def confirm(visit_id: int):
    visit = queries.visit_in_scope(current_user, visit_id)
    if visit is None:
        abort(404)
    services.confirm_visit(visit=visit, by=current_user)
    return redirect(request.referrer if request.referrer and request.referrer.startswith(request.host_url)
                    else url_for("visits.tasks"))


@bp.post("/<any(elderly, children):kind>/<int:record_id>/major-change")
@roles_required(*VISIT_ROLES)
def major_change(kind: str, record_id: int):
    if kind == "children" and not may_see_child_records(current_user):
        abort(404)  # before any lookup: the answer must not tell whether the record exists
    record = (registry_queries.elderly_in_scope(current_user, record_id) if kind == "elderly"
              else registry_queries.child_in_scope(current_user, record_id))
    if record is None:
        abort(404)
    try:
        services.note_major_change(record=record, reason=request.form.get("reason", ""), by=current_user)
    except FieldErrors:
        pass  # nothing chosen: the page still shows the choice
    return redirect(url_for("care.elderly" if kind == "elderly" else "care.child", record_id=record_id))


@bp.get("/units/<int:unit_id>/coverage")
@login_required
def coverage(unit_id: int):
    """Visit coverage under a unit: this month and the six before, and per grid (htmx fragment)."""
    unit = get_unit_or_404(current_user, unit_id)
    months = queries.coverage_by_month(unit, current_user)
    by_grid = queries.coverage_by_grid(unit, current_user) if unit.level != "grid" else {}
    grids = {g.id: g for g in registry_queries.grids_named(list(by_grid))}
    return render_template("visits/_coverage.html", unit=unit, months=months, by_grid=by_grid, grids=grids)


@bp.route("/admin/cadence", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def cadence_table():
    errors = {}
    if request.method == "POST":
        policy = db.get_or_404(CadencePolicy, request.form.get("policy_id", 0, type=int))
        try:
            first = request.form.get("first_visit_working_days", "").strip()
            services.update_policy(policy=policy, version=request.form.get("version", 0, type=int),
                                   interval_days=int(request.form["interval_days"]),
                                   window_before_days=int(request.form["window_before_days"]),
                                   window_after_days=int(request.form["window_after_days"]),
                                   first_visit_working_days=int(first) if first else None, by=current_user)
        except (ValueError, KeyError):
            errors = {policy.id: _("Enter whole numbers of days.")}
        except (FieldErrors, Conflict) as error:
            errors = {policy.id: error.message}
        else:
            return redirect(url_for("visits.cadence_table"))
    return render_template("visits/cadence.html", policies=queries.policies(), errors=errors), 422 if errors else 200


