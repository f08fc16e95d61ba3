"""Registers in Excel: the import page and template, and the ledger exports."""
from urllib.parse import quote

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from grid.errors import DomainError
from grid.htmx import render
from grid.registry import ledger_export
from grid.registry.ledger_import import import_ledger
from grid.registry.ledger_schema import IMPORT_SHEETS, TEMPLATE_NOTE
from grid.registry.xlsx import make_template

bp = Blueprint("ledger", __name__, url_prefix="/registry")

IMPORT_ROLES = ("community_staff", "street_staff", "admin")
EXPORT_ROLES = {"elderly": ("community_staff", "street_staff"),
                "children": ("community_staff", "street_staff", "children_director")}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
@login_required
def require_login():
    """Every page here needs a login; each view then checks the role."""


def xlsx_response(data: bytes, filename: str):
    response = current_app.response_class(data, mimetype=XLSX)
    # RFC 6266 filename*: Chinese file names survive every browser.
    response.headers["Content-Disposition"] = f"attachment; filename=ledger.xlsx; filename*=UTF-8''{quote(filename)}"
    return response


@bp.route("/import", methods=["GET", "POST"])
def ledger_import():
    if current_user.role not in IMPORT_ROLES:
        abort(404)
    if request.method == "GET":
        return render_template("registry/import.html", report=None)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise DomainError(_("Choose an .xlsx file to check or import."), field="file")
    data = upload.read(current_app.config["MAX_LEDGER_BYTES"] + 1)
    report = import_ledger(data=data, filename=upload.filename, by=current_user,
                           dry_run=request.form.get("action") != "import")
    status = 422 if report.problems else 200
    return render("registry/import.html", "registry/_import_report.html", report=report, status=status)


@bp.get("/template.xlsx")
def template():
    if current_user.role not in IMPORT_ROLES:
        abort(404)
    return xlsx_response(make_template(IMPORT_SHEETS, title_note="\n".join(TEMPLATE_NOTE)), "住户台账导入模板.xlsx")


@bp.get("/<any(elderly, children):ledger>.xlsx")
def export(ledger: str):
    if current_user.role not in EXPORT_ROLES[ledger]:
        abort(404)
    reveal = request.args.get("reveal") == "1"
    if ledger == "elderly":
        return xlsx_response(ledger_export.export_elderly(user=current_user, reveal=reveal), "老年人关爱台账.xlsx")
    return xlsx_response(ledger_export.export_children(user=current_user, reveal=reveal), "困境儿童台账.xlsx")
