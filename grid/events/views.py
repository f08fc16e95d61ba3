"""Event pages: report, inbox, detail with timeline and actions."""
from flask import Blueprint, url_for

from grid.events import services
from grid.notifications.services import register_kinds, register_link

bp = Blueprint("events", __name__)
register_kinds(services.NOTIFICATION_KINDS)


@bp.record_once
def links(state):
    register_link("event", lambda event_id: url_for("events.event", event_id=event_id))
