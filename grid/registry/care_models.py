"""Care registers: elderly people who need looking after (老年人关爱对象) and
children in need (困境儿童/留守儿童). Closed records stay, with their history."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (ARRAY, BigInteger, Boolean, DateTime, FetchedValue, ForeignKey, Index, Integer, Numeric, String,
                        Text, func, text)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grid.extensions import db
from grid.registry.models import Resident


class CareRecord:
    """Columns every care record has: status, closure, risk tier, optimistic lock."""

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"), index=True)
    # The person's household's grid, never written by the app: triggers keep
    # it (migration 0009) so that scoped reads select records by grid.
    grid_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True, server_default=FetchedValue())
    risk_tier: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(8), default="open")  # open / closed
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    close_reason: Mapped[str | None] = mapped_column(String(24))
    close_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    version: Mapped[int] = mapped_column(default=1)
    # Visit cadence: when the first visit is due (working days, fixed at creation),
    # the latest visit, and a major change that makes a visit due within 24 hours.
    first_visit_due: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_visit_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    major_change_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    major_change_reason: Mapped[str | None] = mapped_column(String(24))

    @property
    def is_open(self) -> bool:
        return self.status == "open"


class ElderlyRecord(CareRecord, db.Model):
    __tablename__ = "elderly_record"
    __table_args__ = (
        # One open record per person; closed ones accumulate as history.
        Index("uq_elderly_record_open", "resident_id", unique=True, postgresql_where=text("status = 'open'")),
    )
    kind = "elderly"

    categories: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    living_arrangement: Mapped[str | None] = mapped_column(String(24))
    children_count: Mapped[int | None] = mapped_column(Integer)
    children_whereabouts: Mapped[str | None] = mapped_column(Text)
    self_care: Mapped[dict] = mapped_column(JSONB, default=dict)  # item -> able / needs_help / unable
    self_care_result: Mapped[str | None] = mapped_column(String(24))
    chronic_illness: Mapped[str | None] = mapped_column(Text)
    allowances: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    emergency_contact_name: Mapped[str | None] = mapped_column(String(50))
    emergency_contact_phone: Mapped[str | None] = mapped_column(String(20))
    care_arrangements: Mapped[str | None] = mapped_column(Text)
    needs: Mapped[str | None] = mapped_column(Text)

    resident: Mapped[Resident] = relationship()


class ChildRecord(CareRecord, db.Model):
    __tablename__ = "child_record"
    __table_args__ = (
        Index("uq_child_record_open", "resident_id", unique=True, postgresql_where=text("status = 'open'")),
    )
    kind = "child"

    category: Mapped[str] = mapped_column(String(32))
    guardian_name: Mapped[str] = mapped_column(String(50))
    guardian_relation: Mapped[str] = mapped_column(String(24))
    guardian_phone: Mapped[str | None] = mapped_column(String(20))
    entrusted_guardianship_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    father_situation: Mapped[str | None] = mapped_column(String(24))
    mother_situation: Mapped[str | None] = mapped_column(String(24))
    parents_note: Mapped[str | None] = mapped_column(Text)
    school: Mapped[str | None] = mapped_column(String(100))
    grade: Mapped[str | None] = mapped_column(String(20))
    boarding: Mapped[bool] = mapped_column(Boolean, default=False)
    dropped_out: Mapped[bool] = mapped_column(Boolean, default=False)
    health: Mapped[str | None] = mapped_column(Text)
    disability: Mapped[str | None] = mapped_column(Text)
    living_allowance: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))  # 基本生活费, yuan per month
    receives_dibao: Mapped[bool] = mapped_column(Boolean, default=False)
    guardianship_quality: Mapped[str | None] = mapped_column(String(16))
    director_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    resident: Mapped[Resident] = relationship()


class CareRecordChange(db.Model):
    """Append-only history of a care record: what changed, when, by whom."""

    __tablename__ = "care_record_change"
    __table_args__ = (Index("ix_care_record_change_record", "kind", "record_id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # elderly / child
    record_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
    by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    action: Mapped[str] = mapped_column(String(16))  # created / updated / closed / reopened / imported
    changes: Mapped[dict] = mapped_column(JSONB, default=dict)
