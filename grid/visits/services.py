"""Visit use cases: logging a visit exactly once, with proof of presence that
flags instead of rejecting; confirming flagged visits; major changes; policy."""
import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError

from grid.accounts.access import may_see_child_records
from grid.audit.actions import register_actions
from grid.audit.services import record_audit
from grid import idempotency
from grid.errors import FieldErrors, raise_field_errors
from grid.idempotency import parse_uuid
from grid.extensions import db
from grid.locking import claim_version
from grid.registry.care_models import CareRecordChange, ChildRecord, ElderlyRecord
from grid.registry.models import Household
from grid.visits import cadence, queries
from grid.visits.models import CadencePolicy, Visit, VisitPhoto, VisitProblem, VisitRecord
from grid.visits.photos import PhotoError, process_photo

register_actions(
    {"visit.create": _l("Visit logged"), "visit.confirm": _l("Flagged visit confirmed"),
     "care.major_change": _l("Major change noted"), "cadence.update": _l("Visit cadence changed")},
    object_types={"visit": _l("Visit"), "cadence_policy": _l("Visit cadence")},
    detail_keys={"distance_m": _l("Distance (m)"), "flagged": _l("Flagged"), "records": _l("Records")},
)

MODES = ("in_person", "phone", "video", "neighbour")
SUBJECTS = ("health", "mental", "safety", "hygiene", "living", "carers", "needs")
LOCATION_STATUSES = ("fix", "denied", "timeout", "unavailable")
MAX_PHOTOS = 6
RECORD_MODELS = {"elderly": ElderlyRecord, "child": ChildRecord}
MAJOR_CHANGES = ("hospitalised", "bereaved", "guardian_changed", "other")


@dataclass
class VisitInput:
    uuid: str = ""
    mode: str = "in_person"
    records: list[tuple[str, int]] = field(default_factory=list)
    checklist: dict = field(default_factory=dict)
    notes: str = ""
    location_status: str = "unavailable"
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    off_site_reason: str = ""
    problems: list[dict] = field(default_factory=list)
    client_started_at: datetime | None = None
    client_submitted_at: datetime | None = None
    device: str = ""
    photos: list[bytes] = field(default_factory=list)


def subject_label(subject: str) -> str:
    return str({"health": _l("Health"), "mental": _l("Mental state"), "safety": _l("Gas, water, electricity"),
                "hygiene": _l("Hygiene"), "living": _l("Living conditions"), "carers": _l("Carers do their duty"),
                "needs": _l("Needs")}.get(subject, subject))


def payload_hash(data: VisitInput, household_id: int) -> str:
    """What makes two submissions "the same visit": everything the worker
    entered (photos by content), not the moment the browser sent it."""
    canonical = {
        "household": household_id, "mode": data.mode, "records": sorted(map(list, data.records)),
        "checklist": data.checklist, "notes": data.notes.strip(), "location": data.location_status,
        "lat": data.lat, "lon": data.lon, "reason": data.off_site_reason.strip(), "problems": data.problems,
        "started": data.client_started_at.isoformat() if data.client_started_at else None,
        "photos": [hashlib.sha256(p).hexdigest() for p in data.photos],
    }
    return idempotency.digest(canonical)


def replay(visit: Visit, digest: str) -> Visit:
    return idempotency.replay(visit, digest, _("This visit was already saved with different content. Open the "
                                               "saved visit, or start a new visit for the changes."))


def check_visit(data: VisitInput, household: Household, user) -> dict:
    errors: dict[str, str | None] = {}
    if parse_uuid(data.uuid) is None:
        errors["uuid"] = _("The form is incomplete; reload the page and enter the visit again.")
    if data.mode not in MODES:
        errors["mode"] = _("Choose how the visit was made.")
    allowed = {(k, r) for k, r, _name, _tier in queries.open_records_of(household.id, user)}
    if set(data.records) - allowed or len(set(data.records)) != len(data.records):
        errors["records"] = _("Choose care records of this household.")
    if set(data.checklist) - set(SUBJECTS) or any(
            v.get("status") not in ("ok", "concern") for v in data.checklist.values()):
        errors["checklist"] = _("Answer the checklist with 正常 or 有问题.")
    if data.location_status not in LOCATION_STATUSES:
        errors["location"] = _("The location status is missing; reload the page.")
    elif data.location_status == "fix" and (data.lat is None or data.lon is None
                                            or not (-90 <= data.lat <= 90 and -180 <= data.lon <= 180)):
        errors["location"] = _("The location fix is not valid.")
    if any(not p.get("description", "").strip() or p.get("subject") not in SUBJECTS for p in data.problems):
        errors["problems"] = _("Describe each problem found, or remove it.")
    if len(data.photos) > MAX_PHOTOS:
        errors["photos"] = _("At most %(n)s photos per visit.", n=MAX_PHOTOS)
    return errors


def presence(data: VisitInput, household: Household) -> tuple[float | None, bool]:
    """Distance to the household in metres and whether it is within the tolerance."""
    if data.location_status != "fix" or data.lat is None or data.lon is None:
        return None, False
    distance = queries.distance_to_household(household.id, data.lon, data.lat)
    return distance, distance <= current_app.config["PRESENCE_TOLERANCE_M"]


def processed_photos(raw_photos: list[bytes]) -> tuple[list, str | None]:
    photos = []
    for n, raw in enumerate(raw_photos, start=1):
        try:
            photos.append(process_photo(raw, max_bytes=current_app.config["MAX_PHOTO_BYTES"]))
        except PhotoError as error:
            return [], photo_message(n, error)
    return photos, None


def photo_message(n: int, error: PhotoError) -> str:
    if error.kind == "too_large":
        return _("Photo %(n)s is larger than %(mb)s MB.", n=n, mb=current_app.config["MAX_PHOTO_BYTES"] // 2**20)
    if error.kind in ("unsupported", "not_image", "empty"):
        return _("Photo %(n)s is not a JPEG, PNG or WEBP picture.", n=n)
    return _("Photo %(n)s is too large to process.", n=n)


# How long after opening the form a visit may be saved and still count at the
# time the form was opened (a slow connection, a visit that took the afternoon).
MAX_ENTRY_DELAY = timedelta(hours=12)


def visit_time(data: VisitInput, received: datetime) -> datetime:
    """When the visit counts as made: the phone's time the form was opened, but
    never after the server received it (a fast clock cannot push the next due
    date out) and never more than MAX_ENTRY_DELAY before (a slow clock or a late
    entry cannot fill last month's coverage). Both raw times are kept."""
    started = data.client_started_at
    if started is None or started > received or started < received - MAX_ENTRY_DELAY:
        return received
    return started


def log_visit(*, data: VisitInput, household: Household, by) -> tuple[Visit, bool]:
    """Save a visit exactly once (commits); returns (visit, created). A far or
    missing location fix is accepted with a reason and flagged, never refused.
    Raises FieldErrors, or Conflict for a reused id with different content."""
    digest = payload_hash(data, household.id)
    known = queries.visit_by_uuid(parse_uuid(data.uuid)) if parse_uuid(data.uuid) else None
    if known is not None:
        return replay(known, digest), False
    errors = check_visit(data, household, by)
    distance, at_household = presence(data, household)
    # Only a visit at the door has to prove presence; a phone or video call is
    # recorded as such, and its (missing) fix is no reason for suspicion.
    off_site = data.mode == "in_person" and not at_household
    if off_site and not data.off_site_reason.strip():
        errors["off_site_reason"] = (_("You are %(m)s m from the household: say why (e.g. met at the community "
                                       "centre, visit by phone).", m=round(distance)) if distance is not None
                                     else _("No location fix: say why (e.g. GPS refused indoors, visit by phone)."))
    photos, errors["photos"] = processed_photos(data.photos) if not errors.get("photos") else ([], errors["photos"])
    raise_field_errors(errors)
    received = datetime.now(timezone.utc)
    visit = Visit(uuid=parse_uuid(data.uuid), payload_hash=digest, household_id=household.id, grid_id=household.grid_id,
                  visitor_id=by.id, mode=data.mode, visited_at=visit_time(data, received),
                  client_started_at=data.client_started_at, client_submitted_at=data.client_submitted_at,
                  checklist=data.checklist, notes=data.notes.strip() or None, location_status=data.location_status,
                  lat=data.lat, lon=data.lon, accuracy_m=data.accuracy_m, distance_m=distance,
                  is_at_household=at_household, off_site_reason=data.off_site_reason.strip() or None,
                  is_flagged=off_site, device=data.device[:255] or None)
    visit.records = [VisitRecord(kind=k, record_id=r) for k, r in data.records]
    visit.problems = [VisitProblem(subject=p.get("subject") or "needs", description=p["description"].strip(),
                                   is_urgent=bool(p.get("urgent"))) for p in data.problems]
    visit.photos = [VisitPhoto(data=p.data, width=p.width, height=p.height, sha256=p.sha256) for p in photos]
    try:
        with db.session.begin_nested():
            db.session.add(visit)
            db.session.flush()
    except IntegrityError:
        # A double tap raced us to the same id: answer like a resubmission.
        # Any other integrity error (a household deleted meanwhile) is real.
        raced = queries.visit_by_uuid(parse_uuid(data.uuid))
        if raced is None:
            raise
        return replay(raced, digest), False
    # One statement per kind of record, however many the visit covers.
    for kind, model in RECORD_MODELS.items():
        record_ids = [record_id for k, record_id in data.records if k == kind]
        if record_ids:
            db.session.execute(update(model).where(model.id.in_(record_ids)).values(
                last_visit_at=func.greatest(func.coalesce(model.last_visit_at, visit.visited_at), visit.visited_at)))
    record_audit("visit.create", actor=by, object_type="visit", object_id=visit.id,
                 detail={"records": [f"{k}:{r}" for k, r in data.records], "flagged": visit.is_flagged,
                         "distance_m": round(distance) if distance is not None else None})
    db.session.commit()
    return visit, True


def confirm_visit(*, visit: Visit, by) -> None:
    """A grid leader accepts a flagged visit (commits)."""
    if visit.confirmed_at is None:
        visit.confirmed_at, visit.confirmed_by_id = datetime.now(timezone.utc), by.id
        record_audit("visit.confirm", actor=by, object_type="visit", object_id=visit.id)
        db.session.commit()


def note_major_change(*, record, reason: str, by) -> None:
    """Hospitalised, bereaved, guardian changed…: a visit is due within 24 hours (commits)."""
    if reason not in MAJOR_CHANGES:
        raise FieldErrors({"major_change_reason": _("Choose what changed.")})
    if record.kind == "child" and not may_see_child_records(by):
        raise FieldErrors({"major_change_reason": _("Choose what changed.")})
    record.major_change_at, record.major_change_reason = datetime.now(timezone.utc), reason
    db.session.add(CareRecordChange(kind=record.kind, record_id=record.id, by_id=by.id, action="major_change",
                                    changes={"reason": reason}))
    record_audit("care.major_change", actor=by, object_type=f"{record.kind}_record", object_id=record.id,
                 detail={"reason": reason})
    db.session.commit()


def update_policy(*, policy: CadencePolicy, version: int, interval_days: int, window_before_days: int,
                  window_after_days: int, first_visit_working_days: int | None, by) -> None:
    """Change a cadence (commits); every record's due date follows at once."""
    errors = {}
    if not 1 <= interval_days <= 366:
        errors["interval_days"] = _("Between 1 and 366 days.")
    if not 0 <= window_before_days < interval_days or not 0 <= window_after_days < interval_days:
        errors["window"] = _("Windows must be shorter than the interval.")
    if first_visit_working_days is not None and not 1 <= first_visit_working_days <= 60:
        errors["first_visit_working_days"] = _("Between 1 and 60 working days.")
    if errors:
        raise FieldErrors(errors)
    claim_version(CadencePolicy, policy, version)
    before = {"interval": policy.interval_days, "before": policy.window_before_days,
              "after": policy.window_after_days, "first": policy.first_visit_working_days}
    policy.interval_days, policy.window_before_days = interval_days, window_before_days
    policy.window_after_days, policy.first_visit_working_days = window_after_days, first_visit_working_days
    policy.updated_at = func.now()
    db.session.flush()
    cadence.set_first_visit_deadlines(policy.kind)  # records not yet visited follow the new rule
    record_audit("cadence.update", actor=by, object_type="cadence_policy", object_id=policy.id,
                 detail={"from": before, "to": {"interval": interval_days, "before": window_before_days,
                                                "after": window_after_days, "first": first_visit_working_days}})
    db.session.commit()
