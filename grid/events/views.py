"""Event pages: report (from the task list or a visit's problem), the inbox,
one event with its timeline and the actions open to the user."""
import uuid as uuid_module

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grid import workdays
from grid.accounts.access import roles_required
from grid.errors import Conflict, DomainError, FieldErrors
from grid.events import deadlines, forms, labels, queries, services, workflow
from grid.events import regrid  # noqa: F401  (open events follow boundary imports)
from grid.events.models import EventCategory
from grid.events.scope import EVENT_ROLES, REPORT_ROLES, event_in_scope
from grid.htmx import render
from grid.notifications.services import mark_read, register_kinds, register_link
from grid.registry.rules import mask_phone
from grid.registry.queries import point_of
from grid.visits.models import VisitProblem

bp = Blueprint("events", __name__)
register_kinds(services.NOTIFICATION_KINDS)


@bp.record_once
def helpers(state):
    register_link("event", lambda event_id: url_for("events.event", event_id=event_id))
    state.app.jinja_env.globals.update(event_labels=labels, event_light=event_light, waiting_on=queries.waiting_on, time_left_text=time_left_text,
                                       events_to_verify=queries.to_verify, is_provisional=workdays.is_provisional,
                                       problem_events=lambda ids: queries.from_problems(current_user, ids),
                                       event_todo=lambda: queries.todo_summary(current_user, services.now_utc()))


def event_light(event, now) -> str | None:
    if event.state == "closed":
        return None
    return deadlines.light(event.due_at, event.yellow_at, now)


def time_left_text(event, now) -> str:
    """"2 working days 3 h left" / "5 h overdue": working time for working-time
    limits (a working day is one day of office hours), plain time otherwise."""
    if event.due_at is None or event.state == "closed":
        return ""
    left = deadlines.time_left(event.due_at, now, event.limit_unit or "working_hours")
    minutes = int(abs(left).total_seconds() // 60)
    if event.limit_unit == "hours":
        days, rest = divmod(minutes, 24 * 60)
    else:
        days, rest = divmod(minutes, int(deadlines.office_day().total_seconds() // 60))
    hours, mins = divmod(rest, 60)
    parts = ([_("%(n)s d", n=days)] if days else []) + ([_("%(n)s h", n=hours)] if hours else []) + \
        ([_("%(n)s min", n=mins)] if mins and not days else [])
    amount = " ".join(parts) or _("%(n)s min", n=0)
    working = event.limit_unit != "hours"
    if now >= event.due_at:  # overdue, even when no office time has passed since (a night)
        return _("%(t)s overdue (working time)", t=amount) if working else _("%(t)s overdue", t=amount)
    return _("%(t)s left (working time)", t=amount) if working else _("%(t)s left", t=amount)


def event_or_404(event_id: int):
    event = event_in_scope(current_user, event_id)
    if event is None:
        abort(404)
    return event


def category_tree() -> list[tuple[EventCategory, list[EventCategory]]]:
    nodes = services.active_categories()
    return [(top, [c for c in nodes if c.parent_id == top.id]) for top in nodes if top.parent_id is None]


def problem_or_404(problem_id: int | None) -> VisitProblem | None:
    """A visit's problem the user may turn into an event (scoped like the visit)."""
    if problem_id is None:
        return None
    problem = queries.visit_problem(current_user, problem_id)
    if problem is None:
        abort(404)
    return problem


@bp.route("/events/new", methods=["GET", "POST"])
@roles_required(*REPORT_ROLES)
def new_event():
    problem = problem_or_404(request.values.get("problem", type=int))
    errors, status, fresh_uuid = {}, 200, None
    values = request.form if request.method == "POST" else prefill(problem)
    if request.method == "POST":
        data = forms.event_input(request.form, request.files)
        try:
            event, _created = services.report_event(data=data, by=current_user, problem=problem)
        except FieldErrors as error:
            errors, status = error.errors, 422
        except Conflict as error:
            errors, status, fresh_uuid = {"uuid": error.message}, 409, str(uuid_module.uuid4())
        else:
            flash(_("Event %(number)s saved.", number=event.number), "success")
            return redirect(url_for("events.event", event_id=event.id))
    return render_template("events/report.html", values=values, errors=errors, problem=problem,
                           tree=category_tree(), sources=services.SOURCES,
                           may_resolve=services.ORIGIN_LEVEL.get(current_user.role) == "grid",
                           event_uuid=fresh_uuid or request.form.get("uuid") or str(uuid_module.uuid4())), status


def prefill(problem: VisitProblem | None) -> dict:
    """A problem found on a visit: its words, urgency and the household's place."""
    if problem is None:
        return {"priority": "normal", "source": "patrol"}
    address, lon, lat = queries.problem_place(problem)
    return {"description": problem.description, "priority": "urgent" if problem.is_urgent else "normal",
            "source": "visit", "address": address, "lon": f"{lon:.6f}", "lat": f"{lat:.6f}"}


@bp.get("/events")
@roles_required(*EVENT_ROLES)
def inbox():
    now = services.now_utc()
    default_tab = "open" if current_user.role == "admin" else "todo"
    args = {"tab": request.args.get("tab", default_tab), "light": request.args.get("light", ""),
            "state": request.args.get("state", ""), "priority": request.args.get("priority", ""),
            "category_id": request.args.get("category_id", type=int),
            "unit_id": request.args.get("unit", type=int)}
    if args["tab"] not in queries.TABS:
        args["tab"] = default_tab
    page = queries.inbox(current_user, now=now, page=request.args.get("page", 1, type=int), **args)
    return render("events/inbox.html", "events/_inbox_rows.html", page=page, now=now, args=args,
                  tree=category_tree(), states=workflow.STATES)


@bp.get("/events/<int:event_id>")
@roles_required(*EVENT_ROLES)
def event(event_id: int):
    event = event_or_404(event_id)
    mark_read(current_user, object_type="event", object_id=event.id)
    return show(event)


def show(event, *, errors=None, open_action=None, conflict=None, status=200):
    now = services.now_utc()
    return render_template(
        "events/event.html", event=event, now=now, actions=services.allowed_actions(current_user, event),
        timeline=queries.timeline(event), photos=queries.photos_by_action(event), errors=errors or {},
        open_action=open_action, conflict=conflict, values=request.form if errors else {},
        departments=queries.departments(),
        rules=workflow.RULES, mask_phone=mask_phone, point=point_of(event),
        max_days=services.MAX_EXTENSION_DAYS), status


@bp.post("/events/<int:event_id>/act")
@roles_required(*EVENT_ROLES)
def act(event_id: int):
    event = event_or_404(event_id)
    data = forms.action_input(request.form, request.files)
    try:
        services.act(event=event, data=data, by=current_user)
    except FieldErrors as error:
        return show(event, errors=error.errors, open_action=data.action, status=422)
    except DomainError as error:  # a conflict (409) or an action not open now: the event as it is now
        return show(event_or_404(event_id), conflict=error.message, status=error.status)
    flash(_("Done: %(action)s.", action=labels.action_label(data.action)), "success")
    return redirect(url_for("events.event", event_id=event.id))


@bp.get("/events/<int:event_id>/photos/<int:photo_id>.jpg")
@roles_required(*EVENT_ROLES)
def photo(event_id: int, photo_id: int):
    picture = queries.photo(event_or_404(event_id), photo_id)
    if picture is None:
        abort(404)
    response = current_app.response_class(picture.data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
