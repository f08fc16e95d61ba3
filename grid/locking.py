"""Optimistic locking: an edit carries the version its editor saw."""
from flask_babel import gettext as _
from sqlalchemy import update

from grid.errors import Conflict
from grid.extensions import db


def claim_version(model, record, seen: int, *, message: str | None = None) -> None:
    """Move `record` from version `seen` to the next in one conditional UPDATE,
    so of two editors who saw the same version exactly one wins; the other
    gets Conflict and nothing of theirs is written."""
    claimed = db.session.execute(
        update(model).where(model.id == record.id, model.version == seen).values(version=seen + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise Conflict(message or _("Someone else changed this record while you were editing. Reload and try again."))
    db.session.refresh(record, ["version"])
