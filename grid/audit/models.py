"""The append-only audit trail. The database refuses UPDATE, DELETE and
TRUNCATE on it (trigger in the migration), so not even a bug can rewrite history."""
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, String, func
from sqlalchemy.dialects.postgresql import INET, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from grid.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_at", "at"),
        Index("ix_audit_entry_actor_at", "actor_id", "at"),
        Index("ix_audit_entry_action_at", "action", "at"),
        Index("ix_audit_entry_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # The username as typed or as it was then: kept even if the user is renamed.
    actor_name: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(INET)
    action: Mapped[str] = mapped_column(String(48))
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    result: Mapped[str] = mapped_column(String(16))  # success / failure / denied
    detail: Mapped[dict] = mapped_column(JSONB, default=dict)
