"""The map page, its layers and the grid side panel."""
import math

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_login import current_user

from grid.accounts import queries as account_queries
from grid.accounts.access import get_unit_or_404, may_see_child_records, roles_required, units_in_scope
from grid.accounts.roles import OVERVIEW_ROLES, Role
from grid.events.labels import LIGHT_LABELS
from grid.geo import gcj02
from grid.htmx import render, wants_fragment
from grid.maps import basemap, layers, measures
from grid.maps.ogc_views import document
from grid.places import queries as place_queries

bp = Blueprint("maps", __name__)



@bp.record_once
def map_helpers(state):
    # The unit maps (templates/_macros.html `map`) draw the same base map, and
    # a record's point is shifted with the boundaries over a GCJ-02 one.
    state.app.jinja_env.globals["basemap"] = lambda: basemap.resolve(current_app.config)
    state.app.jinja_env.globals["display_point"] = display_point


def display_point(point: tuple[float, float]) -> tuple[float, float]:
    return gcj02.to_gcj02(*point) if basemap.resolve(current_app.config).is_gcj02 else point


def geojson(data: dict):
    # A layer is hundreds of features: sorting every key (jsonify's default)
    # or escaping every Chinese name as \uXXXX costs time and bytes for nothing.
    return document(data, "application/geo+json")


def level_arg() -> str:
    level = request.args.get("level", "grid")
    if level not in measures.LEVELS:
        abort(400)
    return level


def zoom_arg() -> int | None:
    return request.args.get("zoom", type=int)


def bbox_arg() -> tuple[float, float, float, float] | None:
    raw = request.args.get("bbox")
    if not raw:
        return None
    try:
        west, south, east, north = (float(part) for part in raw.split(","))
    except ValueError:
        abort(400)
    if not all(map(math.isfinite, (west, south, east, north))) or not (
            -180 <= west < east <= 180 and -90 <= south < north <= 90):
        abort(400)
    return west, south, east, north


def measure_or_404(key: str | None) -> measures.Measure:
    measure = measures.get(current_user, key)
    if measure is None:
        abort(404)     # child_records for a role that may not see them does not exist
    return measure


@bp.get("/map")
@roles_required(*OVERVIEW_ROLES)
def own_map():
    """The user's own unit's map: their first scope unit (an administrator: the top unit)."""
    units = current_user.scope_units
    if current_user.role == Role.ADMIN:
        units = place_queries.descendants_at(units_in_scope(current_user), "district") or \
            place_queries.descendants_at(units_in_scope(current_user), "street")
    if not units:
        abort(404)
    return redirect(url_for("maps.unit_map", unit_id=units[0].id, **request.args.to_dict(flat=False)))


def is_below(unit, above) -> bool:
    """`unit` is `above` or lies under it (ltree paths of ids)."""
    return unit.path == above.path or unit.path.startswith(above.path + ".")


def page_context(unit, level: str) -> dict:
    return {"unit": unit, "measure": measure_or_404(request.args.get("measure")), "level": level,
            "measures": measures.available(current_user), "bounds": layers.unit_bounds(unit),
            "trail": place_queries.ancestors(unit, units_in_scope(current_user)),
            "has_communities": unit.level in ("district", "street"), "panel": None, "now": measures.now_utc()}


@bp.get("/units/<int:unit_id>/map")
@roles_required(*OVERVIEW_ROLES)
def unit_map(unit_id: int):
    """The map page: the unit's grids (or communities) coloured by a measure."""
    unit = get_unit_or_404(current_user, unit_id)
    return render("maps/map.html", "maps/map.html", **page_context(unit, level_arg()))


@bp.get("/units/<int:unit_id>/map/areas.json")
@roles_required(*OVERVIEW_ROLES)
def areas(unit_id: int):
    unit = get_unit_or_404(current_user, unit_id)
    measure = measure_or_404(request.args.get("measure"))
    return geojson(layers.area_collection(current_user, unit, level=level_arg(), measure=measure.key,
                                          zoom=zoom_arg()))


@bp.get("/units/<int:unit_id>/map/points.json")
@roles_required(*OVERVIEW_ROLES)
def points(unit_id: int):
    unit = get_unit_or_404(current_user, unit_id)
    layer = request.args.get("layer", "")
    if layer not in layers.LAYERS:
        abort(404)
    return geojson(layers.point_collection(current_user, unit, layer=layer, zoom=zoom_arg(), bbox=bbox_arg()))


@bp.get("/units/<int:unit_id>/map/grids/<int:grid_id>/panel")
@roles_required(*OVERVIEW_ROLES)
def panel(unit_id: int, grid_id: int):
    """A grid's (or community's) numbers, workers and lists, beside the map.
    Without htmx: the map page with this panel open."""
    unit = get_unit_or_404(current_user, unit_id)
    target = get_unit_or_404(current_user, grid_id)
    if target.level not in measures.LEVELS or not is_below(target, unit):
        abort(404)
    panel = {"target": target, "values": measures.all_values(current_user, target),
             "workers": account_queries.workers_of(target),
             "may_see_children": may_see_child_records(current_user), "light_labels": LIGHT_LABELS}
    if wants_fragment():
        return render("maps/map.html", "maps/_panel.html", unit=unit, panel=panel)
    level = target.level if unit.level in ("district", "street") else "grid"
    return render("maps/map.html", "maps/_panel.html", **{**page_context(unit, level), "panel": panel})
