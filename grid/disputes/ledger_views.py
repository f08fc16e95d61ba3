"""The dispute ledger (矛盾纠纷台账) export and the numbers per unit and period."""
from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from grid.accounts.access import get_unit_or_404, roles_required
from grid.disputes import ledger, stats
from grid.disputes.labels import TYPES
from grid.disputes.scope import DISPUTE_ROLES
from grid.disputes.services import now_utc, today
from grid.registry.ledger_views import xlsx_response
from grid.unit_numbers import requested_period

bp = Blueprint("dispute_ledger", __name__)


def board_url(unit_id: int, **args) -> str:
    """The dispute board narrowed to the unit (and a state tab or light): codes only, never personal data."""
    return url_for("disputes.board", unit=unit_id, **args)


@bp.get("/disputes/ledger.xlsx")
@roles_required(*DISPUTE_ROLES)
def export():
    """Every case the user may see; `from`, `to` (registration dates) and `state` narrow it."""
    filters = ledger.parse_filters(request.args)
    now = now_utc()
    data = ledger.export_ledger(user=current_user, filters=filters, now=now)
    return xlsx_response(data, f"{ledger.SHEET_TITLE}{today(now):%Y%m%d}.xlsx")


@bp.get("/units/<int:unit_id>/dispute-numbers")
@roles_required(*DISPUTE_ROLES)
def numbers(unit_id: int):
    """The unit's dispute numbers and one row per unit below it, for a period (htmx fragment)."""
    unit = get_unit_or_404(current_user, unit_id)
    now = now_utc()
    period = requested_period(request.args.get("period"), now)
    report = stats.unit_numbers(unit, current_user, period.start, period.end, now)
    return render_template("disputes/_numbers.html", unit=unit, report=report, period=period,
                           types=TYPES, board_url=board_url)
