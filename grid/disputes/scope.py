"""Who may see a dispute and in which capacities a user stands towards it.

Area roles see the disputes of the grids in their scope; administrators see
all; nobody else sees any. Capacities:
- handler: the community's staff (and, for a major case, the street office's);
- mediator: a user named as the case's mediator;
- reviewer: the community's staff (the committee), except whoever recorded the
  outcome under review or last wrote its agreement — nobody approves their own work;
- follower: the person responsible for keeping it stable (稳控负责人);
- street: the street office's staff (supervision, major cases)."""
from sqlalchemy import ColumnElement, false, select, true

from grid.accounts.access import in_scope_grid
from grid.accounts.acting import acts_for
from grid.accounts.models import User
from grid.accounts.roles import Role
from grid.disputes.models import Dispute
from grid.extensions import db

AREA_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER, Role.COMMUNITY_STAFF, Role.STREET_STAFF})
DISPUTE_ROLES = AREA_ROLES | {Role.ADMIN}
REGISTER_ROLES = AREA_ROLES
# Who may be named on a case, by the level they act for on its chain: the
# person responsible for stability (and follow-up) works in the grid or the
# community; mediators may also come from the street office.
OWNER_LEVELS = ("grid", "community")
MEDIATOR_LEVELS = ("grid", "community", "street")


def visible(user: User) -> ColumnElement[bool]:
    """SQL predicate over Dispute: the disputes `user` may see."""
    if user.role == Role.ADMIN:
        return true()
    if user.role in AREA_ROLES:
        return in_scope_grid(user, Dispute.grid_id)
    return false()


def dispute_in_scope(user: User, dispute_id: int) -> Dispute | None:
    return db.session.scalar(select(Dispute).where(Dispute.id == dispute_id, visible(user)))


def capacities(user: User, dispute: Dispute) -> set[str]:
    found = set()
    if dispute.state == "archived":
        return found
    community_staff = acts_for(user, "community", dispute.community_id)
    street_staff = acts_for(user, "street", dispute.street_id)
    if community_staff or (street_staff and dispute.level == "major"):
        found.add("handler")
    if user.id in {m.id for m in dispute.mediators}:
        found.add("mediator")
    authors = {dispute.outcome_by_id}
    if dispute.state == "under_review" and dispute.agreement is not None:
        authors.add(dispute.agreement.updated_by_id)
    if community_staff and user.id not in authors:
        found.add("reviewer")
    if user.id == dispute.stability_owner_id:
        found.add("follower")
    if street_staff:
        found.add("street")
    return found
