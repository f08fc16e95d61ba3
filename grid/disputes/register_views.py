"""Registering a dispute from the phone (directly, from screening, or from a
visit's problem): the form, its party rows and resident search fragments, and
the globals that put disputes on the task list and the visit page."""
import uuid as uuid_module

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grid.accounts.access import roles_required
from grid.disputes import forms, labels, people, services, tasks
from grid.disputes.scope import REGISTER_ROLES
from grid.errors import Conflict, FieldErrors
from grid.events import queries as event_queries
from grid.registry import queries as registry_queries
from grid.visits.models import VisitProblem

bp = Blueprint("dispute_register", __name__)

# The sources the form offers: "visit" comes only with a visit's problem.
FORM_SOURCES = [s for s in services.SOURCES if s != "visit"]


@bp.record_once
def helpers(state):
    state.app.jinja_env.globals.update(
        dispute_register_roles=REGISTER_ROLES,
        dispute_tasks=lambda: tasks.for_user(current_user, services.now_utc()),
        problem_disputes=lambda ids: tasks.from_problems(current_user, ids))


def problem_or_404(problem_id: int | None) -> VisitProblem | None:
    """A visit's problem the user may turn into a dispute (scoped like the visit)."""
    if problem_id is None:
        return None
    problem = event_queries.visit_problem(current_user, problem_id)
    if problem is None:
        abort(404)
    return problem


def prefill(problem: VisitProblem | None, candidates: list[people.Candidate]) -> dict:
    """A fresh form: the source the link names (`?source=screening` from the
    screenings page), else a resident's request; the registering user keeps
    it stable when they may; a problem found on a visit brings its words and
    the household's place."""
    source = request.args.get("source", "")
    values = {"source": source if source in FORM_SOURCES else "request", "level": "ordinary"}
    if any(c.user.id == current_user.id and c.may_own for c in candidates):
        values["stability_owner_id"] = str(current_user.id)
    if problem is not None:
        address, lon, lat = event_queries.problem_place(problem)
        values.update(facts=problem.description, source="visit", address=address, lon=f"{lon:.6f}", lat=f"{lat:.6f}")
    return values


@bp.route("/disputes/new", methods=["GET", "POST"])
@roles_required(*REGISTER_ROLES)
def new_dispute():
    problem = problem_or_404(request.values.get("problem", type=int))
    candidates = people.candidates(current_user)
    errors, status, fresh_uuid = {}, 200, None
    values = request.form if request.method == "POST" else prefill(problem, candidates)
    if request.method == "POST":
        rows = forms.party_rows(request.form)
        try:
            dispute, created = services.register_dispute(data=forms.dispute_input(request.form), by=current_user,
                                                         problem=problem)
        except FieldErrors as error:
            errors, status = forms.row_errors(error.errors, rows), 422
        except Conflict as error:
            errors, status, fresh_uuid = {"uuid": error.message}, 409, str(uuid_module.uuid4())
        else:
            flash(_("Dispute %(number)s registered.", number=dispute.number) if created else
                  _("Dispute %(number)s was already saved.", number=dispute.number), "success")
            return redirect(url_for("disputes.dispute", dispute_id=dispute.id))
    numbers = forms.shown_rows(values) if request.method == "POST" else [0, 1]
    linked_ids = [forms.whole(values.get(f"party-{n}-resident_id")) for n in numbers]
    grids = registry_queries.grids_named(sorted(registry_queries.grid_ids_in_scope(current_user)))
    return render_template(
        "disputes/register.html", values=values, errors=errors, problem=problem, party_numbers=numbers,
        linked=people.residents_by_id(current_user, [i for i in linked_ids if i]), grids=grids,
        owners=[c for c in candidates if c.may_own], mediators=candidates, labels=labels,
        sources=FORM_SOURCES, types=services.TYPES,
        dispute_uuid=fresh_uuid or request.form.get("uuid") or str(uuid_module.uuid4())), status


def party_number() -> int:
    n = request.args.get("n", type=int)
    if n is None or not 0 <= n < services.MAX_PARTIES:
        abort(404)
    return n


@bp.get("/disputes/new/party")
@roles_required(*REGISTER_ROLES)
def party_row():
    """One more empty party row, and the "add" button moved on to the next number."""
    n = party_number()
    return render_template("disputes/_party_fields.html", n=n, values={}, errors={}, linked={}, labels=labels,
                           add_next=n + 1 if n + 1 < services.MAX_PARTIES else None)


@bp.get("/disputes/new/residents")
@roles_required(*REGISTER_ROLES)
def resident_matches():
    """Residents of the user's grids for a party row: name, masked ID, address."""
    n = party_number()
    q = request.args.get("q", "")
    return render_template("disputes/_resident_matches.html", mode="matches", n=n, q=q.strip(),
                           matches=people.find_residents(current_user, q), min_query=people.MIN_QUERY)


@bp.get("/disputes/new/party/link")
@roles_required(*REGISTER_ROLES)
def party_link():
    """Link party row n to a resident (or unlink it, without `resident`)."""
    n = party_number()
    resident_id = request.args.get("resident", type=int)
    resident = None
    if resident_id is not None:
        resident = registry_queries.resident_in_scope(current_user, resident_id)
        if resident is None:
            abort(404)
    return render_template("disputes/_resident_matches.html", mode="link", n=n, resident=resident, oob=True)
