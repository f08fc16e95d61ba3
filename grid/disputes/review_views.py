"""The committee's review queue and the street office's major-dispute supervision page."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grid.accounts.access import roles_required
from grid.accounts.roles import Role
from grid.disputes import labels, review, services
from grid.errors import DomainError, FieldErrors
from grid.htmx import wants_fragment

bp = Blueprint("dispute_review", __name__)

REVIEW_ACTIONS = ("approve", "return_case")
STREET_ACTIONS = ("assign_leader", "list_supervision", "supervise")


@bp.record_once
def helpers(state):
    state.app.jinja_env.globals["review_waiting"] = lambda: review.review_waiting(current_user)


def card_context(**context) -> dict:
    """What every review card needs, on the page or alone."""
    return {"labels": labels, "now": services.now_utc(), "allowed_of": review_actions, **context}


def review_actions(dispute) -> list[str]:
    return [a for a in services.allowed_actions(current_user, dispute) if a in REVIEW_ACTIONS]


@bp.get("/disputes/review")
@roles_required(Role.COMMUNITY_STAFF)
def queue():
    return show_queue()


def show_queue(*, card: dict | None = None, status: int = 200):
    """The queue; `card` holds one card's errors, message and typed note after a refused decision."""
    items = review.review_queue(current_user)
    card = card or {}
    # A card that left the queue meanwhile (decided by someone else): its message stands on top.
    stray = card.get("message") if card and card["id"] not in {i.dispute.id for i in items} else None
    return render_template("disputes/review.html", **card_context(items=items, card=card, stray=stray)), status


@bp.post("/disputes/<int:dispute_id>/review")
@roles_required(Role.COMMUNITY_STAFF)
def decide(dispute_id: int):
    item = review.review_item(current_user, dispute_id)
    if item is None:
        abort(404)
    action = request.form.get("action", "")
    data = services.ActionInput(action=action, version=request.form.get("version", 0, type=int),
                                note=request.form.get("note", ""))
    try:
        if action not in REVIEW_ACTIONS:
            raise DomainError(_("Choose to approve the closure or to return the case."))
        services.act(dispute=item.dispute, data=data, by=current_user)
    except FieldErrors as error:
        return refused(dispute_id, {"errors": error.errors, "typed": request.form}, 422)
    except DomainError as error:   # a conflict (409) or a step not open to the user: the case as it is now
        return refused(dispute_id, {"message": error.message}, error.status)
    dispute = item.dispute
    if wants_fragment():
        return render_template("disputes/_review_card.html", **card_context(
            item=item, done=action, count=review.review_count(current_user)))
    flash(_("Dispute %(number)s: %(action)s.", number=dispute.number, action=labels.label(labels.ACTIONS, action)),
          "success")
    return redirect(url_for("dispute_review.queue"))


def refused(dispute_id: int, card: dict, status: int):
    card = {"id": dispute_id, "errors": {}, "typed": {}, "message": None, **card}
    if wants_fragment():
        item = review.review_item(current_user, dispute_id)
        if item is None:
            abort(404)
        return render_template("disputes/_review_card.html", **card_context(item=item, card=card)), status
    return show_queue(card=card, status=status)


# --- the street office's major cases ------------------------------------------------------

@bp.get("/disputes/major")
@roles_required(Role.STREET_STAFF, Role.ADMIN)
def major():
    return show_major()


def show_major(*, form: dict | None = None, status: int = 200):
    """The page; `form` holds one case's refused street action (errors, message, typed values)."""
    now = services.now_utc()
    page = review.major_cases(current_user, now)
    actions = {d.id: [a for a in services.allowed_actions(current_user, d) if a in STREET_ACTIONS]
               for d in page.open}
    return render_template("disputes/major.html", page=page, now=now, actions=actions, form=form or {},
                           labels=labels, archived_days=review.ARCHIVED_DAYS), status


@bp.post("/disputes/<int:dispute_id>/street")
@roles_required(Role.STREET_STAFF, Role.ADMIN)
def street_act(dispute_id: int):
    dispute = review.major_case(current_user, dispute_id, services.now_utc())
    if dispute is None:
        abort(404)
    action = request.form.get("action", "")
    data = services.ActionInput(action=action, version=request.form.get("version", 0, type=int),
                                note=request.form.get("note", ""),
                                leader_id=request.form.get("leader_id", None, type=int))
    form = {"id": dispute_id, "action": action, "typed": request.form, "errors": {}, "message": None}
    try:
        if action not in STREET_ACTIONS:
            raise DomainError(_("This step is not open to you now. The case may have moved on: check it as it is now."))
        services.act(dispute=dispute, data=data, by=current_user)
    except FieldErrors as error:
        return show_major(form=form | {"errors": error.errors}, status=422)
    except DomainError as error:
        return show_major(form=form | {"message": error.message, "typed": {}}, status=error.status)
    flash(_("Dispute %(number)s: %(action)s.", number=dispute.number, action=labels.label(labels.ACTIONS, action)),
          "success")
    return redirect(url_for("dispute_review.major"))
