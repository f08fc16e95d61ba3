"""Reads over households and residents, always through accounts.access."""
from sqlalchemy import Select, and_, any_, exists, false, func, or_, select
from geoalchemy2.elements import WKBElement
from geoalchemy2.shape import to_shape
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

from grid.accounts.access import grids_in_scope, in_scope_grid, may_see_child_records, unit_path_in_scope
from grid.extensions import db
from grid.places.models import Unit
from grid.audit.models import AuditEntry
from grid.registry.care_models import CareRecordChange, ChildRecord, ElderlyRecord
from grid.registry.models import Household, Resident


def households(user, *, q: str = "", tag: str = "", care: str = "", grid_id: int | None = None,
               unit_id: int | None = None) -> Select:
    """Households in the user's scope matching a search of name, address or door
    plate, a household tag, a care category (elderly / child) and a unit they
    lie under (any level: the map panel's link)."""
    stmt = select(Household).where(in_scope_grid(user, Household.grid_id))
    if grid_id:
        stmt = stmt.where(Household.grid_id == grid_id)
    if unit_id:
        # As the events inbox: only a unit in the user's scope narrows anything; another matches nothing.
        area = select(Unit.path).where(Unit.id == unit_id, unit_path_in_scope(user, Unit.path)).scalar_subquery()
        grid = aliased(Unit)
        stmt = stmt.where(Household.grid_id.in_(select(grid.id).where(grid.path.descendant_of(area))))
    q = q.strip()
    if q:
        like = f"%{q}%"
        # Both columns have trigram indexes, so a substring search stays fast.
        stmt = stmt.where(or_(Household.address.ilike(like),
                              exists().where(Resident.household_id == Household.id, Resident.name.ilike(like))))
    if tag:
        stmt = stmt.where(any_(Household.tags) == tag)
    if care == "child" and not may_see_child_records(user):
        care = "none"  # a filter must not reveal which households have a child in need
    if care == "none":
        stmt = stmt.where(false())
    elif care in ("elderly", "child"):
        model = ElderlyRecord if care == "elderly" else ChildRecord
        stmt = stmt.where(exists().where(Resident.household_id == Household.id, model.resident_id == Resident.id,
                                         model.status == "open"))
    return stmt.order_by(Household.address, Household.id)


def household_page_rows(stmt, *, page: int, per_page: int):
    """One page of households with their grid and members loaded in two more
    queries in all (not one per household)."""
    return db.paginate(stmt.options(selectinload(Household.residents), selectinload(Household.grid),
                                    selectinload(Household.head)),
                       page=page, per_page=per_page, error_out=False)


def care_flags(household_ids: list[int], user) -> dict[int, set[str]]:
    """Which households have open elderly / child records (child only for roles
    that may see children's records), in one query."""
    if not household_ids:
        return {}
    rows = db.session.execute(
        select(Resident.household_id, func.bool_or(ElderlyRecord.id.isnot(None)), func.bool_or(ChildRecord.id.isnot(None)))
        .outerjoin(ElderlyRecord, and_(ElderlyRecord.resident_id == Resident.id, ElderlyRecord.status == "open"))
        .outerjoin(ChildRecord, and_(ChildRecord.resident_id == Resident.id, ChildRecord.status == "open"))
        .where(Resident.household_id.in_(household_ids)).group_by(Resident.household_id)
    )
    children_visible = may_see_child_records(user)
    return {hid: {k for k, flag in (("elderly", e), ("child", c and children_visible)) if flag} for hid, e, c in rows}


def household_in_scope(user, household_id: int) -> Household | None:
    return db.session.scalar(
        select(Household).where(Household.id == household_id, in_scope_grid(user, Household.grid_id))
        .options(selectinload(Household.residents),
                 joinedload(Household.grid).defer(Unit.boundary).joinedload(Unit.parent).defer(Unit.boundary))
    )


def resident_in_scope(user, resident_id: int) -> Resident | None:
    return db.session.scalar(
        select(Resident).join(Household, Resident.household_id == Household.id)
        .where(Resident.id == resident_id, in_scope_grid(user, Household.grid_id))
    )


def care_records_of(resident_ids: list[int]) -> tuple[dict[int, list[ElderlyRecord]], dict[int, list[ChildRecord]]]:
    """Elderly and child records (open first) of these residents: two queries."""
    elderly: dict[int, list] = {rid: [] for rid in resident_ids}
    children: dict[int, list] = {rid: [] for rid in resident_ids}
    if resident_ids:
        for record in db.session.scalars(select(ElderlyRecord).where(ElderlyRecord.resident_id.in_(resident_ids))
                                         .order_by(ElderlyRecord.status.desc(), ElderlyRecord.id.desc())):
            elderly[record.resident_id].append(record)
        for record in db.session.scalars(select(ChildRecord).where(ChildRecord.resident_id.in_(resident_ids))
                                         .order_by(ChildRecord.status.desc(), ChildRecord.id.desc())):
            children[record.resident_id].append(record)
    return elderly, children


def resident_by_id_index(index: str) -> Resident | None:
    return db.session.scalar(select(Resident).where(Resident.id_number_index == index))


def grid_for_point(lon: float, lat: float) -> int | None:
    """The grid the database trigger would assign to this point (see migration 0002)."""
    point = func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326)
    return db.session.scalar(select(func.grid_for_point(point)))


def grid_in_scope(user, grid_id: int) -> bool:
    """One indexed probe, not the list of every grid the user may see."""
    return db.session.scalar(select(grids_in_scope(user).where(Unit.id == grid_id).exists()))


def grid_ids_in_scope(user) -> set[int]:
    return set(db.session.scalars(grids_in_scope(user)))


def point_of(record) -> tuple[float, float]:
    """(lon, lat) of a record's `location` point (a household, an event)."""
    if not isinstance(record.location, WKBElement):
        # Assigned in this request as SQL (ST_SetSRID(...)) and not yet flushed: ask the database.
        lon, lat = db.session.execute(select(func.ST_X(record.location), func.ST_Y(record.location))).one()
        return lon, lat
    point = to_shape(record.location)
    return point.x, point.y


def household_values(household: Household) -> dict:
    """The household as form values, for the edit page."""
    lon, lat = point_of(household)
    # The phone stays out of the form (it would be a reveal without an audit
    # entry); an empty field keeps the stored number.
    return {"address": household.address, "lon": f"{lon:.6f}", "lat": f"{lat:.6f}",
            "housing_type": household.housing_type or "", "tags": household.tags, "phone": "",
            "notes": household.notes or "", "version": household.version}


def resident_values(resident: Resident) -> dict:
    # Neither the phone nor, when an ID number is stored, the birth date: the
    # masked ID hides exactly the birth-date digits, so showing both would
    # reveal the whole number without an audit entry. Empty fields keep them.
    has_id = bool(resident.id_number_sealed)
    return {"name": resident.name, "id_number": "", "gender": "" if has_id else (resident.gender or ""),
            "birth_date": "" if has_id or not resident.birth_date else resident.birth_date.isoformat(),
            "ethnicity": resident.ethnicity or "", "phone": "", "relation": resident.relation,
            "hukou": resident.hukou, "tags": resident.tags, "version": resident.version}


def elderly_in_scope(user, record_id: int) -> ElderlyRecord | None:
    return db.session.scalar(
        select(ElderlyRecord).join(Resident, ElderlyRecord.resident_id == Resident.id)
        .join(Household, Resident.household_id == Household.id)
        .where(ElderlyRecord.id == record_id, in_scope_grid(user, Household.grid_id))
    )


def child_in_scope(user, record_id: int) -> ChildRecord | None:
    """Only for roles that may see children's records (checked by the caller via access)."""
    return db.session.scalar(
        select(ChildRecord).join(Resident, ChildRecord.resident_id == Resident.id)
        .join(Household, Resident.household_id == Household.id)
        .where(ChildRecord.id == record_id, in_scope_grid(user, Household.grid_id))
    )


def record_history(kind: str, record_id: int):
    return list(db.session.scalars(select(CareRecordChange).where(
        CareRecordChange.kind == kind, CareRecordChange.record_id == record_id).order_by(CareRecordChange.id.desc())))


def record_access(object_type: str, object_id: int):
    """Who viewed or changed a record: its own audit entries and the register
    pages that listed it (their entries carry the ids shown), newest first."""
    listed = and_(AuditEntry.object_type == object_type, AuditEntry.object_id.is_(None),
                  AuditEntry.detail.contains({"ids": [object_id]}))
    return list(db.session.scalars(select(AuditEntry).where(
        or_(and_(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id)), listed))
        .order_by(AuditEntry.id.desc()).limit(500)))


def elderly_by_id(record_id: int) -> ElderlyRecord | None:
    """For auditors, whose scope is the audit trail, not the map."""
    return db.session.get(ElderlyRecord, record_id)


def child_by_id(record_id: int) -> ChildRecord | None:
    return db.session.get(ChildRecord, record_id)


def care_register(model, user, *, q: str = "", category: str = "", tier: str = "", status: str = "open",
                  grid_id: int | None = None) -> Select:
    """A register (elderly or children) for the user's scope, with its filters."""
    # One query for a page of rows: the person and household come along (no N+1).
    stmt = (select(model).join(Resident, model.resident_id == Resident.id)
            .join(Household, Resident.household_id == Household.id)
            .options(contains_eager(model.resident).contains_eager(Resident.household))
            .where(in_scope_grid(user, model.grid_id)))
    if status in ("open", "closed"):
        stmt = stmt.where(model.status == status)
    if tier:
        stmt = stmt.where(model.risk_tier == tier)
    if category:
        # any_() rather than ARRAY.any(), which SQLAlchemy 2.1 deprecates.
        stmt = stmt.where(any_(model.categories) == category if model is ElderlyRecord
                          else model.category == category)
    if grid_id:
        stmt = stmt.where(model.grid_id == grid_id)
    if q.strip():
        stmt = stmt.where(or_(Resident.name.ilike(f"%{q.strip()}%"), Household.address.ilike(f"%{q.strip()}%")))
    return stmt.order_by(model.risk_tier.desc(), Household.address, Resident.id)


def grids_named(ids: list[int]) -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.code))) if ids else []
