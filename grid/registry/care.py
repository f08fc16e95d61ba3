"""Care-record use cases: elderly and child-in-need records, their closure and
history, and the audit of every view of a child's record."""
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal

from blinker import Namespace
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from grid.audit.actions import register_actions
from grid.audit.services import record_audit
from grid.errors import FieldErrors, raise_field_errors
from grid.extensions import db
from grid.registry import rules, vocab
from grid.registry.care_models import CareRecordChange, ChildRecord, ElderlyRecord
from grid.registry.messages import rule_message
from grid.registry.models import Resident
from grid.locking import claim_version
from grid.registry.services import phone_problem, today

register_actions(
    {
        "elderly.create": _l("Elderly record added"),
        "elderly.update": _l("Elderly record changed"),
        "elderly.close": _l("Elderly record closed"),
        "child.create": _l("Child record added"),
        "child.update": _l("Child record changed"),
        "child.close": _l("Child record closed"),
        "child.view": _l("Child record viewed"),
        "child.list": _l("Child register viewed"),
        "child.import": _l("Child records imported"),
        "child.export": _l("Child ledger exported"),
    },
    object_types={"elderly_record": _l("Elderly record"), "child_record": _l("Child record")},
)

# Sent in the transaction that opens care records (a form, a ledger import, the
# demo), with kind ("elderly"/"child") and the new ids: the visits package fixes
# each one's first-visit deadline. The registry never imports visits.
care_records_opened = Namespace().signal("care-records-opened")

ELDERLY_MIN_AGE = 60
OLDEST_OLD_AGE = 80
ADULT_AGE = 18


@dataclass
class ElderlyInput:
    categories: tuple[str, ...] = ()
    living_arrangement: str | None = None
    children_count: int | None = None
    children_whereabouts: str = ""
    self_care: dict = field(default_factory=dict)
    chronic_illness: str = ""
    allowances: tuple[str, ...] = ()
    emergency_contact_name: str = ""
    emergency_contact_phone: str = ""
    care_arrangements: str = ""
    needs: str = ""
    risk_tier: str = ""


@dataclass
class ChildInput:
    category: str = ""
    guardian_name: str = ""
    guardian_relation: str = ""
    guardian_phone: str = ""
    entrusted_guardianship_confirmed: bool = False
    father_situation: str | None = None
    mother_situation: str | None = None
    parents_note: str = ""
    school: str = ""
    grade: str = ""
    boarding: bool = False
    dropped_out: bool = False
    health: str = ""
    disability: str = ""
    living_allowance: Decimal | None = None
    receives_dibao: bool = False
    guardianship_quality: str | None = None
    risk_tier: str = ""


def age_problem(resident: Resident, *, at_least: int | None = None, under: int | None = None) -> str | None:
    if resident.birth_date is None:
        return _("Enter the person's ID number or birth date first.")
    age = rules.age_on(resident.birth_date, today())
    if at_least is not None and age < at_least:
        return _("%(name)s is %(age)s; this register is for people aged %(min)s or over.",
                 name=resident.name, age=age, min=at_least)
    if under is not None and age >= under:
        return _("%(name)s is %(age)s; this register is for children under %(max)s.",
                 name=resident.name, age=age, max=under)
    return None


def check_elderly(data: ElderlyInput, resident: Resident) -> tuple[dict, str | None]:
    errors: dict[str, str | None] = {"resident": age_problem(resident, at_least=ELDERLY_MIN_AGE)}
    if not data.categories:
        errors["categories"] = _("Choose at least one category.")
    elif set(data.categories) - set(vocab.ELDERLY_CATEGORIES):
        errors["categories"] = _("Choose categories from the list.")
    elif ("oldest_old" in data.categories and resident.birth_date
          and rules.age_on(resident.birth_date, today()) < OLDEST_OLD_AGE):
        errors["categories"] = _("高龄 (80+) does not fit a person aged under 80.")
    if data.living_arrangement and data.living_arrangement not in vocab.LIVING_ARRANGEMENTS:
        errors["living_arrangement"] = _("Choose a living arrangement from the list.")
    if data.children_count is not None and not 0 <= data.children_count <= 30:
        errors["children_count"] = _("Enter a number of children between 0 and 30.")
    if set(data.allowances) - set(vocab.ALLOWANCES):
        errors["allowances"] = _("Choose allowances from the list.")
    errors["emergency_contact_phone"] = phone_problem(data.emergency_contact_phone)
    if data.risk_tier not in vocab.RISK_TIERS:
        errors["risk_tier"] = _("Choose a risk tier.")
    result = None
    try:
        result = rules.assess_self_care(data.self_care)
    except rules.RuleError as error:
        errors["self_care"] = rule_message(error)
    return errors, result


def check_child(data: ChildInput, resident: Resident) -> dict:
    errors: dict[str, str | None] = {"resident": age_problem(resident, under=ADULT_AGE)}
    if data.category not in vocab.CHILD_CATEGORIES:
        errors["category"] = _("Choose a category.")
    if not data.guardian_name.strip():
        errors["guardian_name"] = _("Enter the guardian: every child in need has someone responsible.")
    if not data.guardian_relation.strip():
        errors["guardian_relation"] = _("Enter the guardian's relation to the child.")
    errors["guardian_phone"] = phone_problem(data.guardian_phone)
    for name in ("father_situation", "mother_situation"):
        if getattr(data, name) and getattr(data, name) not in vocab.PARENT_SITUATIONS:
            errors[name] = _("Choose a situation from the list.")
    if data.guardianship_quality and data.guardianship_quality not in vocab.GUARDIANSHIP_QUALITY:
        errors["guardianship_quality"] = _("Choose from the list.")
    if data.living_allowance is not None and not 0 <= data.living_allowance <= 100000:
        errors["living_allowance"] = _("Enter the monthly amount in yuan.")
    if data.risk_tier not in vocab.RISK_TIERS:
        errors["risk_tier"] = _("Choose a risk tier.")
    return errors


def elderly_values(data: ElderlyInput, result: str | None) -> dict:
    values = asdict(data)
    values["categories"] = list(data.categories)
    values["allowances"] = list(data.allowances)
    values["self_care_result"] = result
    values["emergency_contact_phone"] = rules.parse_phone(data.emergency_contact_phone) \
        if data.emergency_contact_phone.strip() else None
    return {k: (v.strip() or None) if isinstance(v, str) and k not in ("risk_tier",) else v for k, v in values.items()}


def child_values(data: ChildInput) -> dict:
    values = asdict(data)
    values["guardian_phone"] = rules.parse_phone(data.guardian_phone) if data.guardian_phone.strip() else None
    keep = ("category", "risk_tier", "guardian_name", "guardian_relation")
    return {k: (v.strip() or None) if isinstance(v, str) and k not in keep else v for k, v in values.items()}


def insert_once(record, message: str) -> None:
    """Insert, turning the one-open-record index's refusal (a double tap racing
    the first) into a field error instead of a server error."""
    try:
        with db.session.begin_nested():
            db.session.add(record)
            db.session.flush()
    except IntegrityError:
        raise FieldErrors({"resident": message}) from None


def note_change(record, action: str, by, changes: dict | None = None) -> None:
    db.session.add(CareRecordChange(kind=record.kind, record_id=record.id, by_id=by.id if by else None,
                                    action=action, changes=jsonable(changes or {})))


def jsonable(values: dict) -> dict:
    return {k: str(v) if isinstance(v, (Decimal, date)) else v for k, v in values.items()}


def diff(record, values: dict) -> dict:
    return {k: {"from": jsonable({k: getattr(record, k)})[k], "to": jsonable({k: v})[k]}
            for k, v in values.items() if getattr(record, k) != v}


def already_open(kind: str, resident: Resident) -> str:
    if kind == "elderly":
        return _("%(name)s already has an open elderly record.", name=resident.name)
    return _("%(name)s already has an open child record.", name=resident.name)


def open_record(model, resident: Resident, errors: dict, by, build):
    """Insert a new care record with its history, first-visit deadline and
    audit entry (commits). `errors` are the field problems found so far;
    `build()` makes the record once they are known to be none."""
    if any(r.is_open for r in open_records(model, resident)):
        errors["resident"] = already_open(model.kind, resident)
    raise_field_errors(errors)
    record = build()
    insert_once(record, already_open(record.kind, resident))
    note_change(record, "created", by)
    care_records_opened.send(current_app._get_current_object(), kind=record.kind, ids=[record.id])
    record_audit(f"{record.kind}.create", actor=by, object_type=f"{record.kind}_record", object_id=record.id)
    db.session.commit()
    return record


def save_record(record, version: int, errors: dict, by, build_values):
    """Apply an edit to an open care record (commits), history and audit
    included. Age rules were checked when the record was opened; the new
    values are built only once the field problems are known to be none."""
    errors.pop("resident", None)
    errors["status"] = None if record.is_open else _("This record is closed.")
    raise_field_errors(errors)
    values = build_values()
    claim_version(type(record), record, version)
    note_change(record, "updated", by, diff(record, values))
    for key, value in values.items():
        setattr(record, key, value)
    record.updated_at = func.now()
    record_audit(f"{record.kind}.update", actor=by, object_type=f"{record.kind}_record", object_id=record.id)
    db.session.commit()
    return record


def create_elderly_record(*, resident: Resident, data: ElderlyInput, by) -> ElderlyRecord:
    """Open an elderly care record (commits). One open record per person."""
    errors, result = check_elderly(data, resident)
    return open_record(ElderlyRecord, resident, errors, by, lambda: ElderlyRecord(
        resident_id=resident.id, created_by_id=by.id, **elderly_values(data, result)))


def update_elderly_record(*, record: ElderlyRecord, version: int, data: ElderlyInput, by) -> ElderlyRecord:
    if not data.emergency_contact_phone.strip() and record.emergency_contact_phone:
        data.emergency_contact_phone = record.emergency_contact_phone  # the form never shows it
    errors, result = check_elderly(data, record.resident)
    return save_record(record, version, errors, by, lambda: elderly_values(data, result))


def create_child_record(*, resident: Resident, data: ChildInput, by, director_id: int | None = None) -> ChildRecord:
    """Open a child-in-need record (commits). A guardian is required."""
    return open_record(ChildRecord, resident, check_child(data, resident), by, lambda: ChildRecord(
        resident_id=resident.id, created_by_id=by.id, director_id=director_id, **child_values(data)))


def update_child_record(*, record: ChildRecord, version: int, data: ChildInput, by) -> ChildRecord:
    if not data.guardian_phone.strip() and record.guardian_phone:
        data.guardian_phone = record.guardian_phone  # the form never shows it
    return save_record(record, version, check_child(data, record.resident), by, lambda: child_values(data))


def close_record(*, record, version: int, reason: str, note: str, by) -> None:
    """Close a care record with a reason (commits); it stays, with its history."""
    raise_field_errors({"close_reason": None if reason in vocab.CLOSE_REASONS else _("Choose why the record is closed."),
              "status": None if record.is_open else _("This record is already closed.")})
    claim_version(type(record), record, version)
    record.status, record.close_reason, record.close_note = "closed", reason, note.strip() or None
    record.closed_at = datetime.now(timezone.utc)
    note_change(record, "closed", by, {"reason": reason})
    record_audit(f"{record.kind}.close", actor=by, object_type=f"{record.kind}_record", object_id=record.id,
                 detail={"reason": reason})
    db.session.commit()


def record_child_view(*, record: ChildRecord, by) -> None:
    """Every view of a child's record is audited (commits)."""
    record_audit("child.view", actor=by, object_type="child_record", object_id=record.id)
    db.session.commit()


def record_child_list(*, record_ids: list[int], by) -> None:
    """A register page showing children's records is a view of each of them (commits)."""
    if record_ids:
        record_audit("child.list", actor=by, object_type="child_record", detail={"ids": record_ids})
        db.session.commit()


def open_records(model, resident: Resident) -> list:
    return list(db.session.scalars(db.select(model).where(model.resident_id == resident.id, model.status == "open")))
