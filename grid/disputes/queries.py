"""Reading disputes: the community's board (sorted by light and time left),
one case's history, sessions and photos, and the people a case's forms
offer (mediators, responsible person, leader in charge)."""
from datetime import datetime

from sqlalchemy import case, literal, or_, select
from sqlalchemy.orm import aliased, selectinload

from grid.accounts.access import unit_path_in_scope
from grid.accounts.acting import ACTING_ROLES
from grid.accounts.models import User, user_scope
from grid.disputes import limits
from grid.disputes.models import (Dispute, DisputeAction, DisputeParty, MediationSession,
                                  SessionAttachment)
from grid.disputes.scope import MEDIATOR_LEVELS, OWNER_LEVELS, visible
from grid.extensions import db
from grid.places.models import Unit

# Board tabs: one per state of the process, and every open case.
TABS = ("registered", "mediating", "under_review", "follow_up", "archived", "open")
LIGHTS = ("red", "yellow", "green")


def light_sql(now: datetime):
    """The traffic light as SQL, for filtering and sorting (archived: none)."""
    return case((Dispute.state == "archived", literal(None)),
                (Dispute.due_at.is_(None), literal(None)),
                (Dispute.due_at <= now, literal("red")),
                (Dispute.yellow_at <= now, literal("yellow")),
                else_=literal("green"))


def light_rank(now: datetime):
    """Red first, then yellow, green, and cases without a light (for ORDER BY)."""
    return case({"red": 0, "yellow": 1, "green": 2}, value=light_sql(now), else_=3)


def board(user, *, now: datetime, tab: str = "open", level: str = "", type: str = "", light: str = "",
          unit_id: int | None = None, screening_id: int | None = None, overdue: bool = False,
          page: int = 1, per_page: int = 50):
    """One page of the disputes the user may see, most urgent first. `tab` is
    a state, "open" (every state but archived) or "all"; `screening_id`: the
    cases one screening found; `overdue`: open past the case's time limit now."""
    lights = light_sql(now)
    stmt = select(Dispute).where(visible(user))
    if tab == "open":
        stmt = stmt.where(Dispute.state != "archived")
    elif tab != "all":
        stmt = stmt.where(Dispute.state == tab)
    if screening_id:
        stmt = stmt.where(Dispute.screening_id == screening_id)
    if overdue:
        stmt = stmt.where(Dispute.state.in_(limits.LIMIT_RUNNING), Dispute.time_limit_at < now)
    if level:
        stmt = stmt.where(Dispute.level == level)
    if type:
        stmt = stmt.where(Dispute.type == type)
    if light:
        stmt = stmt.where(lights == light)
    if unit_id:
        # Only a unit in the user's scope narrows anything; another one matches nothing.
        area = select(Unit.path).where(Unit.id == unit_id, unit_path_in_scope(user, Unit.path)).scalar_subquery()
        grid = aliased(Unit)
        stmt = stmt.where(Dispute.grid_id.in_(select(grid.id).where(grid.path.descendant_of(area))))
    if tab == "archived":
        stmt = stmt.order_by(Dispute.archived_at.desc().nulls_last(), Dispute.id.desc())
    else:
        stmt = stmt.order_by(light_rank(now), Dispute.due_at.asc().nulls_last(), Dispute.id.desc())
    stmt = stmt.options(selectinload(Dispute.grid))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def filter_units(user) -> list[Unit]:
    """The communities and grids in the user's scope, for the board's unit filter."""
    return list(db.session.scalars(select(Unit).where(Unit.level.in_(("community", "grid")),
                                                      unit_path_in_scope(user, Unit.path)).order_by(Unit.path)))


def step_unit(dispute: Dispute) -> str:
    """The unit the current step's days count in: accepting and reviewing in
    working days, mediating in the case's own limit unit, follow-ups in calendar days."""
    if dispute.step in ("accept", "review"):
        return "working_days"
    if dispute.step == "mediate":
        return dispute.limit_unit
    return "calendar_days"


def light(dispute: Dispute, now: datetime) -> str | None:
    if dispute.state == "archived":
        return None
    return limits.light(dispute.due_at, dispute.yellow_at, now)


def step_days_left(dispute: Dispute, now: datetime) -> int | None:
    if dispute.state == "archived" or dispute.due_at is None:
        return None
    return limits.days_left(dispute.due_at, now, step_unit(dispute))


def limit_days_left(dispute: Dispute, now: datetime) -> int | None:
    """Days left of the case's own time limit (完成时限), in its unit."""
    if dispute.state == "archived":
        return None
    return limits.days_left(dispute.time_limit_at, now, dispute.limit_unit)


def timeline(dispute: Dispute) -> list[DisputeAction]:
    return list(db.session.scalars(select(DisputeAction).where(DisputeAction.dispute_id == dispute.id)
                                   .order_by(DisputeAction.id).options(selectinload(DisputeAction.actor))))


def sessions(dispute: Dispute) -> list[MediationSession]:
    return list(db.session.scalars(
        select(MediationSession).where(MediationSession.dispute_id == dispute.id)
        .order_by(MediationSession.held_at, MediationSession.id)
        .options(selectinload(MediationSession.recorded_by), selectinload(MediationSession.attachments)
                 .load_only(SessionAttachment.id, SessionAttachment.session_id))))


def session_photo(dispute: Dispute, session_id: int, photo_id: int) -> SessionAttachment | None:
    return db.session.scalar(select(SessionAttachment).join(MediationSession).where(
        SessionAttachment.id == photo_id, SessionAttachment.session_id == session_id,
        MediationSession.dispute_id == dispute.id))


def party(dispute: Dispute, party_id: int) -> DisputeParty | None:
    return db.session.scalar(select(DisputeParty).where(DisputeParty.id == party_id,
                                                        DisputeParty.dispute_id == dispute.id))


def acting_users(*pairs: tuple[str, int]) -> list[User]:
    """Enabled users who act for any of the (level, unit id) pairs, by name."""
    conditions = [(user_scope.c.unit_id == unit_id) & User.role.in_([str(r) for r in ACTING_ROLES[level]])
                  for level, unit_id in pairs]
    return list(db.session.scalars(
        select(User).join(user_scope, user_scope.c.user_id == User.id)
        .where(User.is_enabled, or_(*conditions)).distinct().order_by(User.full_name, User.id)))


def eligible(dispute: Dispute, levels: tuple[str, ...]) -> list[User]:
    """Who acts for the case's grid, community or street office at `levels`."""
    units = {"grid": dispute.grid_id, "community": dispute.community_id, "street": dispute.street_id}
    return acting_users(*((level, units[level]) for level in levels))


def eligible_mediators(dispute: Dispute) -> list[User]:
    return eligible(dispute, MEDIATOR_LEVELS)


def eligible_owners(dispute: Dispute) -> list[User]:
    return eligible(dispute, OWNER_LEVELS)


def street_leaders(street_ids: set[int]) -> dict[int, list[User]]:
    """The enabled staff of each street office, by name: the leaders one may put in charge of a case."""
    if not street_ids:
        return {}
    rows = db.session.execute(
        select(user_scope.c.unit_id, User).join(user_scope, user_scope.c.user_id == User.id)
        .where(user_scope.c.unit_id.in_(street_ids), User.is_enabled,
               User.role.in_([str(r) for r in ACTING_ROLES["street"]]))
        .order_by(User.full_name, User.id))
    found: dict[int, list[User]] = {sid: [] for sid in street_ids}
    for street_id, leader in rows:
        found[street_id].append(leader)
    return found
