"""The map's GeoJSON: unit areas coloured by a measure, and the point layers
(events, disputes, care households), each built in PostGIS in one round trip.

Scale: boundaries are simplified to about half a screen pixel at the asked
zoom (neighbours simplified on their own then leave no visible gap) and
rounded to what that zoom can show, and kept valid. Points are counted per
grid when zoomed out, per cluster cell in between, and only sent one by one
when zoomed in and no more than MAP_POINT_CAP of them are in view.

Privacy: a feature carries ids, unit names, kinds, statuses and counts, never
a person's name, ID number, phone or address; every row and every count is
narrowed by accounts.access and the layer's own visible(user)."""
from __future__ import annotations

import math
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import JSON, Select, any_, case, cast, func, literal, literal_column, null, select, text
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased

from grid.accounts.access import in_grids, may_see_child_records
from grid.disputes.models import Dispute
from grid.events.models import Event
from grid.extensions import db
from grid.geo import SRID, gcj02
from grid.maps import basemap, breaks, measures
from grid.places.models import Unit
from grid.registry.models import Household, Resident
from grid.visits.queries import care_task, state_rank

# Web Mercator: degrees of longitude per 256-pixel tile pixel at zoom 0.
DEGREES_PER_PIXEL_Z0 = 360 / 256
MIN_ZOOM, MAX_ZOOM = 0, 20
# Rounding assumes the pixel at the latitude of northern China (cos 54° ≈ 0.6),
# so no part of the country gets less precision than it can show.
NORTHERN_COS = 0.6
# At or below GRID_COUNTS_UP_TO points are counted per grid; from POINTS_FROM on they
# are sent one by one (under the cap); in between, per cluster cell.
GRID_COUNTS_UP_TO = 14
POINTS_FROM = 16
CLUSTER_PIXELS = 64
LAYERS = ("events", "disputes", "care")
STATUSES = {"events": ("red", "yellow", "green", "none"), "disputes": ("red", "yellow", "green", "none"),
            "care": ("overdue", "ok")}


def clamp_zoom(zoom: int | None) -> int:
    return POINTS_FROM if zoom is None else max(MIN_ZOOM, min(MAX_ZOOM, int(zoom)))


def pixel_degrees(zoom: int) -> float:
    return DEGREES_PER_PIXEL_Z0 / 2 ** zoom


def digits_for(zoom: int) -> int:
    """Decimals that keep rounding under a quarter of a pixel (3 to 7)."""
    step = pixel_degrees(zoom) * NORTHERN_COS / 4
    return max(3, min(7, math.ceil(-math.log10(step))))


def display_datum() -> basemap.Basemap:
    return basemap.resolve(current_app.config)


def for_display(collection: dict, digits: int) -> dict:
    """Shift to GCJ-02 when the base map is drawn in it (display only)."""
    return gcj02.collection_to_gcj02(collection, digits=digits) if display_datum().is_gcj02 else collection


def shaped(units, zoom: int):
    """`units` (a subquery with id, code, name, level, boundary) with each
    boundary as the zoom can show it: simplified by half a pixel (at the unit's
    own northern edge, where a degree of latitude is the most pixels), snapped
    to the output precision and valid (ST_ReducePrecision returns valid
    polygons; ST_MakeValid guards anything else). A unit that collapses below
    the precision is drawn as a square of two precision steps inside it
    rather than vanishing (it is under a pixel at that zoom anyway)."""
    half_pixel = pixel_degrees(zoom) / 2 * func.cos(func.radians(func.ST_YMax(units.c.boundary)))
    step = 10.0 ** -digits_for(zoom)
    reduced = func.ST_ReducePrecision(func.ST_SimplifyPreserveTopology(units.c.boundary, half_pixel), step)
    # OFFSET 0 keeps PostgreSQL from inlining the subquery, which would
    # simplify every boundary once per mention of `reduced` below.
    inner = (select(units.c.id, units.c.code, units.c.name, units.c.level, units.c.boundary,
                    reduced.label("reduced")).offset(0).subquery("reduced"))
    r = inner.c.reduced
    speck = func.ST_Expand(func.ST_SnapToGrid(func.ST_PointOnSurface(inner.c.boundary), step), step)
    shape = case((func.ST_IsEmpty(r), speck), (func.ST_IsValid(r), r),
                 else_=func.ST_CollectionExtract(func.ST_MakeValid(r), 3))
    return select(inner.c.id, inner.c.code, inner.c.name, inner.c.level, shape.label("shape")).subquery("shaped")


def unit_bounds(unit: Unit) -> tuple[float, float, float, float]:
    """(west, south, east, north) of a unit, as the map shows it (GCJ-02 when the base map is)."""
    box = func.Box2D(Unit.boundary)
    west, south, east, north = db.session.execute(
        select(func.ST_XMin(box), func.ST_YMin(box), func.ST_XMax(box), func.ST_YMax(box))
        .where(Unit.id == unit.id)).one()
    if display_datum().is_gcj02:
        (west, south), (east, north) = gcj02.to_gcj02(west, south), gcj02.to_gcj02(east, north)
    return west, south, east, north


# --- areas --------------------------------------------------------------------------------------

def legend(measure: measures.Measure, classes: breaks.Classes) -> dict:
    return {"measure": measure.key, "label": str(measure.label), "kind": measure.kind, "note": str(measure.note),
            "breaks": list(classes.lowers),
            "classes": [{"index": i, "label": label, "colour": colour}
                        for i, (label, colour) in enumerate(zip(classes.labels, classes.colours))],
            "no_data": {"label": _("No data"), "colour": breaks.NO_DATA}}


def annotate(measure: measures.Measure, features: list[dict]) -> breaks.Classes:
    """Turn each feature's raw numerator / denominator / parts into value,
    display text and class index; the classes come from all the values."""
    for feature in features:
        p = feature["properties"]
        value = measures.to_value(measure, p.pop("numerator"), p.pop("denominator"),
                                  [p.pop(name) for name in measure.parts])
        p.update(value=measure.value(value), display=measure.display(value),
                 parts=value.parts if value is not None else {})
    classes = measure.classes([f["properties"]["value"] for f in features])
    for feature in features:
        feature["properties"]["class"] = classes.classify(feature["properties"]["value"])
    return classes


def features_of(rows, geometry, properties: list[str], *, digits: int, feature_id=None, order=None) -> list[dict]:
    """json_agg of GeoJSON features over `rows` (a subquery), in one query."""
    props = []
    for name in properties:
        props += [name, rows.c[name]]
    feature = func.json_build_object(
        "type", "Feature", "id", feature_id if feature_id is not None else null(),
        "geometry", cast(func.ST_AsGeoJSON(geometry, digits), JSON),
        "properties", func.json_build_object(*props))
    aggregated = func.json_agg(aggregate_order_by(feature, order) if order is not None else feature)
    return db.session.scalar(select(func.coalesce(aggregated, text("'[]'::json"))).select_from(rows))


def area_collection(user, unit: Unit, *, level: str, measure: str, zoom: int | None,
                    now: datetime | None = None) -> dict:
    """The units at `level` (grid or community) under `unit` that the user may
    see, coloured by `measure`: a FeatureCollection whose features carry id =
    unit id and code, name, level, value, display, class and parts (counts by
    light where the measure has them), plus a top-level "legend". One query.
    An unknown or unavailable measure, or another level, is a KeyError."""
    chosen = measures.get(user, measure)
    if chosen is None or level not in measures.LEVELS:
        raise KeyError(measure if chosen is None else level)
    zoom = clamp_zoom(zoom)
    units = shaped(measures.units_at(user, unit, level).subquery("units"), zoom)
    values = measures.rolled_up(user, unit, chosen, level=level, now=now or measures.now_utc())
    rows = measures.with_values(select(units.c.id, units.c.code, units.c.name, units.c.level, units.c.shape),
                                units, values, chosen).subquery("rows")
    features = features_of(rows, rows.c.shape, ["code", "name", "level", "numerator", "denominator", *chosen.parts],
                           digits=digits_for(zoom), feature_id=rows.c.id, order=rows.c.code)
    classes = annotate(chosen, features)
    collection = {"type": "FeatureCollection", "features": features, "legend": legend(chosen, classes)}
    return for_display(collection, digits_for(zoom))


# --- points -------------------------------------------------------------------------------------

# Each layer's rows: id, location, grid_id, kind, status, and nothing personal.

def envelope(bbox):
    return func.ST_MakeEnvelope(*bbox, SRID)


def in_view(location, bbox) -> list:
    """The condition that `location` lies in the view (none without a view)."""
    return [] if bbox is None else [func.ST_Intersects(location, envelope(bbox))]


def event_points(user, unit: Unit, now: datetime, bbox) -> Select:
    # The events the open_events measure counts, coloured by their light;
    # those in view chosen inside the open events' CTE, through the spatial
    # index, rather than every open event of the district first (z17: 98 ms).
    events = measures.open_events_seen(user, now, in_grids(Event.grid_id, measures.grids_under(user, unit)),
                                       *in_view(Event.location, bbox))
    return select(events.c.id, events.c.location, events.c.grid_id, literal("event").label("kind"),
                  func.coalesce(events.c.light, "none").label("status"))


def dispute_points(user, unit: Unit, now: datetime, bbox) -> Select:
    # Open disputes that were registered with a location (it is optional).
    disputes = measures.open_disputes_seen(user, now, Dispute.location.isnot(None), *in_view(Dispute.location, bbox))
    return (select(disputes.c.id, disputes.c.location, disputes.c.grid_id, literal("dispute").label("kind"),
                   func.coalesce(disputes.c.light, "none").label("status"))
            .where(disputes.c.grid_id.in_(measures.grids_under(user, unit))))


def care_points(user, unit: Unit, now: datetime, bbox) -> Select:
    """One point per household with open care records: kind elderly, child or
    both, and whether any of its visits is overdue. Children's records only
    count for roles that may see them: for others a household with only a
    child's record is not on the map at all."""
    t = care_task.c
    kinds = ("elderly", "child") if may_see_child_records(user) else ("elderly",)
    has_elderly, has_child = func.bool_or(t.kind == "elderly"), func.bool_or(t.kind == "child")
    kind = case((has_elderly & has_child, "both"), (has_child, "child"), else_="elderly")
    status = case((func.bool_or(state_rank(now) == 0), "overdue"), else_="ok")
    households = (select(Resident.household_id.label("id"), t.grid_id, kind.label("kind"), status.label("status"))
                  .select_from(care_task).join(Resident, Resident.id == t.resident_id)
                  .where(t.status == "open", t.kind.in_(kinds), in_grids(t.grid_id, measures.grids_under(user, unit)))
                  .group_by(Resident.household_id, t.grid_id))
    if bbox is not None:
        # The people in view as an array (computed once): PostgreSQL pushes
        # `resident_id = ANY(...)` into both halves of the care_task view and
        # reads their records by index, where a join would compute the whole view.
        in_sight = (select(Resident.id).join(Household, Household.id == Resident.household_id)
                    .where(func.ST_Intersects(Household.location, envelope(bbox))).scalar_subquery())
        households = households.where(t.resident_id == any_(func.array(in_sight)))
    households = households.subquery("care_households")
    # The location by an outer join on the key: counts per grid do not read
    # it, and PostgreSQL then leaves the households out (a street office's
    # 8,000 of them: about a third of the time).
    return (select(households.c.id, Household.location.label("location"), households.c.grid_id, households.c.kind,
                   households.c.status)
            .select_from(households).outerjoin(Household, Household.id == households.c.id))


SOURCES = {"events": event_points, "disputes": dispute_points, "care": care_points}


def status_counts(rows, layer: str):
    pairs = []
    for status in STATUSES[layer]:
        pairs += [status, func.count().filter(rows.c.status == status)]
    return func.json_build_object(*pairs)


def grid_counts(user, unit: Unit, layer: str, now: datetime, bbox, digits: int) -> list[dict]:
    """A count per grid (with counts by status) at a point inside the grid.
    Grids are chosen by the view, points are not cut by it: a grid's count is
    always its whole count."""
    rows = SOURCES[layer](user, unit, now, None).subquery("points")
    grid = aliased(Unit, name="g")
    stmt = (select(grid.id.label("grid"), func.ST_PointOnSurface(grid.boundary).label("at"),
                   literal("cluster").label("kind"), func.count().label("count"),
                   status_counts(rows, layer).label("statuses"))
            .join(grid, grid.id == rows.c.grid_id).group_by(grid.id))
    if bbox is not None:
        stmt = stmt.where(func.ST_Intersects(grid.boundary, envelope(bbox)))
    counted = stmt.subquery("counted")
    return features_of(counted, counted.c.at, ["kind", "count", "statuses", "grid"], digits=digits,
                       order=counted.c.grid)


def clusters(user, unit: Unit, layer: str, now: datetime, bbox, zoom: int, digits: int, cap: int) -> list[dict]:
    """Counts per square cell of CLUSTER_PIXELS at this zoom, each drawn at the
    mean position of its points (ST_SnapToGrid gives the cell)."""
    rows = SOURCES[layer](user, unit, now, bbox).subquery("points")
    cell = func.ST_SnapToGrid(rows.c.location, pixel_degrees(zoom) * CLUSTER_PIXELS)
    counted = (select(func.ST_Centroid(func.ST_Collect(rows.c.location)).label("at"),
                      literal("cluster").label("kind"), func.count().label("count"),
                      status_counts(rows, layer).label("statuses"))
               .group_by(cell).order_by(func.count().desc()).limit(cap)).subquery("counted")
    return features_of(counted, counted.c.at, ["kind", "count", "statuses"], digits=digits)


def single_points(user, unit: Unit, layer: str, now: datetime, bbox, digits: int, cap: int) -> list[dict] | None:
    """The points themselves ({id, kind, status}), or None when more than `cap` are in view."""
    rows = SOURCES[layer](user, unit, now, bbox).order_by(literal_column("1")).limit(cap + 1).subquery("p")
    features = features_of(rows, rows.c.location, ["id", "kind", "status"], digits=digits, feature_id=rows.c.id)
    return None if len(features) > cap else features


def point_collection(user, unit: Unit, *, layer: str, zoom: int | None, bbox=None,
                     now: datetime | None = None) -> dict:
    """A point layer (events, disputes or care) under `unit` for the view
    `bbox` = (west, south, east, north) in the map's datum (None: everything):
    {"mode": "points"} with one feature per record when zoomed in to
    POINTS_FROM and no more than MAP_POINT_CAP are in view; otherwise counts,
    {"mode": "grids"} per grid when zoomed out to GRID_COUNTS_UP_TO, else
    {"mode": "clusters"} per cell. An unknown layer is a KeyError."""
    if layer not in SOURCES:
        raise KeyError(layer)
    zoom, now = clamp_zoom(zoom), now or measures.now_utc()
    cap = int(current_app.config["MAP_POINT_CAP"])
    digits = max(digits_for(zoom), 5)
    if bbox is not None and display_datum().is_gcj02:
        bbox = wgs84_bbox(bbox)
    features, mode = None, "points"
    if zoom >= POINTS_FROM:
        features = single_points(user, unit, layer, now, bbox, digits, cap)
    if features is None and zoom <= GRID_COUNTS_UP_TO:
        features, mode = grid_counts(user, unit, layer, now, bbox, digits), "grids"
    elif features is None:
        features, mode = clusters(user, unit, layer, now, bbox, zoom, digits, cap), "clusters"
    collection = {"type": "FeatureCollection", "layer": layer, "mode": mode, "zoom": zoom, "features": features}
    return for_display(collection, digits)


def wgs84_bbox(bbox) -> tuple[float, float, float, float]:
    """A GCJ-02 view box back in WGS84, padded by 1 % for the offset's slight curvature."""
    west, south, east, north = bbox
    (west, south), (east, north) = gcj02.to_wgs84(west, south), gcj02.to_wgs84(east, north)
    pad_x, pad_y = (east - west) / 100, (north - south) / 100
    return west - pad_x, south - pad_y, east + pad_x, north + pad_y
