"""Numbers for supervisors (per unit and period), as an htmx fragment on unit pages."""
from datetime import timedelta

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from grid.accounts.access import get_unit_or_404
from grid.accounts.roles import Role
from grid.events import stats
from grid.events.scope import AREA_ROLES
from grid.events.services import now_utc
from grid.unit_numbers import requested_period

bp = Blueprint("events_stats", __name__)

# The roles that see events by area; department handlers, auditors and
# children's directors see no area's events, so they get no numbers either.
NUMBER_ROLES = AREA_ROLES | {Role.ADMIN}
NUMBER_LEVELS = ("community", "street")
STEP_HEADINGS = {"sign": _l("Signing for"), "handle": _l("Handling"), "verify": _l("Verifying")}


def working_time(value: timedelta | None) -> str:
    """An average step time in working hours and minutes: "3 小时 20 分"."""
    if value is None:
        return "—"
    hours, minutes = divmod(round(value.total_seconds() / 60), 60)
    if hours:
        return _("%(hours)s h %(minutes)s min", hours=hours, minutes=minutes)
    return _("%(minutes)s min", minutes=minutes)


def shows_event_numbers(unit) -> bool:
    """Whether a unit page carries the numbers fragment (community and street pages)."""
    return unit.level in NUMBER_LEVELS and current_user.role in NUMBER_ROLES


def inbox_url(unit_id: int, **args) -> str | None:
    """A link into the events inbox, narrowed to the unit (None until the inbox exists)."""
    if "events.inbox" not in current_app.view_functions:
        return None
    return url_for("events.inbox", unit=unit_id, **args)


@bp.record_once
def numbers_helpers(state):
    state.app.jinja_env.filters["working_time"] = working_time
    state.app.jinja_env.globals["shows_event_numbers"] = shows_event_numbers


@bp.get("/units/<int:unit_id>/event-numbers")
@login_required
def numbers(unit_id: int):
    """The unit's numbers and one row per unit below it, for a period (htmx fragment)."""
    if current_user.role not in NUMBER_ROLES:
        abort(404)
    unit = get_unit_or_404(current_user, unit_id)
    now = now_utc()
    period = requested_period(request.args.get("period"), now)
    report = stats.unit_numbers(unit, current_user, period.start, period.end, now)
    return render_template("events/_numbers.html", unit=unit, report=report, period=period,
                           steps=STEP_HEADINGS, inbox_url=inbox_url)

