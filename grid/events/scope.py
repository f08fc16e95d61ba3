"""Who may see an event and in which capacities a user stands towards it.

Area roles see the events of the grids in their scope. A department sees an
event once it has been dispatched to it (and keeps seeing it after it went
back). Administrators see everything. Everyone else sees none."""
from sqlalchemy import ColumnElement, exists, false, select, true

from grid.accounts.access import in_scope_grid
from grid.accounts.models import User, user_scope
from grid.accounts.roles import Role
from grid.events.models import Event, EventAction
from grid.extensions import db

AREA_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER, Role.COMMUNITY_STAFF, Role.STREET_STAFF})
EVENT_ROLES = AREA_ROLES | {Role.DEPARTMENT_HANDLER, Role.ADMIN}
REPORT_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER, Role.COMMUNITY_STAFF, Role.STREET_STAFF})
# The roles that act for a unit at each level.
ACTING_ROLES = {
    "grid": frozenset({Role.GRID_WORKER, Role.GRID_LEADER}),
    "community": frozenset({Role.COMMUNITY_STAFF}),
    "street": frozenset({Role.STREET_STAFF}),
    "department": frozenset({Role.DEPARTMENT_HANDLER}),
    "district": frozenset({Role.ADMIN}),
}
# A department sits below the street office that dispatches to it and supervises it.
RANK = {"grid": 0, "community": 1, "department": 1.5, "street": 2, "district": 3}


def visible(user: User) -> ColumnElement[bool]:
    """SQL predicate over Event: the events `user` may see."""
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.DEPARTMENT_HANDLER:
        if user.department_id is None:
            return false()
        return exists().where(EventAction.event_id == Event.id, EventAction.to_department_id == user.department_id)
    if user.role in AREA_ROLES:
        return in_scope_grid(user, Event.grid_id)
    return false()


def event_in_scope(user: User, event_id: int) -> Event | None:
    return db.session.scalar(select(Event).where(Event.id == event_id, visible(user)))


def holder_level(event: Event) -> str | None:
    if event.holder_department_id is not None:
        return "department"
    return event.holder_unit.level if event.holder_unit is not None else None


def chain(event: Event) -> dict[str, object]:
    """The event's grid, community and street units."""
    grid = event.grid
    community = grid.parent
    return {"grid": grid, "community": community, "street": community.parent if community else None}


def acts_for(user: User, level: str, unit_id: int | None = None, department_id: int | None = None) -> bool:
    if user.role not in ACTING_ROLES[level]:
        return False
    if level == "district":
        return True
    if level == "department":
        return department_id is not None and user.department_id == department_id
    return unit_id is not None and unit_id in {u.id for u in user.scope_units}


def decider(event: Event) -> tuple[str, int | None]:
    """Who decides the holder's extension request: one level up (a department's
    request goes to the street office that dispatched it)."""
    level = holder_level(event)
    units = chain(event)
    if level == "grid":
        return "community", units["community"].id
    if level in ("community", "department"):
        return "street", units["street"].id
    return "district", None


def capacities(user: User, event: Event) -> set[str]:
    """holder / decider / verifier / supervisor: what `user` may do to `event`
    is decided by these and the state (see workflow.RULES)."""
    found = set()
    level = holder_level(event)
    if event.state == "closed" or level is None:
        return found
    if acts_for(user, level, event.holder_unit_id, event.holder_department_id):
        found.add("holder")
    decider_level, decider_unit = decider(event)
    if acts_for(user, decider_level, decider_unit):
        found.add("decider")
    units = chain(event)
    if acts_for(user, "grid", event.grid_id) or (
            event.state == "to_verify" and acts_for(user, "community", units["community"].id)
            and not recipients("grid", event.grid_id)):
        found.add("verifier")  # a vacant grid's checks fall to its community
    for above in ("community", "street", "district"):
        if RANK[above] > RANK[level] and acts_for(user, above, getattr(units.get(above), "id", None)):
            found.add("supervisor")
    return found


def recipients(level: str, unit_id: int | None = None, department_id: int | None = None) -> list[int]:
    """Ids of the enabled users who act for a unit, a department or the district."""
    stmt = select(User.id).where(User.is_enabled, User.role.in_([str(r) for r in ACTING_ROLES[level]]))
    if level == "department":
        stmt = stmt.where(User.department_id == department_id)
    elif level != "district":
        stmt = stmt.join(user_scope, user_scope.c.user_id == User.id).where(user_scope.c.unit_id == unit_id)
    return list(db.session.scalars(stmt))
