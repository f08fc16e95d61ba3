"""Roles and what level of the hierarchy their scope sits at."""
from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    GRID_WORKER = "grid_worker"
    GRID_LEADER = "grid_leader"
    COMMUNITY_STAFF = "community_staff"
    CHILDREN_DIRECTOR = "children_director"
    STREET_STAFF = "street_staff"
    DEPARTMENT_HANDLER = "department_handler"
    ADMIN = "admin"
    AUDITOR = "auditor"


ROLE_LABELS = {
    Role.GRID_WORKER: _l("Grid worker"),
    Role.GRID_LEADER: _l("Grid leader"),
    Role.COMMUNITY_STAFF: _l("Community staff"),
    Role.CHILDREN_DIRECTOR: _l("Children's director"),
    Role.STREET_STAFF: _l("Street office staff"),
    Role.DEPARTMENT_HANDLER: _l("Department handler"),
    Role.ADMIN: _l("Administrator"),
    Role.AUDITOR: _l("Auditor"),
}

# Roles that work outdoors on phones get the longer idle timeout.
FIELD_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER, Role.CHILDREN_DIRECTOR})

# The level a role's scope units must be at (None: no geographic scope needed).
SCOPE_LEVEL = {
    Role.GRID_WORKER: "grid",
    Role.GRID_LEADER: "grid",
    Role.COMMUNITY_STAFF: "community",
    Role.CHILDREN_DIRECTOR: "community",
    Role.STREET_STAFF: "street",
    Role.DEPARTMENT_HANDLER: None,
    Role.ADMIN: None,
    Role.AUDITOR: None,
}

# Roles whose scope is the whole district whatever units they hold.
UNSCOPED_ROLES = frozenset({Role.ADMIN})
# Roles that oversee an area as a whole: its map and its dashboard.
OVERVIEW_ROLES = frozenset({Role.STREET_STAFF, Role.COMMUNITY_STAFF, Role.GRID_LEADER, Role.ADMIN})
