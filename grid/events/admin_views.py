"""Administrators edit the category tree and the deadline policy."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grid.accounts.access import roles_required
from grid.accounts.roles import Role
from grid.errors import DomainError, FieldErrors
from grid.events import admin
from grid.events.deadlines import UNITS
from grid.events.labels import PRIORITY_LABELS, STEP_LABELS, UNIT_LABELS
from grid.events.models import DeadlinePolicy, EventCategory
from grid.events.workflow import STEPS
from grid.extensions import db

bp = Blueprint("events_admin", __name__)


def form_int(name: str) -> int | None:
    """A whole number from the posted form; None when empty or not a number
    (the service then names the field)."""
    try:
        return int(request.form.get(name, "").strip())
    except ValueError:
        return None


def failure(error: DomainError, target) -> dict:
    """What the page needs to show an error at the form that failed: which
    form, the message per field, and what the user typed."""
    errors = error.errors if isinstance(error, FieldErrors) else {error.field or "form": error.message}
    return {"target": target, "errors": errors, "typed": request.form, "message": error.message,
            "status": error.status}


def saved(endpoint: str, anchor: str):
    flash(_("Saved."), "success")
    return redirect(url_for(endpoint, _anchor=anchor))


# --- categories ------------------------------------------------------------------

def categories_page(failed: dict | None = None):
    tree = admin.category_tree()
    parents = [row for row in tree if row.category.is_active and row.depth < admin.MAX_DEPTH]
    return render_template("events/admin_categories.html", tree=tree, parents=parents, failed=failed or {},
                           max_depth=admin.MAX_DEPTH), (failed or {}).get("status", 200)


@bp.get("/admin/event-categories")
@roles_required(Role.ADMIN)
def categories():
    return categories_page()


@bp.post("/admin/event-categories")
@roles_required(Role.ADMIN)
def add_category():
    try:
        category = admin.create_category(code=request.form.get("code", ""), name_zh=request.form.get("name_zh", ""),
                                         name_en=request.form.get("name_en", ""),
                                         parent_id=form_int("parent_id") or None, by=current_user)
    except DomainError as error:
        return categories_page(failure(error, "new"))
    return saved("events_admin.categories", f"category-{category.id}")


@bp.post("/admin/event-categories/<int:category_id>/rename")
@roles_required(Role.ADMIN)
def rename_category(category_id: int):
    category = db.get_or_404(EventCategory, category_id)
    try:
        admin.rename_category(category=category, version=form_int("version") or 0,
                              name_zh=request.form.get("name_zh", ""), name_en=request.form.get("name_en", ""),
                              by=current_user)
    except DomainError as error:
        return categories_page(failure(error, category_id))
    return saved("events_admin.categories", f"category-{category_id}")


@bp.post("/admin/event-categories/<int:category_id>/move")
@roles_required(Role.ADMIN)
def move_category(category_id: int):
    """`direction` up/down (the arrow buttons) or a 1-based `position`."""
    category = db.get_or_404(EventCategory, category_id)
    index = form_int("index") or 0           # its place when the page was drawn
    direction = request.form.get("direction")
    to_index = {"up": index - 1, "down": index + 1}.get(direction) if direction else form_int("position")
    try:
        admin.move_category(category=category, version=form_int("version") or 0, to_index=to_index or 0,
                            by=current_user)
    except DomainError as error:
        return categories_page(failure(error, category_id))
    return saved("events_admin.categories", f"category-{category_id}")


@bp.post("/admin/event-categories/<int:category_id>/active")
@roles_required(Role.ADMIN)
def set_category_active(category_id: int):
    category = db.get_or_404(EventCategory, category_id)
    try:
        admin.set_category_active(category=category, version=form_int("version") or 0,
                                  is_active=request.form.get("is_active") == "y", by=current_user)
    except DomainError as error:
        return categories_page(failure(error, category_id))
    return saved("events_admin.categories", f"category-{category_id}")


# --- deadlines -------------------------------------------------------------------

def deadlines_page(failed: dict | None = None):
    return render_template("events/admin_deadlines.html", table=admin.policy_table(), tree=admin.category_tree(),
                           failed=failed or {}, priorities=admin.PRIORITIES, steps=STEPS, units=UNITS,
                           unit_maxima=admin.UNIT_MAXIMA, PRIORITY_LABELS=PRIORITY_LABELS, STEP_LABELS=STEP_LABELS,
                           UNIT_LABELS=UNIT_LABELS), (failed or {}).get("status", 200)


@bp.get("/admin/deadlines")
@roles_required(Role.ADMIN)
def deadlines():
    return deadlines_page()


@bp.post("/admin/deadlines")
@roles_required(Role.ADMIN)
def add_override():
    try:
        policy = admin.create_override(priority=request.form.get("priority", ""),
                                       category_id=form_int("category_id") or None,
                                       step=request.form.get("step", ""), amount=form_int("amount"),
                                       unit=request.form.get("unit", ""), by=current_user)
    except DomainError as error:
        return deadlines_page(failure(error, "new"))
    return saved("events_admin.deadlines", f"policy-{policy.id}")


@bp.post("/admin/deadlines/<int:policy_id>")
@roles_required(Role.ADMIN)
def update_deadline(policy_id: int):
    policy = db.get_or_404(DeadlinePolicy, policy_id)
    try:
        admin.update_policy(policy=policy, version=form_int("version") or 0, amount=form_int("amount"),
                            unit=request.form.get("unit", ""), by=current_user)
    except DomainError as error:
        return deadlines_page(failure(error, policy_id))
    return saved("events_admin.deadlines", f"policy-{policy_id}")


@bp.post("/admin/deadlines/<int:policy_id>/delete")
@roles_required(Role.ADMIN)
def delete_override(policy_id: int):
    policy = db.get_or_404(DeadlinePolicy, policy_id)
    try:
        admin.delete_override(policy=policy, version=form_int("version") or 0, by=current_user)
    except DomainError as error:
        return deadlines_page(failure(error, policy_id))
    flash(_("Rule deleted."), "success")
    return redirect(url_for("events_admin.deadlines"))
