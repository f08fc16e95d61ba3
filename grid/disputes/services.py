"""Dispute use cases: registering a case (exactly once), taking a step of the
process (optimistic locking, one clock per step), logging mediation sessions,
and the notifications they send."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from flask import current_app
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from grid import idempotency, numbering, workdays
from grid.accounts.acting import acts_for, recipients
from grid.accounts.models import User
from grid.audit.actions import register_actions
from grid.audit.services import record_audit
from grid.disputes import limits, workflow
from grid.disputes.labels import ACTIONS as ACTION_LABELS
from grid.disputes.models import (Dispute, DisputeAction, DisputeParty, MediationSession,
                                  SessionAttachment)
from grid.disputes.scope import MEDIATOR_LEVELS, OWNER_LEVELS, REGISTER_ROLES, capacities
from grid.disputes.screening import found_in_screening
from grid.errors import Conflict, DomainError, FieldErrors, raise_field_errors
from grid.events.queries import visit_problem
from grid.events.services import nearby_address
from grid.extensions import db
from grid.idempotency import parse_uuid
from grid.locking import claim_version
from grid.notifications.services import notify
from grid.places.models import Unit
from grid.registry import queries as registry_queries
from grid.registry import rules
from grid.registry.messages import rule_message
from grid.registry.models import Resident
from grid.registry.services import master_key, phone_problem
from grid.sealing import seal, unseal
from grid.visits.models import VisitProblem
from grid.visits.services import processed_photos

TYPES = ("family", "neighbour", "housing", "property", "wages", "damages", "other")
SOURCES = ("screening", "request", "referral", "visit")
PARTY_ROLES = ("applicant", "respondent", "third")
MAX_PARTIES = 20
MAX_PHOTOS = 6

register_actions({"dispute.reveal_id": _l("Revealed a dispute party's ID number"),
                  "dispute.reveal_phone": _l("Revealed a dispute party's phone"),
                  "dispute.print_agreement": _l("Printed a mediation agreement with full ID numbers")},
                 object_types={"dispute_party": _l("Dispute party"), "dispute": _l("Dispute")})


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def today(now: datetime | None = None) -> date:
    return (now or now_utc()).astimezone(workdays.SHANGHAI).date()


@dataclass
class PartyInput:
    role: str = "applicant"
    resident_id: int | None = None
    name: str = ""
    gender: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""


@dataclass
class DisputeInput:
    uuid: str = ""
    type: str = ""
    source: str = "request"
    level: str = "ordinary"
    lat: float | None = None
    lon: float | None = None
    grid_id: int | None = None
    address: str = ""
    people_involved: int | None = None
    facts: str = ""
    claims: str = ""
    parties: list[PartyInput] = field(default_factory=list)
    stability_owner_id: int | None = None
    mediator_ids: list[int] = field(default_factory=list)
    other_mediators: str = ""
    supervisor_name: str = ""
    visit_problem_id: int | None = None


@dataclass
class ActionInput:
    action: str = ""
    version: int = 0
    note: str = ""
    outcome: str = ""
    referral_body: str = ""
    performance: str = ""
    next_step: str = ""
    follow_up_on: date | None = None
    level: str = ""
    leader_id: int | None = None
    mediator_ids: list[int] | None = None
    stability_owner_id: int | None = None
    other_mediators: str | None = None
    supervisor_name: str | None = None


@dataclass
class SessionInput:
    uuid: str = ""
    held_at: datetime | None = None
    place: str = ""
    attendees: str = ""
    record: str = ""
    photos: list[bytes] = field(default_factory=list)


# --- registering ------------------------------------------------------------------

def payload_hash(data: DisputeInput) -> str:
    return idempotency.digest({
        "type": data.type, "source": data.source, "level": data.level, "lat": data.lat, "lon": data.lon,
        "grid": data.grid_id, "address": data.address.strip(), "people": data.people_involved,
        "facts": data.facts.strip(), "claims": data.claims.strip(),
        "parties": [[p.role, p.resident_id, p.name.strip(), p.gender, p.id_number.strip(), p.phone.strip(),
                     p.address.strip()] for p in data.parties],
        "owner": data.stability_owner_id, "mediators": sorted(data.mediator_ids),
        "other_mediators": data.other_mediators.strip(), "supervisor": data.supervisor_name.strip(),
        "problem": data.visit_problem_id,
    })


def too_long(errors: dict, key: str, value: str, n: int) -> None:
    if len(value) > n:
        errors[key] = _("At most %(n)s characters.", n=n)


def locate(data: DisputeInput, by, errors: dict) -> Unit | None:
    """The case's grid: from the point when there is one, else the grid chosen."""
    if data.lat is not None and data.lon is not None:
        if not (-90 <= data.lat <= 90 and -180 <= data.lon <= 180):
            errors["location"] = _("The location fix is not valid.")
            return None
        grid_id = registry_queries.grid_for_point(data.lon, data.lat)
        if grid_id is None or not registry_queries.grid_in_scope(by, grid_id):
            errors["location"] = _("This point is not in a grid you look after. Move the marker into your area.")
            return None
        return db.session.get(Unit, grid_id)
    if data.grid_id is None or not registry_queries.grid_in_scope(by, data.grid_id):
        errors["location"] = _("Set the location (GPS or the map), or choose the grid.")
        return None
    return db.session.get(Unit, data.grid_id)


def check_party(n: int, party: PartyInput, by, errors: dict):
    """Field problems of party n (keys party-N-field) and the parsed ID number."""
    key = f"party-{n}-"
    if party.role not in PARTY_ROLES:
        errors[key + "role"] = _("Choose the party's role.")
    if party.resident_id is not None and registry_queries.resident_in_scope(by, party.resident_id) is None:
        errors[key + "name"] = _("This resident is not in your area.")
    if not party.name.strip() and party.resident_id is None:
        errors[key + "name"] = _("Enter the party's name.")
    too_long(errors, key + "name", party.name.strip(), 50)
    too_long(errors, key + "address", party.address.strip(), 200)
    if party.gender and party.gender not in ("male", "female"):
        errors[key + "gender"] = _("Choose a gender from the list.")
    identity = None
    if party.id_number.strip():
        try:
            identity = rules.parse_id_number(party.id_number, today=today())
        except rules.RuleError as error:
            errors[key + "id_number"] = rule_message(error)
    if phone_problem(party.phone):
        errors[key + "phone"] = phone_problem(party.phone)
    return identity


def people_problem(user_id: int | None, dispute_units: dict, *, owner: bool) -> bool:
    """True when the user may not be the case's responsible person or
    mediator (scope.OWNER_LEVELS / MEDIATOR_LEVELS of the case's chain)."""
    user = db.session.get(User, user_id) if user_id else None
    if user is None or not user.is_enabled:
        return True
    levels = OWNER_LEVELS if owner else MEDIATOR_LEVELS
    return not any(acts_for(user, level, dispute_units[level].id) for level in levels)


def check_people(errors: dict, units: dict, owner_id, mediator_ids, other_mediators: str | None,
                 supervisor_name: str | None) -> None:
    if owner_id is None or people_problem(owner_id, units, owner=True):
        errors["stability_owner_id"] = _("Choose the person responsible from the grid's workers or the community's staff.")
    if any(people_problem(uid, units, owner=False) for uid in mediator_ids or ()):
        errors["mediator_ids"] = _("Mediators are chosen from the community's and street office's staff and the grid's workers.")
    too_long(errors, "other_mediators", (other_mediators or "").strip(), 200)
    too_long(errors, "supervisor_name", (supervisor_name or "").strip(), 50)


def check_register(data: DisputeInput, by, problem: VisitProblem | None):
    errors: dict[str, str | None] = {}
    if parse_uuid(data.uuid) is None:
        errors["uuid"] = _("The form is incomplete; reload the page and enter the dispute again.")
    if data.type not in TYPES:
        errors["type"] = _("Choose the type of dispute.")
    if data.source not in SOURCES:
        errors["source"] = _("Choose where the dispute comes from.")
    if data.level not in workflow.LEVELS:
        errors["level"] = _("Choose the level.")
    if not data.facts.strip():
        errors["facts"] = _("Describe what happened.")
    too_long(errors, "facts", data.facts.strip(), 4000)
    if not data.claims.strip():
        errors["claims"] = _("Say what each side asks for.")
    too_long(errors, "claims", data.claims.strip(), 2000)
    too_long(errors, "address", data.address.strip(), 200)
    if not data.parties:
        errors["parties"] = _("Add at least one party.")
    elif len(data.parties) > MAX_PARTIES:
        errors["parties"] = _("At most %(n)s parties.", n=MAX_PARTIES)
    identities = [check_party(n, p, by, errors) for n, p in enumerate(data.parties)]
    if data.people_involved is None or not 1 <= data.people_involved <= 100_000:
        errors["people_involved"] = _("Enter how many people are involved.")
    elif data.people_involved < len(data.parties):
        errors["people_involved"] = _("At least as many people as parties are involved.")
    grid = locate(data, by, errors)
    if grid is not None:
        units = {"grid": grid, "community": grid.parent, "street": grid.parent.parent}
        check_people(errors, units, data.stability_owner_id, data.mediator_ids, data.other_mediators,
                     data.supervisor_name)
    if data.visit_problem_id is not None and (problem is None or problem.status != "open"):
        errors["visit_problem_id"] = _("This problem has already been reported or closed.")
    return errors, grid, identities


def register_dispute(*, data: DisputeInput, by, now: datetime | None = None,
                     problem: VisitProblem | None = None) -> tuple[Dispute, bool]:
    """Save a new case exactly once (commits); returns (dispute, created).
    The community accepts it; a case its own staff register is accepted at once."""
    if by.role not in REGISTER_ROLES:
        raise DomainError(_("Your role cannot register disputes."))
    digest = payload_hash(data)
    uuid = parse_uuid(data.uuid)
    known = db.session.scalar(select(Dispute).where(Dispute.uuid == uuid)) if uuid else None
    if known is not None:
        return replay(known, digest), False
    if problem is not None and visit_problem(by, problem.id) is None:
        raise DomainError(_("This problem is not in your area."))
    errors, grid, identities = check_register(data, by, problem)
    raise_field_errors(errors)
    now = now or now_utc()
    community, street = grid.parent, grid.parent.parent
    amount, unit = limits.level_limit(data.level)
    has_point = data.lat is not None and data.lon is not None
    dispute = Dispute(
        uuid=uuid, payload_hash=digest, number=numbering.next_number("dispute", now, "JF"), type=data.type,
        source="visit" if problem is not None else data.source, level=data.level, grid_id=grid.id,
        community_id=community.id, street_id=street.id,
        location=func.ST_SetSRID(func.ST_MakePoint(data.lon, data.lat), 4326) if has_point else None,
        address=data.address.strip() or (nearby_address(data.lon, data.lat, grid) if has_point else grid.name),
        people_involved=data.people_involved, facts=data.facts.strip(), claims=data.claims.strip(),
        registered_on=today(now), registered_at=now, registrar_id=by.id,
        visit_problem_id=problem.id if problem is not None else None,
        limit_amount=amount, limit_unit=unit, limit_started_at=now,
        time_limit_at=limits.due_after_days(now, amount, unit),
        state="registered", stability_owner_id=data.stability_owner_id,
        other_mediators=data.other_mediators.strip() or None,
        supervising_unit_id=(street if data.level == "major" else community).id,
        supervisor_name=data.supervisor_name.strip() or None, version=1)
    dispute.mediators = [db.session.get(User, uid) for uid in dict.fromkeys(data.mediator_ids)]
    try:
        with db.session.begin_nested():
            db.session.add(dispute)
            db.session.flush()
    except IntegrityError:
        raced = db.session.scalar(select(Dispute).where(Dispute.uuid == uuid))
        if raced is not None:
            return replay(raced, digest), False
        if problem is not None and db.session.scalar(select(Dispute.id).where(Dispute.visit_problem_id == problem.id)):
            raise FieldErrors({"visit_problem_id": _("This problem has already been reported or closed.")}) from None
        raise
    if data.source == "screening" and problem is None:
        # The report of the unit whose screening found it: the grid's for its
        # workers, the community's or street office's for their staff.
        screened = next((unit for level, unit in (("grid", grid), ("community", community), ("street", street))
                         if acts_for(by, level, unit.id)), grid)
        dispute.screening_id = found_in_screening(screened, now, by).id
    for n, (party, identity) in enumerate(zip(data.parties, identities)):
        db.session.add(new_party(dispute, n, party, identity))
    start_step(dispute, "accept", now)
    append(dispute, "register", by=by, at=now, from_state=None, detail={"level": data.level})
    if acts_for(by, "community", community.id):
        accept(dispute, by, now)
    else:
        notify(recipients("community", community.id), "dispute_registered", object_type="dispute",
               object_id=dispute.id, params=params(dispute))
    if data.level == "major":
        notify(recipients("street", street.id), "dispute_major", object_type="dispute", object_id=dispute.id,
               params=params(dispute))
    notify_people(dispute, data.mediator_ids, data.stability_owner_id, exclude=by.id)
    if problem is not None:
        problem.status = "dispute"
    db.session.commit()
    return dispute, True


def new_party(dispute: Dispute, n: int, party: PartyInput, identity) -> DisputeParty:
    row = DisputeParty(dispute_id=dispute.id, position=n, role=party.role, resident_id=party.resident_id,
                       name=party.name.strip(), gender=party.gender or None,
                       phone=rules.parse_phone(party.phone) if party.phone.strip() else None,
                       address=party.address.strip() or None)
    if party.resident_id is not None:
        resident = db.session.get(Resident, party.resident_id)   # scope checked in check_party
        row.name = row.name or resident.name
        row.gender = row.gender or resident.gender
        row.id_number_masked = resident.id_number_masked   # the number itself stays in the registry
        row.phone = row.phone or resident.phone
        row.address = row.address or resident.household.address
    elif identity is not None:
        row.id_number_sealed = seal(identity.value, master_key())
        row.id_number_masked = rules.mask_id_number(identity.value)
        row.gender = identity.gender
    return row


def replay(dispute: Dispute, digest: str) -> Dispute:
    return idempotency.replay(dispute, digest, _("This dispute was already saved with different content. Open the "
                                                 "saved case, or register a new one for the changes."))


def party_id_number(party: DisputeParty) -> str | None:
    """A party's full ID number: callers audit every use (see reveal_id_number)."""
    if party.resident_id is not None and party.resident is not None:
        return party.resident.id_number(master_key())
    return unseal(party.id_number_sealed, master_key()) if party.id_number_sealed else None


def audit_resident_reveal(party: DisputeParty, by, via: str) -> None:
    """A linked resident's number is the registry's: its reveal belongs in the
    resident's own access history too."""
    if party.resident_id is not None:
        record_audit("resident.reveal_id", actor=by, object_type="resident", object_id=party.resident_id,
                     detail={"via": via, "dispute_party": party.id})


def reveal_id_number(*, party: DisputeParty, by) -> str | None:
    """The full ID number, once, with an audit entry (commits)."""
    record_audit("dispute.reveal_id", actor=by, object_type="dispute_party", object_id=party.id)
    audit_resident_reveal(party, by, "dispute.reveal_id")
    db.session.commit()
    return party_id_number(party)


def reveal_phone(*, party: DisputeParty, by) -> str | None:
    record_audit("dispute.reveal_phone", actor=by, object_type="dispute_party", object_id=party.id)
    db.session.commit()
    return party.phone


# --- clocks ---------------------------------------------------------------------------

def start_step(dispute: Dispute, step: str | None, now: datetime) -> None:
    """The clock of the state the case is entering: accepting and reviewing in
    working days, mediating until the case's time limit, following up until its date."""
    cfg = current_app.config
    dispute.step, dispute.step_started_at = step, now if step else None
    dispute.due_at = dispute.yellow_at = None
    if step is None:
        return
    if step == "accept":
        start, due, unit = now, limits.due_after_days(now, cfg["DISPUTE_ACCEPT_DAYS"], "working_days"), "working_days"
    elif step == "mediate":
        start, due, unit = dispute.limit_started_at, dispute.time_limit_at, dispute.limit_unit
    elif step == "review":
        start, due, unit = now, limits.due_after_days(now, cfg["DISPUTE_REVIEW_DAYS"], "working_days"), "working_days"
    else:  # follow_up
        start, due, unit = now, limits.day_due(dispute.follow_up_on), "calendar_days"
    clock = limits.clock(start, due, unit)
    dispute.due_at, dispute.yellow_at = clock.due_at, clock.yellow_at


def end_step(dispute: Dispute, now: datetime) -> dict:
    if dispute.step is None:
        return {}
    return {"ended_step": dispute.step, "ended_late": dispute.due_at is not None and now > dispute.due_at}


def set_level(dispute: Dispute, level: str) -> None:
    """A new level brings its time limit, counted from when the current one started."""
    dispute.level = level
    dispute.limit_amount, dispute.limit_unit = limits.level_limit(level)
    dispute.time_limit_at = limits.due_after_days(dispute.limit_started_at, dispute.limit_amount, dispute.limit_unit)
    if level == "major":
        dispute.supervising_unit_id = dispute.street_id


# --- actions ---------------------------------------------------------------------------

def allowed_actions(user, dispute: Dispute, *, include_own_forms: bool = False) -> list[str]:
    found = workflow.allowed_actions(state=dispute.state, level=dispute.level, capacities=capacities(user, dispute))
    return found if include_own_forms else [a for a in found if a not in workflow.OWN_FORM]


def may(user, dispute: Dispute, action: str) -> bool:
    return workflow.allowed(action, state=dispute.state, level=dispute.level, capacities=capacities(user, dispute))


def require(user, dispute: Dispute, action: str) -> None:
    if not may(user, dispute, action):
        raise DomainError(_("This step is not open to you now. The case may have moved on: check it as it is now."))


def what_happened(dispute: Dispute, seen: int) -> str:
    done = db.session.scalars(select(DisputeAction).where(DisputeAction.dispute_id == dispute.id,
                                                         DisputeAction.version_after > seen)
                              .order_by(DisputeAction.id)).all()
    steps = "；".join(f"{a.actor.full_name} {ACTION_LABELS.get(a.action, a.action)}"
                     f"（{format_datetime(a.at, 'MM-dd HH:mm')}）" for a in done)
    return _("This case changed while you were looking at it: %(steps)s. Nothing of yours was saved; "
             "check the case as it is now and act again if still needed.", steps=steps or "—")


def check_action(dispute: Dispute, data: ActionInput, now: datetime) -> dict:
    errors: dict[str, str | None] = {}
    rule = workflow.RULES[data.action]
    note = data.note.strip()
    if rule.needs_note and not note:
        errors["note"] = {"decline": _("Say why the case is not accepted."),
                          "return_case": _("Say what the mediators should do."),
                          "raise_level": _("Say why the level is raised."),
                          "list_supervision": _("Say what is supervised and by when."),
                          "supervise": _("Write the supervision note.")}.get(data.action, _("Add a note."))
    too_long(errors, "note", note, 2000)
    if data.action == "record_outcome":
        if data.outcome not in workflow.OUTCOMES:
            errors["outcome"] = _("Choose the outcome.")
        elif data.outcome in workflow.FOLLOWED_OUTCOMES and dispute.agreement is None:
            errors["outcome"] = _("Record the agreement first: its terms are what the committee reviews.")
        elif data.outcome == "referred" and not data.referral_body.strip():
            errors["referral_body"] = _("Say where the case was referred (court, arbitration, another body).")
        elif data.outcome in ("failed", "withdrawn") and not note:
            errors["note"] = _("Say why mediation ended this way.")
        too_long(errors, "referral_body", data.referral_body.strip(), 100)
    elif data.action == "follow_up":
        if data.performance not in workflow.PERFORMANCE:
            errors["performance"] = _("Say whether the agreement was fulfilled.")
        elif data.performance != "fulfilled" and data.next_step not in workflow.FOLLOW_UP_NEXT:
            errors["next_step"] = _("Choose what happens next.")
        elif data.performance != "fulfilled" and data.next_step == "again" and (
                data.follow_up_on is None or data.follow_up_on <= today(now)):
            errors["follow_up_on"] = _("Choose a date after today for the next follow-up.")
        if not note:
            errors["note"] = _("Write what you found on the follow-up.")
    elif data.action == "raise_level":
        if data.level not in workflow.higher_levels(dispute.level):
            errors["level"] = _("Choose a higher level.")
    elif data.action == "assign_leader":
        leader = db.session.get(User, data.leader_id) if data.leader_id else None
        if leader is None or not leader.is_enabled or not acts_for(leader, "street", dispute.street_id):
            errors["leader_id"] = _("Choose a leader from the street office.")
    elif data.action in ("accept", "assign"):
        units = {"grid": dispute.grid, "community": dispute.community, "street": dispute.street}
        owner = data.stability_owner_id if data.stability_owner_id is not None else dispute.stability_owner_id
        mediators = data.mediator_ids if data.mediator_ids is not None else [m.id for m in dispute.mediators]
        check_people(errors, units, owner, mediators, data.other_mediators, data.supervisor_name)
    return errors


def act(*, dispute: Dispute, data: ActionInput, by, now: datetime | None = None) -> Dispute:
    """Take one step (commits). Raises FieldErrors (422) for missing input,
    Conflict (409, with what happened) when the case changed since the user
    saw it, DomainError when the step is not open to them."""
    now = now or now_utc()
    if data.action in workflow.OWN_FORM or data.action not in workflow.RULES:
        raise DomainError(_("This step is not open to you now. The case may have moved on: check it as it is now."))
    if data.version != dispute.version:
        raise Conflict(what_happened(dispute, data.version))
    require(by, dispute, data.action)
    raise_field_errors(check_action(dispute, data, now))
    claim_version(Dispute, dispute, data.version, message=what_happened(dispute, data.version))
    APPLY[data.action](dispute, data, by, now)
    db.session.commit()
    return dispute


def move(dispute: Dispute, data: ActionInput, by, now: datetime, state: str, *, detail: dict | None = None,
         step: bool = True) -> None:
    """Change state (a new clock for it unless `step` is False) and write history."""
    from_state = dispute.state
    ended = end_step(dispute, now) if step else {}
    dispute.state = state
    if step:
        start_step(dispute, workflow.STEP_OF_STATE[state], now)
    append(dispute, data.action, by=by, at=now, from_state=from_state, note=data.note, detail=detail, **ended)


def accept(dispute: Dispute, by, now: datetime, data: ActionInput | None = None) -> None:
    data = data or ActionInput(action="accept")
    apply_people(dispute, data)
    move(dispute, data, by, now, "mediating")


def apply_people(dispute: Dispute, data: ActionInput) -> dict:
    """Mediators, responsible person and supervisor, where the form gave them; the changes for history."""
    changes = {}
    if data.mediator_ids is not None:
        before = sorted(m.id for m in dispute.mediators)
        dispute.mediators = [db.session.get(User, uid) for uid in dict.fromkeys(data.mediator_ids)]
        if before != sorted(data.mediator_ids):
            changes["mediators"] = [m.full_name for m in dispute.mediators]
    if data.stability_owner_id is not None and data.stability_owner_id != dispute.stability_owner_id:
        dispute.stability_owner_id = data.stability_owner_id
        changes["stability_owner"] = db.session.get(User, data.stability_owner_id).full_name
    for name in ("other_mediators", "supervisor_name"):
        value = getattr(data, name)
        if value is not None and (value.strip() or None) != getattr(dispute, name):
            setattr(dispute, name, value.strip() or None)
            changes[name] = value.strip()
    return changes


def do_accept(dispute, data, by, now):
    before = {m.id for m in dispute.mediators}
    accept(dispute, by, now, data)
    notify_people(dispute, [m.id for m in dispute.mediators if m.id not in before], None, exclude=by.id)


def do_decline(dispute, data, by, now):
    move(dispute, data, by, now, "archived")
    dispute.outcome, dispute.outcome_note, dispute.archived_at = "declined", data.note.strip(), now
    dispute.outcome_by_id, dispute.outcome_at = by.id, now
    notify([dispute.registrar_id], "dispute_declined", object_type="dispute", object_id=dispute.id,
           params=params(dispute))


def do_record_outcome(dispute, data, by, now):
    dispute.outcome, dispute.outcome_note = data.outcome, data.note.strip() or None
    dispute.referral_body = (data.referral_body.strip() or None) if data.outcome == "referred" else None
    dispute.outcome_by_id, dispute.outcome_at = by.id, now
    move(dispute, data, by, now, "under_review", detail={"outcome": data.outcome,
                                                        "referral_body": dispute.referral_body})
    reviewers = [uid for uid in recipients("community", dispute.community_id) if uid != by.id]
    notify(reviewers, "dispute_review", object_type="dispute", object_id=dispute.id, params=params(dispute))


def do_approve(dispute, data, by, now):
    target = workflow.after_approval(dispute.outcome)
    dispute.approved_at = now
    if target == "follow_up":
        deadline = dispute.agreement.performance_deadline if dispute.agreement is not None else None
        default = today(now) + timedelta(days=current_app.config["DISPUTE_FOLLOW_UP_DAYS"])
        dispute.follow_up_on = deadline if deadline is not None and deadline >= today(now) else default
    else:
        dispute.archived_at = now
    move(dispute, data, by, now, target, detail={"follow_up_on": dispute.follow_up_on.isoformat()
                                                 if target == "follow_up" else None})
    if target == "follow_up":
        notify([dispute.stability_owner_id], "dispute_follow_up", object_type="dispute", object_id=dispute.id,
               params=params(dispute) | {"date": dispute.follow_up_on.isoformat()})


def do_return_case(dispute, data, by, now):
    move(dispute, data, by, now, "mediating")
    dispute.outcome = dispute.outcome_note = dispute.referral_body = None
    dispute.outcome_by_id = dispute.outcome_at = None
    notify(handlers(dispute), "dispute_returned", object_type="dispute", object_id=dispute.id, params=params(dispute))


def do_follow_up(dispute, data, by, now):
    target = workflow.after_follow_up(data.performance, data.next_step)
    dispute.performance = data.performance
    detail = {"performance": data.performance, "next_step": data.next_step or None}
    if target == "follow_up":
        dispute.follow_up_on = data.follow_up_on
        detail["follow_up_on"] = data.follow_up_on.isoformat()
    elif target == "mediating":
        # Mediating again: a fresh time limit from today, and a new outcome to review.
        dispute.limit_started_at = now
        dispute.time_limit_at = limits.due_after_days(now, dispute.limit_amount, dispute.limit_unit)
        dispute.outcome = dispute.outcome_note = dispute.referral_body = dispute.performance = None
        dispute.outcome_by_id = dispute.outcome_at = dispute.approved_at = None
    else:
        dispute.archived_at = now
    move(dispute, data, by, now, target, detail=detail)
    if target == "mediating":
        notify(handlers(dispute), "dispute_remediate", object_type="dispute", object_id=dispute.id,
               params=params(dispute))


def do_assign(dispute, data, by, now):
    before = {m.id for m in dispute.mediators}
    changes = apply_people(dispute, data)
    move(dispute, data, by, now, dispute.state, detail=changes, step=False)
    notify_people(dispute, [m.id for m in dispute.mediators if m.id not in before],
                  data.stability_owner_id if "stability_owner" in changes else None, exclude=by.id)


def do_raise_level(dispute, data, by, now):
    before = dispute.level
    set_level(dispute, data.level)
    if dispute.state == "mediating":
        clock = limits.clock(dispute.limit_started_at, dispute.time_limit_at, dispute.limit_unit)
        dispute.due_at, dispute.yellow_at = clock.due_at, clock.yellow_at
    move(dispute, data, by, now, dispute.state, detail={"level": {"from": before, "to": data.level}}, step=False)
    if data.level == "major":
        notify(recipients("street", dispute.street_id), "dispute_major", object_type="dispute",
               object_id=dispute.id, params=params(dispute))


def do_assign_leader(dispute, data, by, now):
    dispute.lead_leader_id = data.leader_id
    leader = db.session.get(User, data.leader_id)
    move(dispute, data, by, now, dispute.state, detail={"leader": leader.full_name}, step=False)
    notify([leader.id], "dispute_leader", object_type="dispute", object_id=dispute.id, params=params(dispute))


def do_list_supervision(dispute, data, by, now):
    dispute.listed_at, dispute.listing_note = now, data.note.strip()
    move(dispute, data, by, now, dispute.state, step=False)
    notify(handlers(dispute), "dispute_listed", object_type="dispute", object_id=dispute.id, params=params(dispute))


def do_supervise(dispute, data, by, now):
    move(dispute, data, by, now, dispute.state, step=False)
    notify(handlers(dispute), "dispute_supervised", object_type="dispute", object_id=dispute.id,
           params=params(dispute))


APPLY = {
    "accept": do_accept, "decline": do_decline, "record_outcome": do_record_outcome, "approve": do_approve,
    "return_case": do_return_case, "follow_up": do_follow_up, "assign": do_assign, "raise_level": do_raise_level,
    "assign_leader": do_assign_leader, "list_supervision": do_list_supervision, "supervise": do_supervise,
}
assert set(APPLY) | workflow.OWN_FORM == set(workflow.RULES)


# --- mediation sessions -------------------------------------------------------------------

def session_hash(data: SessionInput) -> str:
    return idempotency.digest({"held_at": data.held_at.isoformat() if data.held_at else None,
                               "place": data.place.strip(), "attendees": data.attendees.strip(),
                               "record": data.record.strip(),
                               "photos": [hashlib.sha256(p).hexdigest() for p in data.photos]})


def log_session(*, dispute: Dispute, data: SessionInput, by, now: datetime | None = None) -> tuple[MediationSession, bool]:
    """Record one mediation session exactly once (commits). Sessions do not
    need the version the user saw (two mediators may log at once), but they
    move the case's version so a reviewer's stale page is caught."""
    now = now or now_utc()
    digest = session_hash(data)
    uuid = parse_uuid(data.uuid)
    known = db.session.scalar(select(MediationSession).where(MediationSession.uuid == uuid)) if uuid else None
    if known is not None:
        if known.dispute_id != dispute.id:
            raise Conflict(_("This form belongs to another case. Reload the page."))
        return idempotency.replay(known, digest, _("This session was already saved with different content.")), False
    lock(dispute)   # an outcome recorded meanwhile closes the sessions
    require(by, dispute, "log_session")
    errors: dict[str, str | None] = {}
    if uuid is None:
        errors["uuid"] = _("The form is incomplete; reload the page and enter the session again.")
    if data.held_at is None:
        errors["held_at"] = _("Enter when the session was held.")
    elif data.held_at > now + timedelta(minutes=5):
        errors["held_at"] = _("The session cannot be in the future.")
    elif data.held_at.astimezone(workdays.SHANGHAI).date() < dispute.registered_on:
        errors["held_at"] = _("The session cannot be before the case was registered.")
    if not data.place.strip():
        errors["place"] = _("Enter where it was held.")
    too_long(errors, "place", data.place.strip(), 100)
    if not data.attendees.strip():
        errors["attendees"] = _("Enter who attended.")
    too_long(errors, "attendees", data.attendees.strip(), 1000)
    if not data.record.strip():
        errors["record"] = _("Write the record of what was said (笔录).")
    too_long(errors, "record", data.record.strip(), 20000)
    if len(data.photos) > MAX_PHOTOS:
        errors["photos"] = _("At most %(n)s photos.", n=MAX_PHOTOS)
    photos, errors["photos"] = processed_photos(data.photos) if not errors.get("photos") else ([], errors["photos"])
    raise_field_errors(errors)
    session = MediationSession(uuid=uuid, payload_hash=digest, dispute_id=dispute.id, held_at=data.held_at,
                               place=data.place.strip(), attendees=data.attendees.strip(), record=data.record.strip(),
                               recorded_by_id=by.id, recorded_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(session)
            db.session.flush()
    except IntegrityError:
        raced = db.session.scalar(select(MediationSession).where(MediationSession.uuid == uuid))
        if raced is None:
            raise
        return idempotency.replay(raced, digest, _("This session was already saved with different content.")), False
    for p in photos:
        db.session.add(SessionAttachment(session_id=session.id, data=p.data, width=p.width, height=p.height,
                                         sha256=p.sha256))
    bump_version(dispute)
    append(dispute, "log_session", by=by, at=now, from_state=dispute.state,
           detail={"session": session.id, "held_at": data.held_at.isoformat()})
    db.session.commit()
    return session, True


def lock(dispute: Dispute) -> None:
    """Re-read the case under a row lock: additions that need no version (a
    session, the agreement) are checked against its state as it is now, and
    a step taken meanwhile by someone else waits or is seen."""
    db.session.refresh(dispute, with_for_update=True)


def bump_version(dispute: Dispute) -> None:
    """Move the case's version without a check (under a row lock): for
    additions that do not conflict with each other."""
    db.session.execute(update(Dispute).where(Dispute.id == dispute.id).values(version=Dispute.version + 1)
                       .execution_options(synchronize_session=False))
    db.session.refresh(dispute, ["version"])


# --- history and notifications -----------------------------------------------------------

def append(dispute: Dispute, action: str, *, by, at: datetime, from_state: str | None, note: str | None = None,
           detail: dict | None = None, ended_step=None, ended_late=None) -> DisputeAction:
    row = DisputeAction(dispute_id=dispute.id, action=action, actor_id=by.id, from_state=from_state,
                        to_state=dispute.state, note=(note or "").strip() or None,
                        detail={k: v for k, v in (detail or {}).items() if v is not None}, at=at,
                        ended_step=ended_step, ended_late=ended_late, version_after=dispute.version)
    db.session.add(row)
    db.session.flush()
    return row


def params(dispute: Dispute) -> dict:
    """Words for a notification: the case number only, never personal data."""
    return {"number": dispute.number}


def handlers(dispute: Dispute) -> list[int]:
    """The community's staff and the case's mediators (and the street office's
    staff for a major case)."""
    ids = set(recipients("community", dispute.community_id)) | {m.id for m in dispute.mediators if m.is_enabled}
    if dispute.level == "major":
        ids |= set(recipients("street", dispute.street_id))
    return sorted(ids)


def notify_people(dispute: Dispute, mediator_ids, owner_id, *, exclude: int) -> None:
    named = set(mediator_ids or ()) | ({owner_id} if owner_id else set())
    notify(sorted(named - {exclude}), "dispute_named", object_type="dispute", object_id=dispute.id,
           params=params(dispute))


NOTIFICATION_KINDS = {
    "dispute_registered": _l("Dispute %(number)s was registered in your community: please accept it."),
    "dispute_major": _l("Major dispute %(number)s needs the street office: assign a leader in charge."),
    "dispute_named": _l("You are named as mediator or responsible person on dispute %(number)s."),
    "dispute_declined": _l("Dispute %(number)s was not accepted: see the reason on the case."),
    "dispute_review": _l("Dispute %(number)s is waiting for the committee's review."),
    "dispute_returned": _l("The committee returned dispute %(number)s with comments."),
    "dispute_follow_up": _l("Dispute %(number)s: follow up on the agreement by %(date)s."),
    "dispute_remediate": _l("Dispute %(number)s is to be mediated again after the follow-up."),
    "dispute_leader": _l("You are the leader in charge of major dispute %(number)s."),
    "dispute_listed": _l("Dispute %(number)s is listed for supervision (挂牌督办)."),
    "dispute_supervised": _l("The street office supervises dispute %(number)s (督办)."),
}
