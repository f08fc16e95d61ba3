"""Who acts for a unit: the roles that work at each level of the hierarchy,
whether a user acts for a given unit (or department), and who the enabled
users acting for one are (the recipients of its notifications)."""
from sqlalchemy import select

from grid.accounts.models import User, user_scope
from grid.accounts.roles import Role
from grid.extensions import db

# The roles that act for a unit at each level.
ACTING_ROLES = {
    "grid": frozenset({Role.GRID_WORKER, Role.GRID_LEADER}),
    "community": frozenset({Role.COMMUNITY_STAFF}),
    "street": frozenset({Role.STREET_STAFF}),
    "department": frozenset({Role.DEPARTMENT_HANDLER}),
    "district": frozenset({Role.ADMIN}),
}


def acts_for(user: User, level: str, unit_id: int | None = None, department_id: int | None = None) -> bool:
    if user.role not in ACTING_ROLES[level]:
        return False
    if level == "district":
        return True
    if level == "department":
        return department_id is not None and user.department_id == department_id
    return unit_id is not None and unit_id in {u.id for u in user.scope_units}


def recipients(level: str, unit_id: int | None = None, department_id: int | None = None) -> list[int]:
    """Ids of the enabled users who act for a unit, a department or the district."""
    stmt = select(User.id).where(User.is_enabled, User.role.in_([str(r) for r in ACTING_ROLES[level]]))
    if level == "department":
        stmt = stmt.where(User.department_id == department_id)
    elif level != "district":
        stmt = stmt.join(user_scope, user_scope.c.user_id == User.id).where(user_scope.c.unit_id == unit_id)
    return list(db.session.scalars(stmt))
