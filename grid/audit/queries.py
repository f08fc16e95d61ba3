"""Reads over the audit trail."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from grid.audit.models import AuditEntry

SHANGHAI = ZoneInfo("Asia/Shanghai")


def search_entries(*, actor: str = "", action: str = "", result: str = "", object_type: str = "",
                   object_id: str = "", since: date | None = None, until: date | None = None):
    """Newest first. Dates are whole days in Asia/Shanghai; `until` is inclusive."""
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if actor:
        stmt = stmt.where(AuditEntry.actor_name == actor.strip().lower())
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if result:
        stmt = stmt.where(AuditEntry.result == result)
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditEntry.object_id == object_id.strip())
    if since:
        stmt = stmt.where(AuditEntry.at >= datetime.combine(since, time.min, SHANGHAI))
    if until:
        stmt = stmt.where(AuditEntry.at < datetime.combine(until + timedelta(days=1), time.min, SHANGHAI))
    return stmt
