"""Reading events: the inbox (sorted by urgency and time left), one event's
timeline, photos, and the grid worker's items to verify."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, false, func, literal, or_, select
from sqlalchemy.orm import aliased, selectinload

from grid.accounts.access import unit_path_in_scope
from grid.accounts.models import Department
from grid.accounts.roles import Role
from grid.events.models import Event, EventAction, EventCategory, EventPhoto
from grid.accounts.acting import ACTING_ROLES
from grid.events.scope import decider, visible
from grid.extensions import db
from grid.places.models import Unit
from grid.registry.queries import point_of
from grid.visits import queries as visit_queries
from grid.visits.models import Visit, VisitProblem

TABS = ("todo", "open", "standing", "closed", "all")


def light_sql(now: datetime):
    """The traffic light as SQL, for filtering and sorting."""
    return case((Event.state == "closed", literal(None)),
                (Event.due_at.is_(None), literal(None)),
                (Event.due_at <= now, literal("red")),
                (Event.yellow_at <= now, literal("yellow")),
                else_=literal("green"))


def todo(user):
    """SQL predicate: events waiting for `user` to act (hold, decide, verify)."""
    own = [u.id for u in user.scope_units]
    holder_unit = aliased(Unit)
    if user.role == Role.DEPARTMENT_HANDLER:
        return and_(Event.holder_department_id == user.department_id, Event.state.in_(("to_sign", "handling")))
    if user.role == Role.ADMIN:
        street_held = select(Unit.id).where(Unit.level == "street")
        return and_(Event.state == "extension", Event.holder_unit_id.in_(street_held))
    if not own:
        return false()
    conditions = [and_(Event.holder_unit_id.in_(own), Event.state.in_(("to_sign", "handling", "standing")))]
    # Extension requests from one level below (a department's go to its street office).
    below = select(holder_unit.id).where(holder_unit.parent_id.in_(own))
    decide = [Event.holder_unit_id.in_(below)]
    if user.role == Role.STREET_STAFF:
        decide.append(Event.holder_department_id.isnot(None))
    conditions.append(and_(Event.state == "extension", or_(*decide)))
    if user.role in ACTING_ROLES["grid"]:
        conditions.append(and_(Event.state == "to_verify", Event.grid_id.in_(own)))
    return or_(*conditions)


def inbox(user, *, now: datetime, tab: str = "todo", light: str = "", state: str = "", category_id: int | None = None,
          priority: str = "", unit_id: int | None = None, page: int = 1, per_page: int = 30):
    lights = light_sql(now)
    stmt = select(Event).where(visible(user))
    if tab == "todo":
        stmt = stmt.where(todo(user))
    elif tab == "open":
        stmt = stmt.where(Event.state.notin_(("closed", "standing")))
    elif tab == "standing":
        stmt = stmt.where(Event.state == "standing")
    elif tab == "closed":
        stmt = stmt.where(Event.state == "closed")
    if light:
        stmt = stmt.where(lights == light)
    if state:
        stmt = stmt.where(Event.state == state)
    if priority:
        stmt = stmt.where(Event.priority == priority)
    if category_id:
        children = select(EventCategory.id).where(EventCategory.parent_id == category_id)
        stmt = stmt.where(or_(Event.category_id == category_id, Event.category_id.in_(children)))
    if unit_id:
        # Only a unit in the user's scope narrows anything; another one matches nothing.
        area = select(Unit.path).where(Unit.id == unit_id, unit_path_in_scope(user, Unit.path)).scalar_subquery()
        grid = aliased(Unit)
        stmt = stmt.where(Event.grid_id.in_(select(grid.id).where(grid.path.descendant_of(area))))
    rank = case({"red": 0, "yellow": 1, "green": 2}, value=lights, else_=3)
    if tab == "closed":
        stmt = stmt.order_by(Event.closed_at.desc(), Event.id.desc())
    else:
        stmt = stmt.order_by(rank, (Event.priority == "urgent").desc(), Event.due_at.asc().nulls_last(),
                             Event.id.desc())
    stmt = stmt.options(selectinload(Event.category), selectinload(Event.holder_unit),
                        selectinload(Event.holder_department))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def todo_summary(user, now: datetime) -> tuple[int, int]:
    """How many events wait for the user, and how many of those are overdue."""
    return db.session.execute(select(func.count(), func.count().filter(Event.due_at <= now))
                              .select_from(Event).where(visible(user), todo(user))).one()


def to_verify(user) -> list[Event]:
    """A grid worker's events reported fixed, waiting for them to check on site."""
    own = [u.id for u in user.scope_units]
    if user.role not in ACTING_ROLES["grid"] or not own:
        return []
    return list(db.session.scalars(select(Event).where(Event.state == "to_verify", Event.grid_id.in_(own))
                                   .options(selectinload(Event.category)).order_by(Event.due_at.asc().nulls_last())))


def timeline(event: Event) -> list[EventAction]:
    return list(db.session.scalars(
        select(EventAction).where(EventAction.event_id == event.id).order_by(EventAction.id)
        .options(selectinload(EventAction.actor), selectinload(EventAction.actor_unit),
                 selectinload(EventAction.actor_department), selectinload(EventAction.to_unit),
                 selectinload(EventAction.to_department))))


def photos_by_action(event: Event) -> dict[int | None, list[EventPhoto]]:
    found: dict[int | None, list[EventPhoto]] = {}
    for photo_id, action_id in db.session.execute(select(EventPhoto.id, EventPhoto.action_id)
                                                  .where(EventPhoto.event_id == event.id).order_by(EventPhoto.id)):
        found.setdefault(action_id, []).append(photo_id)
    return found


def photo(event: Event, photo_id: int) -> EventPhoto | None:
    return db.session.scalar(select(EventPhoto).where(EventPhoto.id == photo_id, EventPhoto.event_id == event.id))


def from_problems(user, problem_ids: list[int]) -> dict[int, Event]:
    """The events a visit's problems became, by problem id (one query per page)."""
    if not problem_ids:
        return {}
    return {e.visit_problem_id: e for e in db.session.scalars(
        select(Event).where(Event.visit_problem_id.in_(problem_ids), visible(user)))}


def visit_problem(user, problem_id: int) -> VisitProblem | None:
    """A visit's problem, if the user may open the visit it was found on."""
    problem = db.session.get(VisitProblem, problem_id)
    if problem is None or visit_queries.visit_in_scope(user, problem.visit_id) is None:
        return None
    return problem


def problem_place(problem: VisitProblem) -> tuple[str, float, float]:
    """The address and point of the household a problem was found at."""
    household = db.session.get(Visit, problem.visit_id).household
    return (household.address, *point_of(household))


def departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.code)))


def waiting_on(event: Event) -> str:
    """Whose move it is, by name: the decider while an extension waits, the
    grid while the fix waits to be verified, otherwise the holder."""
    if event.state == "extension":
        _level, unit_id = decider(event)
        return db.session.get(Unit, unit_id).name if unit_id else str(_l("District"))
    if event.state == "to_verify":
        return event.grid.name
    if event.holder_department is not None:
        return event.holder_department.name
    return event.holder_unit.name if event.holder_unit is not None else ""
