"""The bell and the list of notifications."""
from flask import Blueprint, abort, redirect, url_for
from flask_login import current_user, login_required

from grid.htmx import render
from grid.notifications import services

bp = Blueprint("notifications", __name__)


def unread_badge() -> int | None:
    """The bell's count, for base.html only (fragments never pay for it)."""
    if current_user.is_authenticated and not current_user.must_change_password:
        return services.unread_count(current_user)
    return None


@bp.record_once
def helpers(state):
    state.app.jinja_env.globals.update(unread_notifications=unread_badge, notification_message=services.message)


@bp.get("/notifications")
@login_required
def inbox():
    return render("notifications/list.html", "notifications/_rows.html", items=services.recent(current_user))


@bp.post("/notifications/<int:notification_id>/open")
@login_required
def open_one(notification_id: int):
    """Mark it read and go to what it is about (POST: reading changes state)."""
    item = services.own(current_user, notification_id)
    if item is None:
        abort(404)
    services.mark_read(current_user, object_type=item.object_type, object_id=item.object_id)
    return redirect(services.link(item) or url_for("notifications.inbox"))


@bp.post("/notifications/read-all")
@login_required
def read_all():
    services.mark_all_read(current_user)
    return redirect(url_for("notifications.inbox"))
