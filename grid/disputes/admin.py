"""Administrators' edits of the dispute time limits (完成时限), one per level.

Each edit carries the version its editor saw (optimistic locking), is audited
and commits once. A new limit reaches only cases registered afterwards:
`services.register_dispute` copies the level's limit onto the case."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from grid.audit.actions import register_actions
from grid.audit.services import record_audit
from grid.disputes.limits import UNITS
from grid.disputes.models import DisputeTimeLimit
from grid.disputes.workflow import LEVELS
from grid.errors import Conflict, raise_field_errors
from grid.extensions import db

register_actions({"dispute_limit.update": _l("Dispute time limit changed")},
                 object_types={"dispute_time_limit": _l("Dispute time limit")},
                 detail_keys={"level": _l("Level"), "limit": _l("Time limit")})

AMOUNT_MIN, AMOUNT_MAX = 1, 365


def limit_table() -> list[DisputeTimeLimit]:
    """Every level's limit, ordinary first."""
    rows = {row.level: row for row in db.session.scalars(select(DisputeTimeLimit))}
    return [rows[level] for level in LEVELS if level in rows]


def limit_of(level: str) -> DisputeTimeLimit | None:
    return db.session.get(DisputeTimeLimit, level) if level in LEVELS else None


def limit_problems(amount: int | None, unit: str) -> dict[str, str | None]:
    errors: dict[str, str | None] = {}
    if amount is None or not AMOUNT_MIN <= amount <= AMOUNT_MAX:
        errors["amount"] = _("Enter a whole number of days from %(min)s to %(max)s.", min=AMOUNT_MIN, max=AMOUNT_MAX)
    if unit not in UNITS:
        errors["unit"] = _("Choose calendar days or working days.")
    return errors


def update_limit(*, limit: DisputeTimeLimit, version: int, amount: int | None, unit: str, by) -> None:
    """Set a level's time limit (commits): `amount` days (1–365) in `unit`
    (calendar_days / working_days). Cases already registered keep theirs.
    Raises FieldErrors (amount, unit), or Conflict when someone saved the
    level since `version` was read."""
    raise_field_errors(limit_problems(amount, unit))
    before = f"{limit.amount} {limit.unit}"
    # Of two editors who saw the same version exactly one wins (the table's key is the level, not an id).
    claimed = db.session.execute(
        update(DisputeTimeLimit).where(DisputeTimeLimit.level == limit.level, DisputeTimeLimit.version == version)
        .values(amount=amount, unit=unit, version=version + 1, updated_at=func.now())
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        db.session.rollback()
        raise Conflict(_("Someone else changed this time limit while you were editing. Reload and try again."))
    db.session.refresh(limit)
    if before != f"{amount} {unit}":
        record_audit("dispute_limit.update", actor=by, object_type="dispute_time_limit", object_id=limit.level,
                     detail={"level": limit.level, "limit": {"from": before, "to": f"{amount} {unit}"}})
    db.session.commit()
