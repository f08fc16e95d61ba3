"""Disputes on a user's task list (the cases that need them now) and the
cases a visit's problems became."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import joinedload

from grid.accounts.roles import Role
from grid.disputes import queries
from grid.disputes.models import Dispute, dispute_mediator
from grid.disputes.scope import AREA_ROLES, visible
from grid.disputes.services import today
from grid.extensions import db

# A follow-up shows on the responsible person's list this many days ahead.
FOLLOW_UP_AHEAD_DAYS = 3


@dataclass(frozen=True)
class DisputeTask:
    dispute: Dispute
    reason: str                 # follow_up / accept / owner / mediator: why it is on this user's list
    light: str | None
    days_left: int | None       # of the current step, in its unit (queries.step_days_left); negative: overdue


def for_user(user, now: datetime) -> list[DisputeTask]:
    """The user's disputes that need them, red first, in one query: follow-ups
    due within three days (or overdue) where they are the responsible person;
    open cases with a yellow or red light where they are mediator or
    responsible person; for community staff, their community's cases waiting
    to be accepted."""
    if user.role not in AREA_ROLES:
        return []
    is_mediator = exists().where(dispute_mediator.c.dispute_id == Dispute.id, dispute_mediator.c.user_id == user.id)
    is_owner = Dispute.stability_owner_id == user.id
    wanted = [
        and_(Dispute.state == "follow_up", is_owner,
             Dispute.follow_up_on <= today(now) + timedelta(days=FOLLOW_UP_AHEAD_DAYS)),
        and_(Dispute.state != "archived", Dispute.yellow_at <= now, or_(is_owner, is_mediator)),
    ]
    communities = [u.id for u in user.scope_units] if user.role == Role.COMMUNITY_STAFF else []
    if communities:
        wanted.append(and_(Dispute.state == "registered", Dispute.community_id.in_(communities)))
    rows = db.session.scalars(
        select(Dispute).options(joinedload(Dispute.grid)).where(visible(user), or_(*wanted))
        .order_by(queries.light_rank(now), Dispute.due_at.asc().nulls_last(), Dispute.id))
    return [task(d, user, communities, now) for d in rows]


def task(dispute: Dispute, user, communities: list[int], now: datetime) -> DisputeTask:
    if dispute.state == "follow_up" and dispute.stability_owner_id == user.id:
        reason = "follow_up"
    elif dispute.state == "registered" and dispute.community_id in communities:
        reason = "accept"
    else:
        reason = "owner" if dispute.stability_owner_id == user.id else "mediator"
    return DisputeTask(dispute, reason, queries.light(dispute, now), queries.step_days_left(dispute, now))


def from_problems(user, problem_ids: list[int]) -> dict[int, Dispute]:
    """The disputes a visit's problems became, by problem id (one query per page)."""
    if not problem_ids:
        return {}
    return {d.visit_problem_id: d for d in db.session.scalars(
        select(Dispute).where(Dispute.visit_problem_id.in_(problem_ids), visible(user)))}
