"""Visits (走访), the cadence policy that says when a care record is due, and
what a visit carries: covered records, photos and problems found."""
import uuid as uuid_module
from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grid.extensions import db
from grid.registry.models import Household


class CadencePolicy(db.Model):
    """How often a care record must be visited. The most specific row wins:
    kind + category + tier, then kind + tier, then kind + category, then kind."""

    __tablename__ = "cadence_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))                    # elderly / child
    category: Mapped[str | None] = mapped_column(String(32))        # None: any category
    risk_tier: Mapped[str | None] = mapped_column(String(16))       # None: any tier
    interval_days: Mapped[int] = mapped_column(Integer)
    window_before_days: Mapped[int] = mapped_column(Integer, default=0)
    window_after_days: Mapped[int] = mapped_column(Integer, default=0)
    # A new record's first visit: within this many working days (None: one interval).
    first_visit_working_days: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    version: Mapped[int] = mapped_column(default=1)


class Visit(db.Model):
    __tablename__ = "visit"
    __table_args__ = (
        Index("ix_visit_household_at", "household_id", "visited_at"),
        Index("ix_visit_grid_at", "grid_id", "visited_at"),
        Index("ix_visit_flagged", "grid_id", postgresql_where=text("is_flagged AND confirmed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Made by the page that opened the form: a resubmission carries the same one.
    uuid: Mapped[uuid_module.UUID] = mapped_column(UUID(as_uuid=True), unique=True)
    payload_hash: Mapped[str] = mapped_column(String(64))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"))
    grid_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))    # the household's grid at the time
    visitor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    mode: Mapped[str] = mapped_column(String(16))                  # in_person / phone / video / neighbour
    visited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))   # the client's time of the visit
    client_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    client_submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
    checklist: Mapped[dict] = mapped_column(JSONB, default=dict)   # subject -> {"status": ok/concern, "note": …}
    notes: Mapped[str | None] = mapped_column(Text)
    # Proof of presence: a fix, its accuracy, and its distance to the household.
    location_status: Mapped[str] = mapped_column(String(16))       # fix / denied / timeout / unavailable
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    is_at_household: Mapped[bool] = mapped_column(Boolean, default=False)
    off_site_reason: Mapped[str | None] = mapped_column(Text)
    is_flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    device: Mapped[str | None] = mapped_column(String(255))

    household: Mapped[Household] = relationship()
    records: Mapped[list["VisitRecord"]] = relationship(cascade="all, delete-orphan")
    problems: Mapped[list["VisitProblem"]] = relationship(cascade="all, delete-orphan", order_by="VisitProblem.id")
    photos: Mapped[list["VisitPhoto"]] = relationship(cascade="all, delete-orphan", order_by="VisitPhoto.id")


class VisitRecord(db.Model):
    """A care record a visit covers."""

    __tablename__ = "visit_record"
    __table_args__ = (Index("ix_visit_record_record", "kind", "record_id"),)

    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    record_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class StoredPhoto:
    """The columns of a photo kept in the database (visits, events): the
    re-encoded JPEG from `grid.visits.photos.process_photo`, no metadata."""

    data: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))


class VisitPhoto(StoredPhoto, db.Model):
    __tablename__ = "visit_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)


class VisitProblem(db.Model):
    """A problem found on a visit; later issues turn one into an event or a dispute."""

    __tablename__ = "visit_problem"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(24))    # checklist subject it belongs to
    description: Mapped[str] = mapped_column(Text)
    is_urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="open")   # open / event / dispute / resolved


class CoverageMonth(db.Model):
    """A closed month's visit coverage per grid and kind of record (rollup.py):
    the figure coverage_by_month would compute for that month, stored once the
    month can no longer change. Every grid gets a row for a month it rolls up,
    zeros included, so a month that has rows is complete."""

    __tablename__ = "coverage_month"

    grid_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)            # the first day, Shanghai's calendar
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)         # elderly / child
    active: Mapped[int] = mapped_column(Integer)
    covered: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
