"""Disputes (矛盾纠纷): a case registered in a grid, mediated by the community
in sessions, concluded by an outcome (an agreement, a referral…), reviewed by
the community committee, followed up for performance and archived; the
screening reports (排查, 零报告) each grid and community files per period."""
import uuid as uuid_module
from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import (BigInteger, Column, Date, DateTime, ForeignKey, Index, Integer, LargeBinary, String,
                        Table, Text, UniqueConstraint, func, text)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grid.accounts.models import User
from grid.extensions import db
from grid.places.models import Unit
from grid.registry.models import Resident
from grid.visits.models import StoredPhoto

SRID = 4326

dispute_mediator = Table(
    "dispute_mediator", db.metadata,
    Column("dispute_id", ForeignKey("dispute.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("app_user.id"), primary_key=True, index=True),
)


class DisputeTimeLimit(db.Model):
    """The time limit (完成时限) of a dispute of one level, counted from its
    registration, in calendar or working days. Administrators edit it."""

    __tablename__ = "dispute_time_limit"

    level: Mapped[str] = mapped_column(String(8), primary_key=True)      # ordinary / serious / major
    amount: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(16))                        # calendar_days / working_days
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Screening(db.Model):
    """One unit's screening report for one period: the disputes found (those
    registered from it) or an explicit "nothing found" (零报告)."""

    __tablename__ = "dispute_screening"
    __table_args__ = (UniqueConstraint("unit_id", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    nothing_found: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(Text)                       # where and how it was screened
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(default=1)

    unit: Mapped[Unit] = relationship()
    reported_by: Mapped[User] = relationship()


class Dispute(db.Model):
    __tablename__ = "dispute"
    __table_args__ = (
        Index("ix_dispute_grid_registered", "grid_id", "registered_on"),
        Index("ix_dispute_open_due", "due_at", postgresql_where=text("state <> 'archived'")),
        Index("ix_dispute_major", "street_id", postgresql_where=text("level = 'major'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Made by the page that opened the form: a resubmission carries the same one.
    uuid: Mapped[uuid_module.UUID] = mapped_column(UUID(as_uuid=True), unique=True)
    payload_hash: Mapped[str] = mapped_column(String(64))
    number: Mapped[str] = mapped_column(String(20), unique=True)          # JF20261122-0003
    type: Mapped[str] = mapped_column(String(16))                        # family / neighbour / housing …
    source: Mapped[str] = mapped_column(String(16))                      # screening / request / referral / visit
    level: Mapped[str] = mapped_column(String(8))                        # ordinary / serious / major
    grid_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    # The grid's community and street office at registration, for scoped lists
    # and the street office's major-case page without a join up the tree.
    community_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    street_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    location = mapped_column(Geometry("POINT", srid=SRID, spatial_index=True), nullable=True)
    address: Mapped[str] = mapped_column(String(200))
    people_involved: Mapped[int] = mapped_column(Integer)
    facts: Mapped[str] = mapped_column(Text)                             # what happened
    claims: Mapped[str] = mapped_column(Text)                            # what each side asks for
    registered_on: Mapped[date] = mapped_column(Date)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    registrar_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    visit_problem_id: Mapped[int | None] = mapped_column(ForeignKey("visit_problem.id"), unique=True)
    screening_id: Mapped[int | None] = mapped_column(ForeignKey("dispute_screening.id"), index=True)
    # The case's time limit (完成时限) from the level's policy, counted from
    # registration (or from the day it is mediated again after a follow-up).
    limit_amount: Mapped[int] = mapped_column(Integer)
    limit_unit: Mapped[str] = mapped_column(String(16))
    limit_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    time_limit_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Where it is now and whose clock runs until when.
    state: Mapped[str] = mapped_column(String(16))
    step: Mapped[str | None] = mapped_column(String(12))                 # accept / mediate / review / follow_up
    step_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    yellow_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # People: who keeps it stable (and follows up), who mediates, who supervises.
    stability_owner_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    other_mediators: Mapped[str | None] = mapped_column(String(200))    # mediators without an account
    supervising_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    supervisor_name: Mapped[str | None] = mapped_column(String(50))
    lead_leader_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))   # 包案领导 (major cases)
    listed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))     # 挂牌督办
    listing_note: Mapped[str | None] = mapped_column(Text)
    # The outcome of mediation, and who recorded it (they may not also approve it).
    outcome: Mapped[str | None] = mapped_column(String(12))   # agreement / partial / failed / referred / withdrawn / declined
    outcome_note: Mapped[str | None] = mapped_column(Text)
    referral_body: Mapped[str | None] = mapped_column(String(100))
    outcome_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    outcome_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    performance: Mapped[str | None] = mapped_column(String(12))         # fulfilled / partial / unfulfilled
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(default=1)

    grid: Mapped[Unit] = relationship(foreign_keys=[grid_id])
    community: Mapped[Unit] = relationship(foreign_keys=[community_id])
    street: Mapped[Unit] = relationship(foreign_keys=[street_id])
    supervising_unit: Mapped[Unit] = relationship(foreign_keys=[supervising_unit_id])
    registrar: Mapped[User] = relationship(foreign_keys=[registrar_id])
    stability_owner: Mapped[User] = relationship(foreign_keys=[stability_owner_id])
    lead_leader: Mapped[User | None] = relationship(foreign_keys=[lead_leader_id])
    outcome_by: Mapped[User | None] = relationship(foreign_keys=[outcome_by_id])
    mediators: Mapped[list[User]] = relationship(secondary=dispute_mediator, order_by=User.id)
    screening: Mapped[Screening | None] = relationship()
    parties: Mapped[list["DisputeParty"]] = relationship(order_by="DisputeParty.position", viewonly=True)
    sessions: Mapped[list["MediationSession"]] = relationship(order_by="MediationSession.held_at", viewonly=True)
    actions: Mapped[list["DisputeAction"]] = relationship(order_by="DisputeAction.id", viewonly=True)
    agreement: Mapped["MediationAgreement | None"] = relationship(viewonly=True, uselist=False)


class DisputeParty(db.Model):
    """A party (当事人): a resident of the registry, or a person typed in. The
    ID number is sealed like a resident's and shown masked; a linked
    resident's number is read from the registry, never copied."""

    __tablename__ = "dispute_party"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("dispute.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(12))                        # applicant / respondent / third
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[str | None] = mapped_column(String(8))
    id_number_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    id_number_masked: Mapped[str | None] = mapped_column(String(18))
    phone: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(200))

    resident: Mapped[Resident | None] = relationship()


class DisputeAction(db.Model):
    """One step of a dispute's history. Append-only: the database refuses
    updates and deletes."""

    __tablename__ = "dispute_action"
    __table_args__ = (Index("ix_dispute_action_dispute", "dispute_id", "id"),
                      Index("ix_dispute_action_at", "action", "at"))

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("dispute.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict] = mapped_column(JSONB, default=dict)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The step this action ended and whether it ended late.
    ended_step: Mapped[str | None] = mapped_column(String(12))
    ended_late: Mapped[bool | None] = mapped_column()
    version_after: Mapped[int] = mapped_column(Integer)

    actor: Mapped[User] = relationship()


class MediationSession(db.Model):
    """One mediation session: when, where, who attended and the record of what
    was said (笔录), with photos of signed pages or the scene."""

    __tablename__ = "mediation_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid_module.UUID] = mapped_column(UUID(as_uuid=True), unique=True)
    payload_hash: Mapped[str] = mapped_column(String(64))
    dispute_id: Mapped[int] = mapped_column(ForeignKey("dispute.id", ondelete="CASCADE"), index=True)
    held_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    place: Mapped[str] = mapped_column(String(100))
    attendees: Mapped[str] = mapped_column(Text)
    record: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    recorded_by: Mapped[User] = relationship()
    attachments: Mapped[list["SessionAttachment"]] = relationship(order_by="SessionAttachment.id", viewonly=True)


class SessionAttachment(StoredPhoto, db.Model):
    __tablename__ = "mediation_session_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("mediation_session.id", ondelete="CASCADE"), index=True)


class MediationAgreement(db.Model):
    """The mediation agreement (调解协议书) as structured fields: the printed
    page is rendered from them. The parties come from the case."""

    __tablename__ = "mediation_agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("dispute.id", ondelete="CASCADE"), unique=True)
    facts: Mapped[str] = mapped_column(Text)                             # 纠纷主要事实
    matter: Mapped[str] = mapped_column(Text)                            # 争议事项
    terms: Mapped[str] = mapped_column(Text)                             # 达成协议内容, one term per line
    performance_manner: Mapped[str] = mapped_column(String(200))         # 履行方式
    performance_place: Mapped[str] = mapped_column(String(200))          # 履行地点
    performance_deadline: Mapped[date] = mapped_column(Date)             # 履行期限
    made_on: Mapped[date] = mapped_column(Date)                          # 协议日期
    mediator_names: Mapped[str] = mapped_column(String(200))
    committee_name: Mapped[str] = mapped_column(String(100))             # 人民调解委员会 (the seal)
    copies: Mapped[int] = mapped_column(Integer, default=3)              # 一式N份
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(default=1)

    updated_by: Mapped[User] = relationship()
