"""Reads for the committee's review queue and the street office's major-dispute
supervision page: one query for the cases with what their cards show loaded
alongside (no query per card)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import selectinload

from grid.accounts.acting import acts_for
from grid.accounts.models import User
from grid.accounts.roles import Role
from grid.disputes.models import Dispute, DisputeAction, MediationAgreement
from grid.disputes.queries import street_leaders
from grid.disputes.scope import visible
from grid.extensions import db

# Archived major cases stay on the supervision page this long.
ARCHIVED_DAYS = 90


# --- the committee's review queue --------------------------------------------------------

@dataclass
class ReviewItem:
    dispute: Dispute
    # Whether mediation ended after the case's time limit (the history's word
    # when there is one; outcome time against the limit otherwise).
    ended_late: bool


def own_communities(user: User) -> list[int]:
    """The communities the user acts for (their committee's cases)."""
    return [u.id for u in user.scope_units if acts_for(user, "community", u.id)]


def mediate_ended_late():
    """Correlated subquery: whether the case's last mediate step ended late."""
    return (select(DisputeAction.ended_late)
            .where(DisputeAction.dispute_id == Dispute.id, DisputeAction.ended_step == "mediate")
            .order_by(DisputeAction.id.desc()).limit(1).scalar_subquery())


def review_queue(user: User, dispute_id: int | None = None) -> list[ReviewItem]:
    """The cases of the user's communities awaiting committee review, longest
    waiting first; with `dispute_id`, just that case (in any state) if it is
    one of theirs — the card after a decision or a refused one."""
    communities = own_communities(user)
    if not communities:
        return []
    stmt = (select(Dispute, mediate_ended_late())
            .where(Dispute.community_id.in_(communities), visible(user))
            .options(selectinload(Dispute.parties), selectinload(Dispute.sessions),
                     selectinload(Dispute.agreement), selectinload(Dispute.outcome_by),
                     selectinload(Dispute.grid), selectinload(Dispute.mediators),
                     selectinload(Dispute.stability_owner))
            .order_by(Dispute.step_started_at, Dispute.id))
    stmt = stmt.where(Dispute.id == dispute_id) if dispute_id is not None else \
        stmt.where(Dispute.state == "under_review")
    items = []
    for dispute, late in db.session.execute(stmt):
        if late is None:
            late = dispute.outcome_at is not None and dispute.outcome_at > dispute.time_limit_at
        items.append(ReviewItem(dispute, bool(late)))
    return items


def review_item(user: User, dispute_id: int) -> ReviewItem | None:
    found = review_queue(user, dispute_id)
    return found[0] if found else None


def review_waiting(user: User) -> int:
    """How many cases wait for this committee member's decision: the
    community's cases under review whose outcome someone else recorded and
    whose agreement someone else last saved (the four-eyes rule of
    scope.capacities: nobody approves their own work)."""
    if user.role != Role.COMMUNITY_STAFF:
        return 0
    communities = own_communities(user)
    if not communities:
        return 0
    wrote_agreement = exists().where(MediationAgreement.dispute_id == Dispute.id,
                                     MediationAgreement.updated_by_id == user.id)
    return db.session.scalar(select(func.count()).select_from(Dispute).where(
        Dispute.community_id.in_(communities), Dispute.state == "under_review",
        Dispute.outcome_by_id.is_distinct_from(user.id), ~wrote_agreement))


def review_count(user: User) -> int:
    """Every case in the user's queue, including those they may not decide."""
    communities = own_communities(user)
    if not communities:
        return 0
    return db.session.scalar(select(func.count()).select_from(Dispute).where(
        Dispute.community_id.in_(communities), Dispute.state == "under_review"))


# --- the street office's major cases ------------------------------------------------------

@dataclass
class MajorPage:
    open: list[Dispute]
    archived: list[Dispute]
    # dispute id -> the latest supervision action (督办)
    last_supervision: dict[int, DisputeAction]
    # street id -> the street office's staff, the leaders one may put in charge
    leaders: dict[int, list[User]]


def major_streets(user: User) -> list[int] | None:
    """The streets whose major cases the user supervises; None: all (administrators)."""
    if user.role == Role.ADMIN:
        return None
    return [u.id for u in user.scope_units if acts_for(user, "street", u.id)]


def major_cases(user: User, now: datetime, dispute_id: int | None = None) -> MajorPage:
    """Major (重大) cases of the user's streets: the open ones, those with the
    nearest time limit first, then those archived in the last ARCHIVED_DAYS."""
    streets = major_streets(user)
    stmt = (select(Dispute).where(Dispute.level == "major", visible(user))
            .options(selectinload(Dispute.grid), selectinload(Dispute.community),
                     selectinload(Dispute.lead_leader), selectinload(Dispute.mediators))
            .order_by(Dispute.time_limit_at, Dispute.id))
    if streets is not None:
        stmt = stmt.where(Dispute.street_id.in_(streets or [-1]))
    if dispute_id is not None:
        stmt = stmt.where(Dispute.id == dispute_id)
    cutoff = now - timedelta(days=ARCHIVED_DAYS)
    open_, archived = [], []
    for dispute in db.session.scalars(stmt):
        if dispute.state != "archived":
            open_.append(dispute)
        elif dispute.archived_at is not None and dispute.archived_at >= cutoff:
            archived.append(dispute)
    archived.sort(key=lambda d: d.archived_at, reverse=True)
    return MajorPage(open_, archived, last_supervision([d.id for d in open_ + archived]),
                     street_leaders({d.street_id for d in open_}))


def major_case(user: User, dispute_id: int, now: datetime) -> Dispute | None:
    """One of the user's major cases (open or recently archived), else None."""
    page = major_cases(user, now, dispute_id)
    found = page.open + page.archived
    return found[0] if found else None


def last_supervision(dispute_ids: list[int]) -> dict[int, DisputeAction]:
    if not dispute_ids:
        return {}
    # DISTINCT ON keeps the first row of each case: its latest supervision.
    rows = db.session.scalars(
        select(DisputeAction).where(DisputeAction.dispute_id.in_(dispute_ids), DisputeAction.action == "supervise")
        .ext(distinct_on(DisputeAction.dispute_id)).order_by(DisputeAction.dispute_id, DisputeAction.id.desc())
        .options(selectinload(DisputeAction.actor)))
    return {a.dispute_id: a for a in rows}
