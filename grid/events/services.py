"""Event use cases: reporting (exactly once), taking a workflow action
(optimistic locking, one clock per step), and the notifications both send."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from flask import current_app
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from grid import idempotency, numbering, workdays
from grid.accounts.models import Department
from grid.accounts.roles import Role
from grid.errors import Conflict, DomainError, FieldErrors, raise_field_errors
from grid.events import deadlines, workflow
from grid.events.labels import action_label
from grid.events.models import Event, EventAction, EventCategory, EventPhoto
from grid.accounts.acting import ACTING_ROLES, recipients
from grid.events.scope import REPORT_ROLES, capacities, chain, decider, holder_level
from grid.extensions import db
from grid.idempotency import parse_uuid
from grid.locking import claim_version
from grid.notifications.services import notify
from grid.places.models import Unit
from grid.registry.models import Household
from grid.registry import queries as registry_queries
from grid.registry.services import phone_problem
from grid.registry import rules
from grid.visits.models import VisitProblem
from grid.visits.services import processed_photos

SOURCES = ("patrol", "resident", "hotline", "visit")
PRIORITIES = ("normal", "urgent")
SATISFACTION = ("satisfied", "basic", "dissatisfied", "unreached")
RETURN_REASONS = ("incomplete", "misrouted")
MAX_PHOTOS = 6
MAX_EXTENSION_DAYS = 30
# The level a reporter's event starts at: where they act.
ORIGIN_LEVEL = {role: level for level in ("grid", "community", "street") for role in ACTING_ROLES[level]}


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class EventInput:
    uuid: str = ""
    category_id: int | None = None
    source: str = "patrol"
    priority: str = "normal"
    description: str = ""
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    requester_name: str = ""
    requester_phone: str = ""
    on_spot: bool = False
    resolution: str = ""
    visit_problem_id: int | None = None
    photos: list[bytes] = field(default_factory=list)


@dataclass
class ActionInput:
    action: str = ""
    version: int = 0
    note: str = ""
    department_id: int | None = None
    days: int | None = None
    reason: str = ""
    satisfaction: str = ""
    photos: list[bytes] = field(default_factory=list)
    # Set by `act`: the unit or department the user acts for (the step's "unit").
    acting_place: tuple[int | None, int | None] = (None, None)


# --- reporting ---------------------------------------------------------------

def payload_hash(data: EventInput) -> str:
    return idempotency.digest({
        "category": data.category_id, "source": data.source, "priority": data.priority,
        "description": data.description.strip(), "address": data.address.strip(), "lat": data.lat, "lon": data.lon,
        "requester": [data.requester_name.strip(), data.requester_phone.strip()], "on_spot": data.on_spot,
        "resolution": data.resolution.strip(), "problem": data.visit_problem_id,
        "photos": [hashlib.sha256(p).hexdigest() for p in data.photos],
    })


def active_categories() -> list[EventCategory]:
    return list(db.session.scalars(select(EventCategory).where(EventCategory.is_active)
                                   .order_by(EventCategory.position, EventCategory.code)))


def check_report(data: EventInput, by, problem: VisitProblem | None) -> tuple[dict, Unit | None]:
    errors: dict[str, str | None] = {}
    if parse_uuid(data.uuid) is None:
        errors["uuid"] = _("The form is incomplete; reload the page and enter the event again.")
    category = db.session.get(EventCategory, data.category_id) if data.category_id else None
    if category is None or not category.is_active:
        errors["category_id"] = _("Choose a category.")
    if data.source not in SOURCES:
        errors["source"] = _("Choose where the event comes from.")
    if data.priority not in PRIORITIES:
        errors["priority"] = _("Choose a priority.")
    if not data.description.strip():
        errors["description"] = _("Describe the problem.")
    elif len(data.description) > 2000:
        errors["description"] = _("At most %(n)s characters.", n=2000)
    if len(data.address) > 200:
        errors["address"] = _("At most %(n)s characters.", n=200)
    errors["requester_phone"] = phone_problem(data.requester_phone)
    if len(data.requester_name) > 50:
        errors["requester_name"] = _("At most %(n)s characters.", n=50)
    grid = None
    if data.lat is None or data.lon is None:
        errors["location"] = _("Set the location: use GPS or tap the map.")
    elif not (-90 <= data.lat <= 90 and -180 <= data.lon <= 180):
        errors["location"] = _("The location fix is not valid.")
    else:
        grid_id = registry_queries.grid_for_point(data.lon, data.lat)
        grid = db.session.get(Unit, grid_id) if grid_id else None
        if grid is None or not registry_queries.grid_in_scope(by, grid.id):
            errors["location"] = _("This point is not in a grid you look after. Move the marker into your area.")
    if data.on_spot:
        if ORIGIN_LEVEL.get(by.role) != "grid":
            errors["on_spot"] = _("Only grid workers resolve events on the spot.")
        if not data.resolution.strip():
            errors["resolution"] = _("Say how the problem was fixed.")
        if not data.photos:
            errors["photos"] = _("Add a photo of the fixed problem.")
    if len(data.photos) > MAX_PHOTOS:
        errors["photos"] = _("At most %(n)s photos.", n=MAX_PHOTOS)
    if data.visit_problem_id is not None and (problem is None or problem.status != "open"):
        errors["visit_problem_id"] = _("This problem has already been reported or closed.")
    return errors, grid


def nearby_address(lon: float, lat: float, grid: Unit) -> str:
    """An address when the worker typed none (one less thing on a phone): the
    nearest household's door plate within 100 m, else the grid's name."""
    point = func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326)
    address = db.session.scalar(
        select(Household.address).where(func.ST_DWithin(func.geography(Household.location), func.geography(point), 100))
        .order_by(Household.location.op("<->")(point)).limit(1))
    return _("near %(place)s", place=address or grid.name)[:200]


def next_number(now: datetime) -> str:
    """20261122-0007: the day (Asia/Shanghai) and a counter, readable aloud and on paper."""
    return numbering.next_number("event", now)


def report_event(*, data: EventInput, by, now: datetime | None = None,
                 problem: VisitProblem | None = None) -> tuple[Event, bool]:
    """Save a new event exactly once (commits); returns (event, created).
    A grid worker's event goes to the community to sign for, or closes at
    once when fixed on the spot; a community's or street office's own event
    starts with them handling it."""
    if by.role not in REPORT_ROLES:
        raise DomainError(_("Your role cannot report events."))
    digest = payload_hash(data)
    uuid = parse_uuid(data.uuid)
    known = db.session.scalar(select(Event).where(Event.uuid == uuid)) if uuid else None
    if known is not None:
        return replay(known, digest), False
    errors, grid = check_report(data, by, problem)
    photos, errors["photos"] = processed_photos(data.photos) if not errors.get("photos") else ([], errors["photos"])
    raise_field_errors(errors)
    now = now or now_utc()
    origin = ORIGIN_LEVEL[by.role]
    units = {"grid": grid, "community": grid.parent, "street": grid.parent.parent}
    event = Event(uuid=uuid, payload_hash=digest, number=next_number(now), category_id=data.category_id,
                  source="visit" if problem is not None else data.source, priority=data.priority,
                  description=data.description.strip(),
                  address=data.address.strip() or nearby_address(data.lon, data.lat, grid),
                  location=func.ST_SetSRID(func.ST_MakePoint(data.lon, data.lat), 4326), grid_id=grid.id,
                  requester_name=data.requester_name.strip() or None,
                  requester_phone=rules.parse_phone(data.requester_phone) if data.requester_phone.strip() else None,
                  reporter_id=by.id, origin_level=origin, reported_at=now, state="to_sign", version=1,
                  visit_problem_id=problem.id if problem is not None else None, step_seq=0, late_steps=0,
                  paused_working=timedelta(0))
    try:
        with db.session.begin_nested():
            db.session.add(event)
            db.session.flush()
    except IntegrityError:
        raced = db.session.scalar(select(Event).where(Event.uuid == uuid))
        if raced is not None:
            return replay(raced, digest), False
        if problem is not None and db.session.scalar(select(Event.id).where(Event.visit_problem_id == problem.id)):
            # Two people reported the same visit's problem at once: the first wins.
            raise FieldErrors({"visit_problem_id": _("This problem has already been reported or closed.")}) from None
        raise
    db.session.refresh(event, ["category", "grid"])
    if data.on_spot:
        event.state, event.holder_unit_id = "closed", grid.id
        event.closed_at, event.closure = now, "on_spot"
        append(event, "report_resolved", by=by, place=(grid.id, None), at=now, from_state=None, note=data.resolution.strip(),
               to_unit_id=grid.id, photos=photos)
    elif origin == "grid":
        event.holder_unit_id = units["community"].id
        start_step(event, "sign", now)
        append(event, "report", by=by, place=(units[origin].id, None), at=now, from_state=None, to_unit_id=units["community"].id, photos=photos)
        notify_holder(event, "assigned")
    else:
        event.state, event.holder_unit_id = "handling", units[origin].id
        start_step(event, "handle", now)
        append(event, "report", by=by, place=(units[origin].id, None), at=now, from_state=None, to_unit_id=units[origin].id, photos=photos)
    if problem is not None:
        problem.status = "event"
    db.session.commit()
    return event, True


def replay(event: Event, digest: str) -> Event:
    return idempotency.replay(event, digest, _("This event was already saved with different content. Open the "
                                               "saved event, or report a new one for the changes."))


# --- clocks --------------------------------------------------------------------

def start_step(event: Event, step: str | None, now: datetime) -> None:
    """Start the clock of a new step (or none): due and yellow moments from the policy."""
    event.step_seq = (event.step_seq or 0) + 1
    event.step = step
    limit = deadlines.policy_limit(event.priority, event.category, step) if step else None
    if limit is None:
        event.step_started_at = now if step else None
        event.due_at = event.yellow_at = event.limit_unit = None
        return
    started = deadlines.clock(now, *limit)
    event.step_started_at, event.due_at, event.yellow_at, event.limit_unit = (
        started.started_at, started.due_at, started.yellow_at, started.unit)
    if step == "handle":
        event.paused_working = timedelta(0)


def end_step(event: Event, now: datetime, *, decision: bool = False) -> dict:
    """What the step that ends now took: its name, lateness and working time
    (for the action row); a late signing or handling counts against the event.
    While an extension waits, a decision ends the decider's step; anything
    else (the holder reporting the result) ends the stopped handling step."""
    step, due, started = event.step, event.due_at, event.step_started_at
    waited = timedelta(0)
    if event.state == "extension" and not decision:
        step, started = "handle", event.paused_step_started_at
        waited = event.paused_working + workdays.working_time_between(event.paused_at, now)
        due = (deadlines.extended(event.paused_due_at, event.paused_at, now, 0, event.paused_limit_unit)
               if event.paused_due_at else None)
    elif step == "handle":
        waited = event.paused_working
    if step is None or started is None:
        return {}
    late = due is not None and now > due
    if late and step in ("sign", "handle"):
        event.late_steps += 1
    return {"ended_step": step, "ended_late": late,
            "ended_working": max(workdays.working_time_between(started, now) - waited, timedelta(0))}


def clear_pause(event: Event) -> None:
    event.paused_at = event.paused_step_started_at = event.paused_due_at = event.paused_limit_unit = None
    event.extension_days = None


# --- actions -------------------------------------------------------------------

def allowed_actions(user, event: Event) -> list[str]:
    if event.state == "closed":
        return []
    return workflow.allowed_actions(state=event.state, holder_level=holder_level(event),
                                    origin_level=event.origin_level, capacities=capacities(user, event))


def what_happened(event: Event, seen: int) -> str:
    """The actions someone else took since version `seen`, in words."""
    done = db.session.scalars(select(EventAction).where(EventAction.event_id == event.id,
                                                       EventAction.version_after > seen)
                              .order_by(EventAction.id)).all()
    steps = "；".join(f"{a.actor.full_name if a.actor else _('System')} {action_label(a.action)}"
                     f"（{format_datetime(a.at, 'MM-dd HH:mm')}）" for a in done)
    return _("This event changed while you were looking at it: %(steps)s. Nothing of yours was saved; "
             "check the event as it is now and act again if still needed.", steps=steps or "—")


def check_action(event: Event, data: ActionInput, now: datetime) -> dict:
    rule = workflow.RULES[data.action]
    errors: dict[str, str | None] = {}
    note = data.note.strip()
    if rule.needs_note and not note:
        errors["note"] = {"return": _("Say why it is returned."), "shelve": _("Say why it cannot be solved now."),
                          "request_extension": _("Say why more time is needed."),
                          "refuse_extension": _("Say why the extension is refused."),
                          "reopen": _("Say what is still wrong."),
                          "supervise": _("Say what you expect and by when.")}.get(
            data.action, _("Describe what was done."))
    if len(note) > 2000:
        errors["note"] = _("At most %(n)s characters.", n=2000)
    if data.action == "dispatch" and (data.department_id is None
                                      or db.session.get(Department, data.department_id) is None):
        errors["department_id"] = _("Choose the department to dispatch to.")
    if data.action == "request_extension" and not (data.days and 1 <= data.days <= MAX_EXTENSION_DAYS):
        errors["days"] = _("Between 1 and %(n)s working days.", n=MAX_EXTENSION_DAYS)
    if data.action == "request_extension" and event.due_at is not None and now >= event.due_at:
        # 延期 is asked for before the deadline; afterwards it would hide lateness.
        errors["days"] = _("The deadline has passed: an extension must be requested before it.")
    if data.action == "return" and data.reason not in RETURN_REASONS:
        errors["reason"] = _("Choose why it is returned.")
    if data.action == "verify_close" and data.satisfaction not in SATISFACTION:
        errors["satisfaction"] = _("Record the resident's satisfaction (or that they could not be reached).")
    if rule.needs_photo and not data.photos:
        errors["photos"] = _("Add a photo of the fixed problem.")
    if len(data.photos) > MAX_PHOTOS:
        errors["photos"] = _("At most %(n)s photos.", n=MAX_PHOTOS)
    return errors


def act(*, event: Event, data: ActionInput, by, now: datetime | None = None) -> Event:
    """Take one workflow action (commits). Raises Conflict when the event
    changed since the user saw it (saying what happened), DomainError when
    the action is not open to the user now, FieldErrors for bad input."""
    if data.version != event.version:
        raise Conflict(what_happened(event, data.version))
    if data.action not in allowed_actions(by, event):
        raise DomainError(_("This action is not open to you for this event now."))
    now = now or now_utc()
    errors = check_action(event, data, now)
    photos, errors["photos"] = processed_photos(data.photos) if not errors.get("photos") else ([], errors["photos"])
    raise_field_errors(errors)
    seen = event.version
    try:
        claim_version(Event, event, seen)
    except Conflict:
        event = db.session.get(Event, event.id, populate_existing=True)
        raise Conflict(what_happened(event, seen)) from None
    data.acting_place = acting_place(by, event)
    APPLY[data.action](event, data, by, now, photos)
    db.session.commit()
    return event


def transfer(event: Event, data: ActionInput, by, now, photos, *, unit_id=None, department_id=None,
             state: str, step: str, kind: str, detail: dict | None = None) -> None:
    """Hand the event to another unit or department with a new clock."""
    ended = end_step(event, now)
    from_state = event.state
    clear_pause(event)
    event.state, event.holder_unit_id, event.holder_department_id = state, unit_id, department_id
    db.session.flush()
    db.session.refresh(event, ["holder_unit", "holder_department"])
    start_step(event, step, now)
    append(event, data.action, by=by, place=data.acting_place, at=now, from_state=from_state, note=data.note, to_unit_id=unit_id,
           to_department_id=department_id, photos=photos, detail=detail, **ended)
    notify_holder(event, kind)


def stay(event: Event, data: ActionInput, by, now, photos, *, state: str, step: str | None | bool = False,
         detail: dict | None = None) -> dict:
    """Change state at the same holder; `step` False keeps the running clock."""
    from_state = event.state
    ended = end_step(event, now) if step is not False else {}
    event.state = state
    if step is not False:
        start_step(event, step, now)
    append(event, data.action, by=by, place=data.acting_place, at=now, from_state=from_state, note=data.note, photos=photos,
           detail=detail, **ended)
    return ended


def do_sign(event, data, by, now, photos):
    stay(event, data, by, now, photos, state="handling", step="handle")


def do_resolve(event, data, by, now, photos):
    stay(event, data, by, now, photos, state="closed", step=None)
    event.closed_at, event.closure = now, "on_spot"


def do_escalate(event, data, by, now, photos):
    target = chain(event)[workflow.next_level(holder_level(event))]
    transfer(event, data, by, now, photos, unit_id=target.id, state="to_sign", step="sign", kind="assigned")


def do_dispatch(event, data, by, now, photos):
    transfer(event, data, by, now, photos, department_id=data.department_id, state="to_sign", step="sign",
             kind="assigned")


def do_return(event, data, by, now, photos):
    sender = chain(event)[workflow.sender_level(holder_level(event), event.origin_level)]
    transfer(event, data, by, now, photos, unit_id=sender.id, state="handling", step="handle", kind="returned",
             detail={"reason": data.reason})


def do_request_extension(event, data, by, now, photos):
    event.paused_at, event.paused_step_started_at = now, event.step_started_at
    event.paused_due_at, event.paused_limit_unit, event.extension_days = event.due_at, event.limit_unit, data.days
    # The holder's clock stops (it is not ended) and the decider's starts (see docs/events.md).
    from_state, event.state = event.state, "extension"
    start_step(event, "decide", now)
    append(event, data.action, by=by, place=data.acting_place, at=now, from_state=from_state, note=data.note,
           photos=photos, detail={"days": data.days})
    level, unit_id = decider(event)
    notify(recipients(level, unit_id), "extension_requested", object_type="event", object_id=event.id,
           params=params(event))


def decide(event, data, by, now, photos, *, approve: bool):
    """Approve or refuse an extension: the holder's stopped clock runs again,
    its deadline moved by the working time spent waiting (plus the days
    granted); the waiting does not count as handling time."""
    from_state = event.state
    ended = end_step(event, now, decision=True)
    days = event.extension_days if approve else 0
    event.state, event.step_seq = "handling", event.step_seq + 1
    event.step, event.step_started_at, event.limit_unit = "handle", event.paused_step_started_at, event.paused_limit_unit
    event.paused_working = (event.paused_working or timedelta(0)) + workdays.working_time_between(event.paused_at, now)
    event.due_at = event.yellow_at = None
    if event.paused_due_at is not None:
        event.due_at = deadlines.extended(event.paused_due_at, event.paused_at, now, days, event.paused_limit_unit)
        event.yellow_at = deadlines.yellow_moment(event.step_started_at, event.due_at, event.limit_unit,
                                                  current_app.config["EVENT_YELLOW_SHARE"])
    clear_pause(event)
    append(event, data.action, by=by, place=data.acting_place, at=now, from_state=from_state, note=data.note,
           photos=photos, detail={"days": days, "approved": approve}, **ended)
    notify_holder(event, "extension_approved" if approve else "extension_refused")


def do_report_result(event, data, by, now, photos):
    stay(event, data, by, now, photos, state="to_verify", step="verify")
    clear_pause(event)
    notify(verifiers(event), "verify", object_type="event", object_id=event.id, params=params(event))


def do_shelve(event, data, by, now, photos):
    stay(event, data, by, now, photos, state="standing", step=None)
    event.standing_reason = data.note.strip()


def do_resume(event, data, by, now, photos):
    stay(event, data, by, now, photos, state="handling", step="handle")
    event.standing_reason = None
    if data.acting_place != (event.holder_unit_id, event.holder_department_id):
        notify_holder(event, "resumed")  # taken off the list from above


def do_verify_close(event, data, by, now, photos):
    stay(event, data, by, now, photos, state="closed", step=None, detail={"satisfaction": data.satisfaction})
    event.closed_at, event.closure = now, "verified"
    event.satisfaction, event.satisfaction_note = data.satisfaction, data.note.strip() or None
    notify_holder(event, "closed")


def do_reopen(event, data, by, now, photos):
    stay(event, data, by, now, photos, state="handling", step="handle")
    notify_holder(event, "reopened")


def do_supervise(event, data, by, now, photos):
    stay(event, data, by, now, photos, state=event.state)
    event.supervised_at = now
    notify(clock_owner(event)[3], "supervised", object_type="event", object_id=event.id, params=params(event))


APPLY = {
    "sign": do_sign, "resolve": do_resolve, "escalate": do_escalate, "dispatch": do_dispatch, "return": do_return,
    "request_extension": do_request_extension,
    "approve_extension": lambda *a: decide(*a, approve=True), "refuse_extension": lambda *a: decide(*a, approve=False),
    "report_result": do_report_result, "shelve": do_shelve, "resume": do_resume, "verify_close": do_verify_close,
    "reopen": do_reopen, "supervise": do_supervise,
}
assert set(APPLY) == set(workflow.RULES)


# --- history and notifications -----------------------------------------------------

def acting_place(by, event: Event) -> tuple[int | None, int | None]:
    """The unit (or department) a user acts for on this event: the holder if
    they act for it, else their own unit on the event's chain."""
    if by.role == Role.DEPARTMENT_HANDLER:
        return None, by.department_id
    if event.holder_unit_id in {u.id for u in by.scope_units}:
        return event.holder_unit_id, None
    own = {u.id for u in by.scope_units}
    return next((u.id for u in chain(event).values() if u is not None and u.id in own), None), None


def append(event: Event, action: str, *, by, place: tuple[int | None, int | None], at: datetime,
           from_state: str | None, note: str | None = None, to_unit_id=None, to_department_id=None, photos=(),
           detail=None, ended_step=None, ended_late=None, ended_working=None) -> EventAction:
    unit_id, department_id = place
    row = EventAction(event_id=event.id, action=action, actor_id=by.id if by else None, actor_unit_id=unit_id,
                      actor_department_id=department_id, from_state=from_state, to_state=event.state,
                      to_unit_id=to_unit_id, to_department_id=to_department_id, note=(note or "").strip() or None,
                      detail=detail or {}, at=at, ended_step=ended_step, ended_late=ended_late,
                      ended_working=ended_working, step=event.step, due_at=event.due_at,
                      version_after=event.version)
    db.session.add(row)
    db.session.flush()
    for p in photos:
        db.session.add(EventPhoto(event_id=event.id, action_id=row.id, data=p.data, width=p.width,
                                  height=p.height, sha256=p.sha256))
    return row


def params(event: Event) -> dict:
    """Words for a notification: the number and category, never personal data."""
    return {"number": event.number, "category": event.category.name_zh}


def holder_recipients(event: Event) -> list[int]:
    level = holder_level(event)
    return recipients(level, event.holder_unit_id, event.holder_department_id)


def clock_owner(event: Event) -> tuple[str, int | None, int | None, list[int]]:
    """Whose clock is running: (level, unit id, department id, user ids) — the
    decider while an extension waits, the grid's verifier after the result,
    otherwise the holder."""
    if event.state == "extension":
        level, unit_id = decider(event)
        return level, unit_id, None, recipients(level, unit_id)
    if event.state == "to_verify":
        return "grid", event.grid_id, None, verifiers(event)
    level = holder_level(event)
    return level, event.holder_unit_id, event.holder_department_id, holder_recipients(event)


def notify_holder(event: Event, kind: str) -> None:
    notify(holder_recipients(event), kind, object_type="event", object_id=event.id, params=params(event))


def verifiers(event: Event) -> list[int]:
    """Who is asked to verify: the grid worker who reported it; if they no
    longer look after the grid (or someone else reported it), the grid's
    workers; a vacant grid's community. (Any of the grid's workers may verify.)"""
    reporter = event.reporter
    if reporter.is_enabled and reporter.role == Role.GRID_WORKER and event.grid_id in {u.id for u in reporter.scope_units}:
        return [reporter.id]
    return recipients("grid", event.grid_id) or recipients("community", event.grid.parent_id)


NOTIFICATION_KINDS = {
    "assigned": _l("Event %(number)s (%(category)s) is waiting for your unit to sign for it."),
    "returned": _l("Event %(number)s (%(category)s) was returned to your unit."),
    "extension_requested": _l("An extension is requested for event %(number)s (%(category)s): please decide."),
    "extension_approved": _l("The extension for event %(number)s was approved."),
    "extension_refused": _l("The extension for event %(number)s was refused."),
    "verify": _l("Event %(number)s (%(category)s) is reported fixed: please verify on site."),
    "reopened": _l("Event %(number)s was reopened after verification."),
    "closed": _l("Event %(number)s was verified and closed."),
    "supervised": _l("Event %(number)s is under supervision (督办)."),
    "resumed": _l("Event %(number)s was taken off the standing list: handle it again."),
    "reminder_yellow": _l("Reminder: event %(number)s is due soon."),
    "reminder_red": _l("Overdue: event %(number)s has passed its deadline."),
    "overdue_supervise": _l("Event %(number)s is %(days)s working days overdue at %(holder)s."),
}

