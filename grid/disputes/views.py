"""Dispute pages: the community's board, a case with its timeline and actions, mediation sessions."""
import uuid as uuid_module
from datetime import datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grid import workdays
from grid.accounts.access import roles_required
from grid.disputes import action_forms, labels, queries, services, workflow
from grid.disputes import regrid  # noqa: F401  (open disputes follow boundary imports)
from grid.disputes.scope import DISPUTE_ROLES, REGISTER_ROLES, dispute_in_scope
from grid.errors import Conflict, DomainError, FieldErrors
from grid.events.labels import LIGHT_LABELS
from grid.htmx import render
from grid.notifications.services import mark_read, register_kinds, register_link
from grid.registry.rules import mask_phone

bp = Blueprint("disputes", __name__)
register_kinds(services.NOTIFICATION_KINDS)

# The fields each action's form shows: an error about any other field is
# shown at the top of the form rather than lost.
FORM_FIELDS = {
    "accept": {"mediator_ids", "stability_owner_id", "note"},
    "decline": {"note"},
    "record_outcome": {"outcome", "referral_body", "note"},
    "approve": {"note"}, "return_case": {"note"},
    "follow_up": {"performance", "next_step", "follow_up_on", "note"},
    "assign": {"mediator_ids", "stability_owner_id", "other_mediators", "supervisor_name", "note"},
    "raise_level": {"level", "note"},
    "assign_leader": {"leader_id", "note"},
    "list_supervision": {"note"}, "supervise": {"note"},
}


@bp.record_once
def helpers(state):
    register_link("dispute", lambda dispute_id: url_for("disputes.dispute", dispute_id=dispute_id))
    state.app.jinja_env.globals.update(dispute_labels=labels, dispute_label=labels.label,
                                       dispute_light=queries.light, dispute_days_text=days_text,
                                       dispute_light_labels=LIGHT_LABELS)


def left_text(n: int, unit: str, overdue: bool) -> str:
    """"3 working days left" / "2 calendar days overdue" / "Due today"."""
    words = str(labels.LIMIT_UNITS.get(unit, unit))
    if n > 0:
        return _("%(n)s %(unit)s left", n=n, unit=words)
    if n < 0:
        return _("%(n)s %(unit)s overdue", n=-n, unit=words)
    return _("Overdue today") if overdue else _("Due today")


def days_text(dispute, now: datetime) -> str:
    """Days left of the current step, in the step's unit."""
    n = queries.step_days_left(dispute, now)
    if n is None:
        return ""
    return left_text(n, queries.step_unit(dispute), now >= dispute.due_at)


def limit_text(dispute, now: datetime) -> str:
    """Days left of the case's time limit (完成时限), in the limit's unit."""
    n = queries.limit_days_left(dispute, now)
    if n is None:
        return ""
    return left_text(n, dispute.limit_unit, now >= dispute.time_limit_at)


def dispute_or_404(dispute_id: int):
    dispute = dispute_in_scope(current_user, dispute_id)
    if dispute is None:
        abort(404)
    return dispute


def choice(value: str, allowed) -> str:
    return value if value in allowed else ""


@bp.get("/disputes")
@roles_required(*DISPUTE_ROLES)
def board():
    now = services.now_utc()
    screening_id = request.args.get("screening", type=int)
    # What one screening found counts every state, archived too: so does its list here.
    default_tab = "all" if screening_id else "open"
    args = {"tab": choice(request.args.get("tab", default_tab), queries.TABS + ("all",)) or default_tab,
            "level": choice(request.args.get("level", ""), workflow.LEVELS),
            "type": choice(request.args.get("type", ""), services.TYPES),
            "light": choice(request.args.get("light", ""), queries.LIGHTS),
            "unit_id": request.args.get("unit", type=int), "screening_id": screening_id,
            "overdue": request.args.get("overdue") == "1"}
    page = queries.board(current_user, now=now, page=request.args.get("page", 1, type=int),
                         per_page=current_app.config["PAGE_SIZE"], **args)
    return render("disputes/board.html", "disputes/_board_rows.html", page=page, now=now, args=args,
                  units=queries.filter_units(current_user), tabs=queries.TABS, types=services.TYPES,
                  levels=workflow.LEVELS, lights=queries.LIGHTS, states=workflow.STATES,
                  may_register=current_user.role in REGISTER_ROLES)


@bp.get("/disputes/<int:dispute_id>")
@roles_required(*DISPUTE_ROLES)
def dispute(dispute_id: int):
    dispute = dispute_or_404(dispute_id)
    mark_read(current_user, object_type="dispute", object_id=dispute.id)
    return show(dispute)


def show(dispute, *, errors=None, open_action=None, conflict=None, status=200):
    now = services.now_utc()
    actions = services.allowed_actions(current_user, dispute)
    naming = bool({"accept", "assign"} & set(actions))
    return render_template(
        "disputes/dispute.html", d=dispute, now=now, actions=actions, timeline=queries.timeline(dispute),
        sessions=queries.sessions(dispute), errors=errors or {}, open_action=open_action, conflict=conflict,
        values=request.form if errors else {}, form_fields=FORM_FIELDS, rules=workflow.RULES, workflow=workflow,
        mediators=queries.eligible_mediators(dispute) if naming else [],
        owners=queries.eligible_owners(dispute) if naming else [],
        leaders=queries.street_leaders({dispute.street_id})[dispute.street_id] if "assign_leader" in actions else [],
        may_log_session=services.may(current_user, dispute, "log_session"),
        may_edit_agreement=services.may(current_user, dispute, "save_agreement"),
        limit_text=limit_text(dispute, now), today=services.today(now), mask_phone=mask_phone), status


@bp.post("/disputes/<int:dispute_id>/act")
@roles_required(*DISPUTE_ROLES)
def act(dispute_id: int):
    dispute = dispute_or_404(dispute_id)
    data = action_forms.action_input(request.form)
    try:
        services.act(dispute=dispute, data=data, by=current_user)
    except FieldErrors as error:
        return show(dispute, errors=error.errors, open_action=data.action, status=422)
    except DomainError as error:  # a conflict (409) or a step not open now: the case as it is now
        return show(dispute_or_404(dispute_id), conflict=error.message, status=error.status)
    flash(_("Done: %(action)s.", action=labels.label(labels.ACTIONS, data.action)), "success")
    return redirect(url_for("disputes.dispute", dispute_id=dispute.id))


@bp.post("/disputes/<int:dispute_id>/parties/<int:party_id>/reveal/<any(id_number, phone):what>")
@roles_required(*DISPUTE_ROLES)
def reveal(dispute_id: int, party_id: int, what: str):
    """Show a party's full ID number or phone in place of the masked one (htmx), audited."""
    party = queries.party(dispute_or_404(dispute_id), party_id)
    if party is None:
        abort(404)
    if what == "id_number":
        return render_template("disputes/_revealed.html", value=services.reveal_id_number(party=party, by=current_user)
                               or "")
    return render_template("disputes/_revealed.html", value=services.reveal_phone(party=party, by=current_user) or "",
                           tel=True)


@bp.route("/disputes/<int:dispute_id>/sessions/new", methods=["GET", "POST"])
@roles_required(*DISPUTE_ROLES)
def new_session(dispute_id: int):
    dispute = dispute_or_404(dispute_id)
    errors, status, fresh_uuid = {}, 200, None
    if request.method == "POST":
        try:
            _session, created = services.log_session(
                dispute=dispute, data=action_forms.session_input(request.form, request.files), by=current_user)
        except FieldErrors as error:
            errors, status = error.errors, 422
        except Conflict as error:  # the same form saved with other content: a fresh one keeps this apart
            errors, status, fresh_uuid = {"uuid": error.message}, 409, str(uuid_module.uuid4())
        else:
            flash(_("Mediation session saved.") if created else _("This session was already saved."), "success")
            return redirect(url_for("disputes.dispute", dispute_id=dispute.id))
        values = request.form
    else:
        services.require(current_user, dispute, "log_session")
        now = services.now_utc().astimezone(workdays.SHANGHAI)
        values = {"held_on": now.date().isoformat(), "held_time": now.strftime("%H:%M")}
    return render_template("disputes/session_form.html", d=dispute, values=values, errors=errors,
                           session_uuid=fresh_uuid or request.form.get("uuid") or str(uuid_module.uuid4()),
                           max_photos=services.MAX_PHOTOS), status


@bp.get("/disputes/<int:dispute_id>/sessions/<int:session_id>/photos/<int:photo_id>.jpg")
@roles_required(*DISPUTE_ROLES)
def session_photo(dispute_id: int, session_id: int, photo_id: int):
    picture = queries.session_photo(dispute_or_404(dispute_id), session_id, photo_id)
    if picture is None:
        abort(404)
    response = current_app.response_class(picture.data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
