"""In-app notifications: one row per recipient, read when opened."""
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from grid.extensions import db


class Notification(db.Model):
    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_unread", "user_id", postgresql_where=text("read_at IS NULL")),
        Index("ix_notification_user_created", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))          # what happened: assigned, returned, reminder…
    object_type: Mapped[str] = mapped_column(String(24))   # event, dispute…
    object_id: Mapped[int] = mapped_column(Integer)
    # Words for the message (a number, a unit name): never personal data.
    params: Mapped[dict] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
