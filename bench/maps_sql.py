"""Baselines for the maps benchmark: the SQL of each map response written out
by hand and run straight through psycopg, with no app in between — what the
response costs the database, including building the GeoJSON text.

The shapes follow grid/maps/layers.py and measures.py (simplify by half a
pixel, snap to the output precision, keep valid, json_agg the features) and
the features' own definitions (an event's light, visit coverage this month).
The app adds scope filters a street office's user passes anyway. The formulas
below mirror the app's on purpose: the benchmark compares an implementation
with this floor, it does not import one."""
from __future__ import annotations

import math

DEGREES_PER_PIXEL_Z0 = 360 / 256
NORTHERN_COS = 0.6      # layers.py: rounding for the pixel at the latitude of northern China


def pixel_degrees(zoom: int) -> float:
    return DEGREES_PER_PIXEL_Z0 / 2 ** zoom


def digits_for(zoom: int) -> int:
    return max(3, min(7, math.ceil(-math.log10(pixel_degrees(zoom) * NORTHERN_COS / 4))))


# The unit's path as a literal, as the app binds it: behind a subquery the
# planner guesses 20 grids instead of 250 and loops over them.
UNDER = "g.level = 'grid' AND g.path <@ CAST(%(path)s AS ltree)"

# Per grid under the unit: (grid_id, numerator, denominator).
MEASURES = {
    "overdue_events": f"""
        SELECT e.grid_id, count(*) AS numerator, NULL::bigint AS denominator
          FROM event e JOIN unit g ON g.id = e.grid_id
         WHERE {UNDER} AND e.state <> 'closed' AND e.due_at <= now()
         GROUP BY e.grid_id""",
    # Care records open now, and those visited within their interval (plus the
    # window after it), read from the record's last visit; a record never
    # visited counts as covered until its first visit is due.
    "visit_coverage": f"""
        SELECT t.grid_id, count(*) FILTER (
                   WHERE coalesce(t.first_visit_due, t.created_at + make_interval(days => t.span)) > now()
                      OR t.last_visit_at > now() - make_interval(days => t.span)) AS numerator,
               count(*) AS denominator
          FROM (SELECT *, coalesce(interval_days, 30) + coalesce(window_after_days, 0) AS span FROM care_task) t
         WHERE t.grid_id = ANY(ARRAY(SELECT g.id FROM unit g WHERE {UNDER}))
           AND t.created_at <= now() AND (t.closed_at IS NULL OR t.closed_at > now())
         GROUP BY t.grid_id""",
}

AREAS = """
WITH per_grid AS ({measure}),
per_unit AS (
    SELECT CASE WHEN %(level)s = 'grid' THEN g.id ELSE g.parent_id END AS unit_id,
           sum(numerator) AS numerator, sum(denominator) AS denominator
      FROM per_grid JOIN unit g ON g.id = per_grid.grid_id GROUP BY 1),
reduced AS (
    SELECT u.id, u.code, u.name, u.level, u.boundary,
           ST_ReducePrecision(ST_SimplifyPreserveTopology(u.boundary, %(half_pixel)s * cos(radians(ST_YMax(u.boundary)))),
                              %(precision)s) AS reduced
      FROM unit u WHERE u.level = %(level)s AND u.path <@ CAST(%(path)s AS ltree)
    OFFSET 0),
shaped AS (
    SELECT id, code, name, level,
           CASE WHEN ST_IsEmpty(reduced) THEN boundary WHEN ST_IsValid(reduced) THEN reduced
                ELSE ST_CollectionExtract(ST_MakeValid(reduced), 3) END AS shape
      FROM reduced)
SELECT coalesce(json_agg(json_build_object(
           'type', 'Feature', 'id', s.id, 'geometry', ST_AsGeoJSON(s.shape, %(digits)s)::json,
           'properties', json_build_object('code', s.code, 'name', s.name, 'level', s.level,
                                           'numerator', v.numerator, 'denominator', v.denominator))
       ORDER BY s.code), '[]')::text
  FROM shaped s LEFT JOIN per_unit v ON v.unit_id = s.id
"""

LIGHT = """CASE WHEN {t}.due_at IS NULL THEN 'none' WHEN {t}.due_at <= now() THEN 'red'
                WHEN {t}.yellow_at <= now() THEN 'yellow' ELSE 'green' END"""
# Per layer: (id, location, grid_id, kind, status) of the points under the unit.
POINT_ROWS = {
    "events": f"""
        SELECT e.id, e.location, e.grid_id, 'event' AS kind, {LIGHT.format(t="e")} AS status
          FROM event e
         WHERE e.grid_id IN (SELECT g.id FROM unit g WHERE {UNDER})
           AND e.state NOT IN ('closed', 'standing') {{in_view}}""",
    "disputes": f"""
        SELECT d.id, d.location, d.grid_id, 'dispute' AS kind, {LIGHT.format(t="d")} AS status
          FROM dispute d
         WHERE d.grid_id IN (SELECT g.id FROM unit g WHERE {UNDER})
           AND d.state <> 'archived' AND d.location IS NOT NULL {{in_view}}""",
    # A household with open care records; overdue when any record is past its
    # due moment plus the window after it (24 hours for a major change).
    "care": f"""
        SELECT h.id, h.location, h.grid_id,
               CASE WHEN bool_or(t.kind = 'elderly') AND bool_or(t.kind = 'child') THEN 'both'
                    WHEN bool_or(t.kind = 'child') THEN 'child' ELSE 'elderly' END AS kind,
               CASE WHEN bool_or(now() > t.due_at + make_interval(days => CASE WHEN t.is_major_change THEN 0
                                                                    ELSE coalesce(t.window_after_days, 0) END))
                    THEN 'overdue' ELSE 'ok' END AS status
          FROM care_task t JOIN resident r ON r.id = t.resident_id JOIN household h ON h.id = r.household_id
         WHERE t.grid_id = ANY(ARRAY(SELECT g.id FROM unit g WHERE {UNDER})) AND t.status = 'open' {{in_view}}
         GROUP BY h.id""",
}
STATUSES = {"events": ("red", "yellow", "green", "none"), "disputes": ("red", "yellow", "green", "none"),
            "care": ("overdue", "ok")}
COUNTED = "'kind', 'cluster', 'count', c.n, 'statuses', c.statuses"
ENVELOPE = "ST_MakeEnvelope(%(west)s, %(south)s, %(east)s, %(north)s, 4326)"


def statuses(layer: str) -> str:
    return ", ".join(f"'{s}', count(*) FILTER (WHERE p.status = '{s}')" for s in STATUSES[layer])


def feature(geometry: str, properties: str, feature_id: str = "NULL") -> str:
    return (f"json_build_object('type', 'Feature', 'id', {feature_id}, "
            f"'geometry', ST_AsGeoJSON({geometry}, %(digits)s)::json, 'properties', json_build_object({properties}))")


def points_sql(layer: str, mode: str) -> str:
    """The SQL of a point layer's response in `mode` (grids, clusters or
    points). The layer's rows are gathered first (MATERIALIZED: the unit's
    open items once, or those in view through the spatial index) and only
    then grouped, so a misjudged row count cannot turn the grouping into a
    lookup per grid."""
    located = {"events": "e", "disputes": "d", "care": "h"}[layer]
    in_view = "" if mode == "grids" else f"AND ST_Intersects({located}.location, {ENVELOPE})"
    rows = f"WITH p AS MATERIALIZED ({POINT_ROWS[layer].format(in_view=in_view)})"
    if mode == "grids":
        return f"""{rows}
            SELECT coalesce(json_agg({feature("c.at", COUNTED + ", 'grid', c.grid")} ORDER BY c.grid), '[]')::text
              FROM (SELECT g.id AS grid, ST_PointOnSurface(g.boundary) AS at, count(*) AS n,
                           json_build_object({statuses(layer)}) AS statuses
                      FROM p JOIN unit g ON g.id = p.grid_id
                     WHERE ST_Intersects(g.boundary, {ENVELOPE}) GROUP BY g.id) c"""
    if mode == "clusters":
        return f"""{rows}
            SELECT coalesce(json_agg({feature("c.at", COUNTED)}), '[]')::text
              FROM (SELECT ST_Centroid(ST_Collect(p.location)) AS at, count(*) AS n,
                           json_build_object({statuses(layer)}) AS statuses
                      FROM p GROUP BY ST_SnapToGrid(p.location, %(cell)s)
                     ORDER BY count(*) DESC LIMIT %(cap)s) c"""
    return f"""{rows}
        SELECT coalesce(json_agg({feature("p.location", "'id', p.id, 'kind', p.kind, 'status', p.status", "p.id")}),
                        '[]')::text
          FROM (SELECT * FROM p ORDER BY 1 LIMIT %(cap)s + 1) p"""


def area_params(path: str, level: str, zoom: int) -> dict:
    return {"path": path, "level": level, "half_pixel": pixel_degrees(zoom) / 2,
            "precision": 10.0 ** -digits_for(zoom), "digits": digits_for(zoom)}


def point_params(path: str, zoom: int, bbox, cap: int) -> dict:
    west, south, east, north = bbox
    return {"path": path, "west": west, "south": south, "east": east, "north": north,
            "digits": max(digits_for(zoom), 5), "cell": pixel_degrees(zoom) * 64, "cap": cap}


def areas_sql(measure: str) -> str:
    return AREAS.format(measure=MEASURES[measure])
