"""Reads over users."""
from sqlalchemy import or_, select

from grid.accounts.models import Department, User, user_scope
from grid.extensions import db
from grid.places.models import Unit


def search_users(*, q: str = "", role: str = ""):
    stmt = select(User).order_by(User.role, User.username)
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(or_(User.username.like(like), User.full_name.ilike(like)))
    if role:
        stmt = stmt.where(User.role == role)
    return stmt


def departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.name)))


def scope_choices() -> list[Unit]:
    """Units an administrator may assign, in hierarchy order (grids included)."""
    return list(db.session.scalars(select(Unit).where(Unit.level != "district").order_by(Unit.path)))


def units_by_ids(ids: list[int]) -> list[Unit]:
    if not ids:
        return []
    return list(db.session.scalars(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.code)))


def workers_of(unit: Unit) -> list[User]:
    """Enabled users whose scope includes this unit directly."""
    return list(db.session.scalars(
        select(User).join(user_scope, user_scope.c.user_id == User.id)
        .where(user_scope.c.unit_id == unit.id, User.is_enabled).order_by(User.role, User.full_name)
    ))


def department_by_id(department_id: int | None) -> Department | None:
    return db.session.get(Department, department_id) if department_id else None
