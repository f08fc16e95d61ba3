"""Household and resident use cases. Each function owns its transaction,
narrows to the acting user's scope and audits what the law asks for."""
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from grid.audit.actions import register_actions
from grid.audit.services import record_audit
from grid.errors import FieldErrors, raise_field_errors
from grid.extensions import db
from grid.locking import claim_version
from grid.registry import queries, rules, vocab
from grid.registry.messages import rule_message
from grid.registry.models import Household, HouseholdMove, Resident
from grid.sealing import blind_index, seal

register_actions(
    {
        "household.create": _l("Household added"),
        "household.update": _l("Household changed"),
        "resident.create": _l("Resident added"),
        "resident.update": _l("Resident changed"),
        "resident.reveal_id": _l("ID number revealed"),
        "resident.reveal_phone": _l("Phone number revealed"),
    },
    object_types={"household": _l("Household"), "resident": _l("Resident")},
    detail_keys={"grid": _l("Grid"), "fields": _l("Fields")},
)


def today() -> date:
    return date.today()


def master_key() -> bytes:
    return current_app.config["DATA_MASTER_KEY"]


@dataclass
class HouseholdInput:
    address: str = ""
    lon: float | None = None
    lat: float | None = None
    housing_type: str | None = None
    tags: tuple[str, ...] = ()
    phone: str = ""
    notes: str = ""


def check_household(data: HouseholdInput, user) -> tuple[dict, int | None]:
    """Field problems, and the grid the point falls in (checked against the user's scope)."""
    errors: dict[str, str | None] = {}
    if not data.address.strip():
        errors["address"] = _("Enter the door plate address.")
    grid_id = None
    if data.lon is None or data.lat is None:
        errors["location"] = _("Set the location: use the phone's GPS or tap the map.")
    else:
        grid_id = queries.grid_for_point(data.lon, data.lat)
        if grid_id is None:
            errors["location"] = _("This location is outside every grid.")
        elif not queries.grid_in_scope(user, grid_id):
            errors["location"] = _("This location is in a grid you do not look after.")
    if data.housing_type and data.housing_type not in vocab.HOUSING_TYPES:
        errors["housing_type"] = _("Choose a housing type from the list.")
    if set(data.tags) - set(vocab.HOUSEHOLD_TAGS):
        errors["tags"] = _("Choose tags from the list.")
    errors["phone"] = phone_problem(data.phone)
    return errors, grid_id


def phone_problem(raw: str) -> str | None:
    if not raw.strip():
        return None
    try:
        rules.parse_phone(raw)
    except rules.RuleError as error:
        return rule_message(error)
    return None


def clean_phone(raw: str) -> str | None:
    return rules.parse_phone(raw) if raw.strip() else None


def point(lon: float, lat: float):
    return func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326)


def create_household(*, data: HouseholdInput, by) -> Household:
    """Add a household (commits). Its grid comes from the point; the point must
    lie in one of the user's grids. Raises FieldErrors."""
    errors, _grid = check_household(data, by)
    raise_field_errors(errors)
    household = Household(address=data.address.strip(), location=point(data.lon, data.lat),
                          housing_type=data.housing_type or None, tags=list(data.tags),
                          phone=clean_phone(data.phone), notes=data.notes.strip() or None, created_by_id=by.id)
    db.session.add(household)
    db.session.flush()
    record_audit("household.create", actor=by, object_type="household", object_id=household.id,
                 detail={"grid": household.grid_id})
    db.session.commit()
    return household


def update_household(*, household: Household, version: int, data: HouseholdInput, by) -> Household:
    """Edit a household (commits); a stale `version` raises Conflict. A move to
    another grid is recorded in household_move."""
    if not data.phone.strip() and household.phone:
        data.phone = household.phone  # the form never shows it: empty keeps it
    errors, grid_id = check_household(data, by)
    raise_field_errors(errors)
    claim_version(Household, household, version)
    old_grid = household.grid_id
    household.address = data.address.strip()
    household.location = point(data.lon, data.lat)
    household.housing_type = data.housing_type or None
    household.tags = list(data.tags)
    household.phone = clean_phone(data.phone)
    household.notes = data.notes.strip() or None
    household.updated_at = func.now()
    db.session.flush()
    if household.grid_id != old_grid:
        db.session.add(HouseholdMove(household_id=household.id, from_grid_id=old_grid, to_grid_id=household.grid_id,
                                     reason="relocated", by_id=by.id))
    record_audit("household.update", actor=by, object_type="household", object_id=household.id,
                 detail={"grid": {"from": old_grid, "to": household.grid_id}} if household.grid_id != old_grid else None)
    db.session.commit()
    return household


@dataclass
class ResidentInput:
    name: str = ""
    id_number: str = ""
    gender: str | None = None
    birth_date: date | None = None
    ethnicity: str = ""
    phone: str = ""
    relation: str = ""
    hukou: str = "consistent"
    tags: tuple[str, ...] = ()


def check_resident(data: ResidentInput, *, user, household: Household, resident: Resident | None = None):
    """Field problems and the parsed ID (or None). Duplicate ID numbers are
    reported with where the existing record is, if the user may see it."""
    errors: dict[str, str | None] = {}
    if not data.name.strip():
        errors["name"] = _("Enter the name.")
    identity = None
    if data.id_number.strip():
        try:
            identity = rules.parse_id_number(data.id_number, today=today())
            rules.check_id_consistency(identity, birth_date=data.birth_date, gender=data.gender)
        except rules.RuleError as error:
            field = {"id_birth_mismatch": "birth_date", "id_gender_mismatch": "gender"}.get(error.kind, "id_number")
            errors[field] = rule_message(error)
        else:
            errors["id_number"] = duplicate_problem(identity.value, user=user, resident=resident)
    elif data.birth_date and data.birth_date > today():
        errors["birth_date"] = _("The birth date is in the future.")
    if data.gender and data.gender not in vocab.GENDERS:
        errors["gender"] = _("Choose a gender from the list.")
    if data.relation not in vocab.RELATIONS:
        errors["relation"] = _("Choose the relation to the head of household.")
    elif data.relation == "head" and household.head_id and (resident is None or household.head_id != resident.id):
        errors["relation"] = _("This household already has a head: %(name)s.", name=household.head.name)
    if data.hukou not in vocab.HUKOU:
        errors["hukou"] = _("Choose the registration status.")
    if set(data.tags) - set(vocab.RESIDENT_TAGS):
        errors["tags"] = _("Choose tags from the list.")
    errors["phone"] = phone_problem(data.phone)
    return errors, identity


def duplicate_problem(id_number: str, *, user, resident: Resident | None) -> str | None:
    existing = queries.resident_by_id_index(blind_index(id_number, master_key()))
    if existing is None or (resident is not None and existing.id == resident.id):
        return None
    if queries.resident_in_scope(user, existing.id) is not None:
        return _("This ID number is already registered: %(name)s, %(address)s.",
                 name=existing.name, address=existing.household.address)
    return _("This ID number is already registered in another grid. Ask the community to move the person.")


def apply_resident(resident: Resident, data: ResidentInput, identity) -> None:
    resident.name = data.name.strip()
    if identity is not None:
        resident.id_number_sealed = seal(identity.value, master_key())
        resident.id_number_index = blind_index(identity.value, master_key())
        resident.id_number_masked = rules.mask_id_number(identity.value)
        resident.gender, resident.birth_date = identity.gender, identity.birth_date
    else:
        resident.id_number_sealed = resident.id_number_index = resident.id_number_masked = None
        resident.gender, resident.birth_date = data.gender or None, data.birth_date
    resident.ethnicity = data.ethnicity.strip() or None
    resident.phone = clean_phone(data.phone)
    resident.relation = data.relation
    resident.hukou = data.hukou
    resident.tags = list(data.tags)


def add_resident(*, household: Household, data: ResidentInput, by) -> Resident:
    """Add a person to a household (commits). Raises FieldErrors."""
    errors, identity = check_resident(data, user=by, household=household)
    raise_field_errors(errors)
    resident = Resident(household_id=household.id)
    apply_resident(resident, data, identity)
    try:
        with db.session.begin_nested():
            db.session.add(resident)
            db.session.flush()
    except IntegrityError:  # the same ID number saved a moment ago by someone else
        raise FieldErrors({"id_number": _("This ID number is already registered.")}) from None
    if data.relation == "head":
        household.head_id = resident.id
    record_audit("resident.create", actor=by, object_type="resident", object_id=resident.id)
    db.session.commit()
    return resident


def update_resident(*, resident: Resident, version: int, data: ResidentInput, by) -> Resident:
    """Edit a person (commits). An empty ID field keeps the stored number."""
    household = resident.household
    if not data.id_number.strip() and resident.id_number_sealed:
        data.id_number = resident.id_number(master_key())
    if not data.phone.strip() and resident.phone:
        data.phone = resident.phone  # the form never shows it: empty keeps it
    errors, identity = check_resident(data, user=by, household=household, resident=resident)
    raise_field_errors(errors)
    claim_version(Resident, resident, version)
    apply_resident(resident, data, identity)
    resident.updated_at = func.now()
    if data.relation == "head":
        household.head_id = resident.id
    elif household.head_id == resident.id:
        household.head_id = None
    record_audit("resident.update", actor=by, object_type="resident", object_id=resident.id)
    db.session.commit()
    return resident


def reveal_id_number(*, resident: Resident, by) -> str | None:
    """The full ID number, once, with an audit entry (commits)."""
    record_audit("resident.reveal_id", actor=by, object_type="resident", object_id=resident.id)
    db.session.commit()
    return resident.id_number(master_key())


def reveal_phone(*, resident: Resident, by) -> str | None:
    record_audit("resident.reveal_phone", actor=by, object_type="resident", object_id=resident.id)
    db.session.commit()
    return resident.phone
