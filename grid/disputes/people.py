"""The people a registration form offers: residents to link a party to, and
the users who may be named responsible person (稳控负责人) or mediator.
Everything is narrowed to the registering user's grids through accounts.access."""
from dataclasses import dataclass

from sqlalchemy import case, or_, select
from sqlalchemy.orm import contains_eager

from grid.accounts.access import grids_in_scope, in_scope_grid
from grid.accounts.acting import ACTING_ROLES
from grid.accounts.models import User, user_scope
from grid.disputes.scope import OWNER_LEVELS
from grid.extensions import db
from grid.places.models import Unit
from grid.registry.models import Household, Resident

MAX_MATCHES = 10
MIN_QUERY = 2


def like_pattern(q: str) -> str:
    """A substring pattern with the user's own % and _ taken literally."""
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find_residents(user, q: str) -> list[Resident]:
    """At most ten residents of the user's grids whose name (or door plate)
    contains `q`; nothing for fewer than two characters. Names that start with
    `q` come first. The household comes along in the same query."""
    q = q.strip()[:50]
    if len(q) < MIN_QUERY:
        return []
    pattern = like_pattern(q)
    starts = case((Resident.name.startswith(q, autoescape=True), 0), else_=1)
    return list(db.session.scalars(
        select(Resident).join(Household, Resident.household_id == Household.id)
        .options(contains_eager(Resident.household))
        .where(in_scope_grid(user, Household.grid_id),
               or_(Resident.name.ilike(pattern, escape="\\"), Household.address.ilike(pattern, escape="\\")))
        .order_by(starts, Resident.name, Resident.id).limit(MAX_MATCHES)))


def residents_by_id(user, ids: list[int]) -> dict[int, Resident]:
    """The linked residents of a re-shown form, those in the user's grids only (one query)."""
    if not ids:
        return {}
    return {r.id: r for r in db.session.scalars(
        select(Resident).join(Household, Resident.household_id == Household.id)
        .options(contains_eager(Resident.household))
        .where(Resident.id.in_(ids), in_scope_grid(user, Household.grid_id)))}


@dataclass(frozen=True)
class Candidate:
    user: User
    level: str          # grid / community / street: where they work
    unit_name: str

    @property
    def may_own(self) -> bool:
        """Grid workers and community staff may be responsible; street staff only mediate."""
        return self.level in OWNER_LEVELS


def candidates(user) -> list[Candidate]:
    """Enabled users who may be named on a case in one of `user`'s grids: the
    grids' workers, their communities' staff and their street offices' staff
    (one query). The service checks each name against the case's own grid."""
    grids = grids_in_scope(user)
    communities = select(Unit.parent_id).where(Unit.id.in_(grids))
    streets = select(Unit.parent_id).where(Unit.id.in_(communities))
    level = case((Unit.level == "grid", 0), (Unit.level == "community", 1), else_=2)
    rows = db.session.execute(
        select(User, Unit.level, Unit.name)
        .join(user_scope, user_scope.c.user_id == User.id).join(Unit, Unit.id == user_scope.c.unit_id)
        .where(User.is_enabled, or_(
            Unit.id.in_(grids) & User.role.in_([str(r) for r in ACTING_ROLES["grid"]]),
            Unit.id.in_(communities) & User.role.in_([str(r) for r in ACTING_ROLES["community"]]),
            Unit.id.in_(streets) & User.role.in_([str(r) for r in ACTING_ROLES["street"]])))
        .order_by(level, Unit.code, User.full_name, User.id))
    found: dict[int, Candidate] = {}
    for person, unit_level, unit_name in rows:
        found.setdefault(person.id, Candidate(person, unit_level, unit_name))   # first unit is enough to say who
    return list(found.values())
