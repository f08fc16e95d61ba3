"""Care records: elderly and children in need, their closure, history and access log."""
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from grid.accounts.access import ACCESS_LOG_ROLES, may_see_child_records
from grid.errors import Conflict, FieldErrors
from grid.extensions import db
from grid.htmx import render
from grid.registry import care, forms, queries, vocab
from grid.registry.views import REGISTRY_ROLES, resident_or_404, submit, version

bp = Blueprint("care", __name__)


@bp.before_request
@login_required
def require_role():
    # The access log is also for auditors, who see nothing else of the registry.
    if request.endpoint == "care.access" and current_user.role in ACCESS_LOG_ROLES:
        return None
    if current_user.role not in REGISTRY_ROLES:
        abort(404)


def elderly_or_404(record_id: int):
    record = queries.elderly_in_scope(current_user, record_id)
    if record is None:
        abort(404)
    return record


def child_or_404(record_id: int, user=None):
    user = user or current_user
    record = queries.child_in_scope(user, record_id) if may_see_child_records(user) else None
    if record is None:
        abort(404)
    return record


def elderly_values(record) -> dict:
    values = {k: getattr(record, k) for k in care.ElderlyInput.__dataclass_fields__ if k != "self_care"}
    values.update({f"self_care_{k}": v for k, v in (record.self_care or {}).items()})
    values["version"] = record.version
    values["emergency_contact_phone"] = ""  # never shown unmasked in a form; empty keeps it
    return {k: ("" if v is None else v) for k, v in values.items()}


def child_values(record) -> dict:
    values = {k: getattr(record, k) for k in care.ChildInput.__dataclass_fields__}
    values["version"] = record.version
    values["guardian_phone"] = ""  # never shown unmasked in a form; empty keeps it
    values.update({k: "y" if values[k] else "" for k in
                   ("entrusted_guardianship_confirmed", "boarding", "dropped_out", "receives_dibao")})
    return {k: ("" if v is None else v) for k, v in values.items()}


@bp.get("/registers/<any(elderly, children):kind>")
def register(kind: str):
    """The elderly or child register of the user's scope, filtered; htmx updates the rows."""
    if kind == "children" and not may_see_child_records(current_user):
        abort(404)
    model = care.ElderlyRecord if kind == "elderly" else care.ChildRecord
    args = request.args
    stmt = queries.care_register(model, current_user, q=args.get("q", ""), category=args.get("category", ""),
                                 tier=args.get("tier", ""), status=args.get("status", "open"))
    page = db.paginate(stmt, page=args.get("page", 1, type=int), per_page=30, error_out=False, count=True)
    rows = list(page.items)
    if kind == "children":
        care.record_child_list(record_ids=[record.id for record in rows], by=current_user)
    return render("care/register.html", "care/_register_rows.html", kind=kind, page=page, rows=rows, args=args,
                  categories=vocab.ELDERLY_CATEGORIES if kind == "elderly" else vocab.CHILD_CATEGORIES)


@bp.route("/residents/<int:resident_id>/elderly/new", methods=["GET", "POST"])
def new_elderly(resident_id: int):
    resident = resident_or_404(resident_id)
    errors, status = {}, 200
    if request.method == "POST":
        record, errors, status = submit(forms.elderly_input, lambda d: care.check_elderly(d, resident)[0],
                                        lambda d: care.create_elderly_record(resident=resident, data=d, by=current_user))
        if record:
            return redirect(url_for("care.elderly", record_id=record.id))
    return render_template("care/elderly_form.html", resident=resident, record=None, values=request.form,
                           errors=errors), status


@bp.route("/elderly/<int:record_id>", methods=["GET", "POST"])
def elderly(record_id: int):
    record = elderly_or_404(record_id)
    errors, status = {}, 200
    values = elderly_values(record)
    if request.method == "POST":
        values = request.form
        saved, errors, status = submit(
            forms.elderly_input, lambda d: care.check_elderly(d, record.resident)[0],
            lambda d: care.update_elderly_record(record=record, version=version(),
                                                 data=d, by=current_user))
        if saved:
            return redirect(url_for("care.elderly", record_id=record.id))
    return render_template("care/elderly_form.html", resident=record.resident, record=record, values=values,
                           errors=errors, history=queries.record_history("elderly", record.id)), status


@bp.route("/residents/<int:resident_id>/children/new", methods=["GET", "POST"])
def new_child(resident_id: int):
    if not may_see_child_records(current_user):
        abort(404)
    resident = resident_or_404(resident_id)
    errors, status = {}, 200
    if request.method == "POST":
        record, errors, status = submit(
            forms.child_input, lambda d: care.check_child(d, resident),
            lambda d: care.create_child_record(resident=resident, data=d, by=current_user,
                                               director_id=current_user.id if current_user.role == "children_director" else None))
        if record:
            return redirect(url_for("care.child", record_id=record.id))
    return render_template("care/child_form.html", resident=resident, record=None, values=request.form,
                           errors=errors), status


@bp.route("/children/<int:record_id>", methods=["GET", "POST"])
def child(record_id: int):
    """A child's record: every opening of this page is audited."""
    record = child_or_404(record_id)
    errors, status = {}, 200
    values = child_values(record)
    if request.method == "POST":
        values = request.form
        saved, errors, status = submit(
            forms.child_input, lambda d: care.check_child(d, record.resident),
            lambda d: care.update_child_record(record=record, version=version(),
                                               data=d, by=current_user))
        if saved:
            return redirect(url_for("care.child", record_id=record.id))
    # Every rendering of this page shows the record: a view, whatever the method.
    care.record_child_view(record=record, by=current_user)
    return render_template("care/child_form.html", resident=record.resident, record=record, values=values,
                           errors=errors, history=queries.record_history("child", record.id)), status


@bp.post("/<any(elderly, children):kind>/<int:record_id>/close")
def close(kind: str, record_id: int):
    record = elderly_or_404(record_id) if kind == "elderly" else child_or_404(record_id)
    try:
        care.close_record(record=record, version=version(), reason=request.form.get("close_reason", ""),
                          note=request.form.get("close_note", ""), by=current_user)
    except (FieldErrors, Conflict):
        pass  # the record page shows it is still open; the reason list is required in the form
    endpoint = "care.elderly" if kind == "elderly" else "care.child"
    return redirect(url_for(endpoint, record_id=record.id))


@bp.get("/<any(elderly, children):kind>/<int:record_id>/access")
def access(kind: str, record_id: int):
    """Who viewed or changed this record, and when (auditors and community staff)."""
    if current_user.role not in ACCESS_LOG_ROLES:
        abort(404)
    if kind == "elderly":
        record = elderly_or_404(record_id) if current_user.role != "auditor" else queries.elderly_by_id(record_id)
        object_type = "elderly_record"
    else:
        record = (child_or_404(record_id) if current_user.role != "auditor" else queries.child_by_id(record_id))
        object_type = "child_record"
    if record is None:
        abort(404)
    return render_template("care/access.html", record=record, kind=kind,
                           entries=queries.record_access(object_type, record.id), vocab=vocab)
