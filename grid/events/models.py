"""Events (事件): a problem found in a grid, passed up step by step until it is
fixed and verified; the category tree, the deadline policy and the step history."""
import uuid as uuid_module
from datetime import datetime, timedelta

from geoalchemy2 import Geometry
from sqlalchemy import (BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, Interval,
                        String, Text, func, text)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grid.accounts.models import Department, User
from grid.extensions import db
from grid.places.models import Unit
from grid.visits.models import StoredPhoto

SRID = 4326


class EventCategory(db.Model):
    """A node of the editable category tree (安全隐患 › 燃气隐患 …). Deadline
    rules may name any node; an event's category inherits its ancestors' rules."""

    __tablename__ = "event_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("event_category.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(default=1)

    parent: Mapped["EventCategory | None"] = relationship(remote_side=[id])


class DeadlinePolicy(db.Model):
    """The time limit of one step for a priority, optionally for a category
    (and its subcategories). The most specific category wins."""

    __tablename__ = "deadline_policy"
    __table_args__ = (
        Index("uq_deadline_policy", "priority", text("coalesce(category_id, 0)"), "step", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    priority: Mapped[str] = mapped_column(String(8))                 # urgent / normal
    category_id: Mapped[int | None] = mapped_column(ForeignKey("event_category.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(8))                     # sign / handle / verify / decide
    amount: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(16))                    # working_hours / working_days / hours
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    category: Mapped[EventCategory | None] = relationship()


class Event(db.Model):
    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_holder_unit", "holder_unit_id", "due_at", postgresql_where=text("state <> 'closed'")),
        Index("ix_event_holder_department", "holder_department_id", "due_at",
              postgresql_where=text("state <> 'closed'")),
        # Covering what events.stats and the dashboard count per grid, so that
        # they read a unit's events from the index alone (migration 0008):
        # a street's events lie one per heap page.
        Index("ix_event_grid_reported", "grid_id", "reported_at",
              postgresql_include=["id", "closed_at", "state", "due_at", "late_steps", "satisfaction"]),
        Index("ix_event_open_due", "due_at", postgresql_where=text("state <> 'closed'")),
        # A unit's open events and their lights, from the index alone
        # (migration 0009): the dashboard's headline and the map's event layers.
        Index("ix_event_open_grid", "grid_id", postgresql_include=["state", "due_at", "yellow_at"],
              postgresql_where=text("state <> 'closed'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Made by the page that opened the form: a resubmission carries the same one.
    uuid: Mapped[uuid_module.UUID] = mapped_column(UUID(as_uuid=True), unique=True)
    payload_hash: Mapped[str] = mapped_column(String(64))
    number: Mapped[str] = mapped_column(String(16), unique=True)     # 20261122-0007
    category_id: Mapped[int] = mapped_column(ForeignKey("event_category.id"))
    source: Mapped[str] = mapped_column(String(16))                  # patrol / resident / hotline / visit
    priority: Mapped[str] = mapped_column(String(8))                 # urgent / normal
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(String(200))
    location = mapped_column(Geometry("POINT", srid=SRID, spatial_index=True), nullable=False)
    grid_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    requester_name: Mapped[str | None] = mapped_column(String(50))
    requester_phone: Mapped[str | None] = mapped_column(String(20))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    origin_level: Mapped[str] = mapped_column(String(16))            # the level it was reported at
    visit_problem_id: Mapped[int | None] = mapped_column(ForeignKey("visit_problem.id"), unique=True)
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Where it is now and what is expected of whom by when.
    state: Mapped[str] = mapped_column(String(16))
    holder_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    holder_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    step: Mapped[str | None] = mapped_column(String(8))              # sign / handle / verify / decide
    step_seq: Mapped[int] = mapped_column(Integer, default=0)         # a new number for every new clock
    step_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    yellow_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    limit_unit: Mapped[str | None] = mapped_column(String(16))
    # An extension request stops the handling clock; the decider has its own.
    paused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paused_step_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paused_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paused_limit_unit: Mapped[str | None] = mapped_column(String(16))
    extension_days: Mapped[int | None] = mapped_column(Integer)
    # Working time the current handling step spent waiting for decisions: it
    # does not count against the holder.
    paused_working: Mapped[timedelta] = mapped_column(Interval, default=timedelta(0))
    standing_reason: Mapped[str | None] = mapped_column(Text)
    supervised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    late_steps: Mapped[int] = mapped_column(Integer, default=0)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closure: Mapped[str | None] = mapped_column(String(16))          # on_spot / verified
    satisfaction: Mapped[str | None] = mapped_column(String(16))     # satisfied / basic / dissatisfied / unreached
    satisfaction_note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)

    category: Mapped[EventCategory] = relationship()
    grid: Mapped[Unit] = relationship(foreign_keys=[grid_id])
    holder_unit: Mapped[Unit | None] = relationship(foreign_keys=[holder_unit_id])
    holder_department: Mapped[Department | None] = relationship()
    reporter: Mapped[User] = relationship()
    actions: Mapped[list["EventAction"]] = relationship(order_by="EventAction.id", viewonly=True)
    photos: Mapped[list["EventPhoto"]] = relationship(order_by="EventPhoto.id", viewonly=True)


class EventAction(db.Model):
    """One step of an event's history. Append-only: the database refuses
    updates and deletes."""

    __tablename__ = "event_action"
    __table_args__ = (
        Index("ix_event_action_event", "event_id", "id"),
        Index("ix_event_action_department", "to_department_id", "event_id",
              postgresql_where=text("to_department_id IS NOT NULL")),
        Index("ix_event_action_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))   # None: the system (reminders)
    actor_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    actor_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    to_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    note: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict] = mapped_column(JSONB, default=dict)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The step this action ended: its name, whether it ended late, and the
    # working time it took (for the supervisors' numbers).
    ended_step: Mapped[str | None] = mapped_column(String(8))
    ended_late: Mapped[bool | None] = mapped_column(Boolean)
    ended_working: Mapped[timedelta | None] = mapped_column(Interval)
    # The step it started and its deadline.
    step: Mapped[str | None] = mapped_column(String(8))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version_after: Mapped[int] = mapped_column(Integer)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    actor_unit: Mapped[Unit | None] = relationship(foreign_keys=[actor_unit_id])
    actor_department: Mapped[Department | None] = relationship(foreign_keys=[actor_department_id])
    to_unit: Mapped[Unit | None] = relationship(foreign_keys=[to_unit_id])
    to_department: Mapped[Department | None] = relationship(foreign_keys=[to_department_id])


class EventPhoto(StoredPhoto, db.Model):
    __tablename__ = "event_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("event_action.id"))


class EventReminder(db.Model):
    """A reminder already sent for one step clock: the sweep sends each once."""

    __tablename__ = "event_reminder"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    step_seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)     # yellow / red / supervise
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
