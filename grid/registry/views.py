"""Households and residents: the grid worker's phone pages and the registers' import."""
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from grid.accounts.access import may_see_child_records
from grid.errors import Conflict, FieldErrors
from grid.htmx import render
from grid.registry import care, forms, queries, rules, services, vocab
from grid.registry import regrid  # noqa: F401  (households follow boundary imports)

bp = Blueprint("registry", __name__)

# Roles that keep the registry: field and community roles; the street office and
# the administrator read it through the registers.
REGISTRY_ROLES = ("grid_worker", "grid_leader", "community_staff", "children_director", "street_staff", "admin")


@bp.before_request
@login_required
def require_registry_role():
    if current_user.role not in REGISTRY_ROLES:
        abort(404)


@bp.record_once
def registry_helpers(state):
    # Globals, not a context processor: imported form macros see globals only.
    state.app.jinja_env.globals.update(
        vocab=vocab, term=vocab.label, mask_phone=rules.mask_phone, picker_geojson=picker_geojson,
        age=lambda born: rules.age_on(born, services.today()))


@bp.app_template_filter("elderly_category")
def elderly_category(code: str) -> str:
    return vocab.label(vocab.ELDERLY_CATEGORIES, code)


def picker_geojson() -> str:
    """Boundaries to draw under the location picker: the user's first scope unit."""
    units = current_user.scope_units if current_user.is_authenticated else []
    return url_for("places.unit_boundaries", unit_id=units[0].id) if units else ""


def household_or_404(household_id: int):
    household = queries.household_in_scope(current_user, household_id)
    if household is None:
        abort(404)
    return household


def resident_or_404(resident_id: int):
    resident = queries.resident_in_scope(current_user, resident_id)
    if resident is None:
        abort(404)
    return resident


def problems(errors: dict) -> dict:
    return {k: v for k, v in errors.items() if v}


def submit(parse, check, save):
    """Parse the posted form and save it; every problem (conversion or rule) at
    once. Returns (saved record or None, errors, HTTP status)."""
    data, parse_errors = parse(request.form)
    try:
        if parse_errors:
            raise FieldErrors({**problems(check(data)), **parse_errors})
        return save(data), {}, 200
    except FieldErrors as error:
        return None, error.errors, 422
    except Conflict as error:
        return None, {"version": error.message}, 409


def version() -> int:
    return request.form.get("version", 0, type=int)


@bp.get("/households")
def households():
    args = request.args
    stmt = queries.households(current_user, q=args.get("q", ""), tag=args.get("tag", ""), care=args.get("care", ""),
                              unit_id=args.get("unit", type=int))
    page = queries.household_page_rows(stmt, page=args.get("page", 1, type=int), per_page=20)
    flags = queries.care_flags([h.id for h in page.items], current_user)
    return render("registry/households.html", "registry/_household_rows.html", page=page, flags=flags, args=args)


@bp.route("/households/new", methods=["GET", "POST"])
def new_household():
    errors, status = {}, 200
    if request.method == "POST":
        household, errors, status = submit(
            forms.household_input, lambda d: services.check_household(d, current_user)[0],
            lambda d: services.create_household(data=d, by=current_user))
        if household:
            return redirect(url_for("registry.household", household_id=household.id))
    return render_template("registry/household_form.html", household=None, values=request.form,
                           errors=errors), status


@bp.get("/households/<int:household_id>")
def household(household_id: int):
    household = household_or_404(household_id)
    elderly, children = queries.care_records_of([r.id for r in household.residents])
    page = render_template("registry/household.html", household=household, elderly=elderly, children=children,
                           may_see_children=may_see_child_records(current_user),
                           point=queries.point_of(household))
    if may_see_child_records(current_user):
        # The page shows each child record's category and tier: a view of each. Recorded once the page
        # is rendered, as the commit expires what the page loaded (one reload per record).
        care.record_child_list(record_ids=[r.id for records in children.values() for r in records], by=current_user)
    return page


@bp.route("/households/<int:household_id>/edit", methods=["GET", "POST"])
def edit_household(household_id: int):
    household = household_or_404(household_id)
    errors, status, values = {}, 200, queries.household_values(household)
    if request.method == "POST":
        values = request.form
        saved, errors, status = submit(
            forms.household_input, lambda d: services.check_household(d, current_user)[0],
            lambda d: services.update_household(household=household, version=version(), data=d, by=current_user))
        if saved:
            return redirect(url_for("registry.household", household_id=household.id))
    return render_template("registry/household_form.html", household=household, values=values,
                           errors=errors), status


@bp.route("/households/<int:household_id>/residents/new", methods=["GET", "POST"])
def new_resident(household_id: int):
    household = household_or_404(household_id)
    errors, status = {}, 200
    if request.method == "POST":
        resident, errors, status = submit(
            forms.resident_input,
            lambda d: services.check_resident(d, user=current_user, household=household)[0],
            lambda d: services.add_resident(household=household, data=d, by=current_user))
        if resident:
            return redirect(url_for("registry.household", household_id=household.id))
    return render_template("registry/resident_form.html", household=household, resident=None,
                           values=request.form, errors=errors), status


@bp.route("/residents/<int:resident_id>/edit", methods=["GET", "POST"])
def edit_resident(resident_id: int):
    resident = resident_or_404(resident_id)
    errors, status, values = {}, 200, queries.resident_values(resident)
    if request.method == "POST":
        values = request.form
        saved, errors, status = submit(
            forms.resident_input,
            lambda d: services.check_resident(d, user=current_user, household=resident.household,
                                              resident=resident)[0],
            lambda d: services.update_resident(resident=resident, version=version(), data=d, by=current_user))
        if saved:
            return redirect(url_for("registry.household", household_id=resident.household_id))
    return render_template("registry/resident_form.html", household=resident.household, resident=resident,
                           values=values, errors=errors), status


@bp.post("/residents/<int:resident_id>/reveal-id")
def reveal_id(resident_id: int):
    """Show the full ID number in place of the masked one (htmx), audited."""
    resident = resident_or_404(resident_id)
    number = services.reveal_id_number(resident=resident, by=current_user)
    return render_template("registry/_revealed.html", value=number or "", label=_("ID number"))


@bp.post("/residents/<int:resident_id>/reveal-phone")
def reveal_phone(resident_id: int):
    resident = resident_or_404(resident_id)
    number = services.reveal_phone(resident=resident, by=current_user)
    return render_template("registry/_revealed.html", value=number or "", label=_("Phone"), tel=True)
