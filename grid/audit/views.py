"""The auditor's page: the audit trail, filtered."""
from flask import Blueprint, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from grid.accounts.access import roles_required
from grid.accounts.roles import Role
from grid.audit import actions, queries
from grid.extensions import db
from grid.htmx import render

bp = Blueprint("audit", __name__)


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    actor = StringField(_l("User"))
    action = SelectField(_l("Action"), validate_choice=False)
    result = SelectField(_l("Result"), validate_choice=False)
    object_type = SelectField(_l("Object type"), validate_choice=False)
    object_id = StringField(_l("Object id"))
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])


def choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice("", _l("Any"))] + [SelectChoice(code, label) for code, label in labels.items()]


@bp.app_context_processor
def audit_labels():
    return {"action_label": actions.action_label, "object_label": actions.object_label,
            "result_label": actions.result_label, "detail_lines": actions.detail_lines,
            "detail_label": actions.detail_label}


@bp.get("/audit")
@roles_required(Role.AUDITOR)
def entries():
    form = AuditFilterForm(request.args)
    form.action.choices = choices(actions.ACTIONS)
    form.result.choices = choices(actions.RESULTS)
    form.object_type.choices = choices(actions.OBJECT_TYPES)
    form.validate()
    filters = {name: form[name].data for name in ("actor", "action", "result", "object_type", "object_id")}
    stmt = queries.search_entries(**{k: v or "" for k, v in filters.items()},
                                  since=form.since.data if not form.since.errors else None,
                                  until=form.until.data if not form.until.errors else None)
    page = db.paginate(stmt, per_page=50, error_out=False)
    return render("audit/entries.html", "audit/_rows.html", form=form, page=page)
