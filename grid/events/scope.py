"""Who may see an event and in which capacities a user stands towards it.

Area roles see the events of the grids in their scope. A department sees an
event once it has been dispatched to it (and keeps seeing it after it went
back). Administrators see everything. Everyone else sees none."""
from sqlalchemy import ColumnElement, exists, false, select, true

from grid.accounts.access import in_scope_grid
from grid.accounts.acting import acts_for, recipients
from grid.accounts.models import User
from grid.accounts.roles import Role
from grid.events.models import Event, EventAction
from grid.extensions import db

AREA_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER, Role.COMMUNITY_STAFF, Role.STREET_STAFF})
EVENT_ROLES = AREA_ROLES | {Role.DEPARTMENT_HANDLER, Role.ADMIN}
REPORT_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER, Role.COMMUNITY_STAFF, Role.STREET_STAFF})
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
