"""Parse and validate administrative boundary files (GeoJSON, EPSG:4326).

An administrator uploads a FeatureCollection describing units of the
hierarchy district > street > community > grid.  This module turns the raw
bytes into shapely geometries and reports every problem it can find, as
machine-readable `Problem` records that the UI renders into messages.

Two stages:

* `parse_boundaries` checks each feature on its own (fields, geometry type,
  ring closure, validity, plausible coordinates).
* `check_hierarchy` checks the units against each other and against units
  already stored (parents exist and are one level up, children lie inside
  their parent, siblings do not overlap, siblings cover their parent).

Pure module: no Flask, no database.  Metric work (areas, distances, buffers)
happens in a local azimuthal equidistant projection centred on the parent
unit, which is accurate to well below a millimetre per metre at city scale.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pyproj
import shapely
from shapely import MultiPolygon, Polygon

SRID = 4326
LEVELS = ("district", "street", "community", "grid")

ERROR = "error"
WARNING = "warning"

# Rough bounding box of China (incl. the South China Sea islands' latitude).
CHINA_LON = (73.0, 136.0)
CHINA_LAT = (3.0, 54.0)

# Overlay noise below this area is not counted as a separate gap piece.
SLIVER_M2 = 0.01
# Upper bound on sample points used to measure how far a child leaves its parent.
MAX_REACH_SAMPLES = 20_000
# Longest edge (degrees, ~50 m) kept before projecting; see densify_lonlat.
DENSIFY_STEP_DEG = 0.0005
# Densification budget, so absurdly large polygons cannot exhaust memory.
MAX_DENSIFIED_VERTICES = 2_000_000

_GEOD = pyproj.Geod(ellps="WGS84")
_LOCATED_REASON = re.compile(r"^(?P<reason>.*?)\s*\[(?P<x>\S+)\s+(?P<y>\S+)\]\s*$")


@dataclass(frozen=True)
class Problem:
    """One finding about an uploaded file.

    `severity` is "error" (blocks the import) or "warning"; `kind` is a
    stable machine-readable identifier; `code`/`index` locate the feature
    (None when unknown); `params` carries the values a message needs.
    """

    severity: str
    kind: str
    code: str | None
    index: int | None
    params: dict = field(default_factory=dict)


@dataclass
class UnitShape:
    """One administrative unit as the validator sees it.

    `geometry` is always a valid MultiPolygon in EPSG:4326 lon/lat;
    `index` is the feature position in the uploaded file, or None for a
    unit already stored in the database.
    """

    code: str
    name: str
    level: str
    parent_code: str | None
    geometry: MultiPolygon
    index: int | None = None


@dataclass
class ParseResult:
    """Units that passed every per-feature check, plus all problems found."""

    units: list[UnitShape]
    problems: list[Problem]

    @property
    def has_errors(self) -> bool:
        """True when any problem has severity "error"."""
        return any(p.severity == ERROR for p in self.problems)


# ---------------------------------------------------------------------------
# Geometry helpers
# ---------------------------------------------------------------------------


def to_multipolygon(geom) -> MultiPolygon:
    """Return the polygonal part of `geom` as a MultiPolygon.

    Polygon is wrapped, MultiPolygon returned as is, the polygons of a
    GeometryCollection (typical overlay output) are collected; empty or
    purely non-polygonal input yields an empty MultiPolygon.
    """
    if geom is None or geom.is_empty:
        return MultiPolygon()
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if hasattr(geom, "geoms"):
        parts: list[Polygon] = []
        for part in geom.geoms:
            parts.extend(to_multipolygon(part).geoms)
        return MultiPolygon(parts)
    return MultiPolygon()


def geodesic_area_m2(geom) -> float:
    """Area in m² on the WGS84 ellipsoid of a lon/lat (Multi)Polygon.

    Ring by ring with absolute values, because pyproj's own
    geometry_area_perimeter relies on ring orientation, which GeoJSON files
    in the wild do not respect.
    """
    total = 0.0
    for polygon in to_multipolygon(geom).geoms:
        total += measure_ring_area(polygon.exterior.coords)
        total -= sum(measure_ring_area(hole.coords) for hole in polygon.interiors)
    return abs(total)


def measure_ring_area(coords: Sequence[Sequence[float]]) -> float:
    """Unsigned geodesic area in m² enclosed by one lon/lat ring."""
    lons = [c[0] for c in coords]
    lats = [c[1] for c in coords]
    area, _ = _GEOD.polygon_area_perimeter(lons, lats)
    return abs(area)


class MetricFrame:
    """Local azimuthal equidistant projection (metres) around a centre."""

    def __init__(self, lon: float, lat: float) -> None:
        # A bare PROJ pipeline is equivalent to Transformer.from_crs(EPSG:4326,
        # "+proj=aeqd ... +datum=WGS84", always_xy=True) (no datum shift is
        # involved) but is built ~70x faster, which matters with hundreds of
        # parents per import.
        self.transformer = pyproj.Transformer.from_pipeline(
            "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
            f"+step +proj=aeqd +lat_0={lat} +lon_0={lon} +ellps=WGS84"
        )

    def project(self, geoms):
        """Project lon/lat geometry (or an array of them) to metres."""
        return shapely.transform(geoms, self.transformer.transform, interleaved=False)

    def unproject_point(self, point) -> tuple[float, float]:
        """Return (lon, lat) of a metric shapely Point."""
        lon, lat = self.transformer.transform(point.x, point.y, direction="INVERSE")
        return round(lon, 7), round(lat, 7)


@lru_cache(maxsize=256)
def frame_at(lon: float, lat: float) -> MetricFrame:
    """Cached MetricFrame; callers round the centre so repeated checks hit."""
    return MetricFrame(lon, lat)


def frame_for(geoms: Iterable) -> MetricFrame:
    """Metric frame centred on the bounding box of the given lon/lat geometries."""
    xmin, ymin, xmax, ymax = shapely.total_bounds(np.asarray(list(geoms), dtype=object))
    # 1e-4 degree (~10 m) of centre shift changes nothing measurable.
    return frame_at(round((xmin + xmax) / 2, 4), round((ymin + ymax) / 2, 4))


def densify_lonlat(geoms: Sequence, step: float = DENSIFY_STEP_DEG) -> np.ndarray:
    """Insert vertices so no edge is longer than `step` degrees; returns MultiPolygons.

    GeoJSON edges are straight in lon/lat (RFC 7946) but curve once
    projected, so a parent's long edge and a child's extra vertex on it
    would disagree by centimetres, i.e. spurious gaps of tens of m².
    Densifying first keeps that disagreement far below any tolerance.
    Inserted points are computed from the lexicographically smaller end of
    each edge, so two units sharing an edge (in either direction) still
    share identical coordinates after densification.  The step grows when
    the result would exceed MAX_DENSIFIED_VERTICES.
    """
    multis = [g if isinstance(g, MultiPolygon) else to_multipolygon(g) for g in geoms]
    kind, coords, (ring_offsets, polygon_offsets, multi_offsets) = shapely.to_ragged_array(
        np.asarray(multis, dtype=object), include_z=False
    )
    if len(coords) == 0:
        return np.asarray(multis, dtype=object)
    closing = np.zeros(len(coords), dtype=bool)
    closing[ring_offsets[1:] - 1] = True
    starts = np.flatnonzero(~closing)
    a, b = coords[starts], coords[starts + 1]
    lengths = np.hypot(*(b - a).T)
    step = max(step, float(lengths.sum()) / MAX_DENSIFIED_VERTICES)
    pieces = np.maximum(np.ceil(lengths / step), 1).astype(np.int64)
    flip = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    low = np.where(flip[:, None], b, a)
    high = np.where(flip[:, None], a, b)

    segment = np.repeat(np.arange(len(starts)), pieces)
    step_in_segment = np.arange(len(segment)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    k = np.where(flip[segment], pieces[segment] - step_in_segment, step_in_segment)
    points = low[segment] + (k / pieces[segment])[:, None] * (high[segment] - low[segment])
    is_vertex = step_in_segment == 0
    points[is_vertex] = a[segment[is_vertex]]  # original vertices stay bit-identical

    counts = np.ones(len(coords), dtype=np.int64)
    counts[starts] = pieces
    dense = np.empty((int(counts.sum()), 2))
    from_closing = np.repeat(closing, counts)
    dense[~from_closing] = points
    dense[from_closing] = coords[closing]
    new_ring_offsets = np.concatenate([[0], np.cumsum(counts)])[ring_offsets]
    return shapely.from_ragged_array(kind, dense, (new_ring_offsets, polygon_offsets, multi_offsets))


# ---------------------------------------------------------------------------
# Stage 1: parsing
# ---------------------------------------------------------------------------


def parse_boundaries(data: bytes, *, max_bytes: int, max_vertices: int) -> ParseResult:
    """Parse an uploaded boundary FeatureCollection.

    File-level problems (too_large, encoding, json, not_feature_collection,
    too_many_vertices) are returned alone, immediately.  Otherwise every
    feature is checked and every problem found is reported; only features
    without any error become `units`.  Never raises on bad input.
    """
    if len(data) > max_bytes:
        return fail_file("too_large", max_bytes=max_bytes, size=len(data))
    document, problem = load_json(data)
    if problem is not None:
        return ParseResult([], [problem])
    features = read_features(document)
    if features is None:
        found = document.get("type") if isinstance(document, dict) else type(document).__name__
        return fail_file("not_feature_collection", type=found)
    count = count_vertices(features)
    if count > max_vertices:
        return fail_file("too_many_vertices", max_vertices=max_vertices, count=count)

    units: list[UnitShape] = []
    problems: list[Problem] = []
    first_index: dict[str, int] = {}
    for index, feature in enumerate(features):
        unit, found_problems = parse_feature(feature, index, first_index)
        problems.extend(found_problems)
        if unit is not None and not found_problems:
            units.append(unit)
    return ParseResult(units, problems)


def fail_file(kind: str, **params: Any) -> ParseResult:
    """A ParseResult holding one file-level error."""
    return ParseResult([], [Problem(ERROR, kind, None, None, params)])


def load_json(data: bytes) -> tuple[Any, Problem | None]:
    """Decode UTF-8 (a BOM is tolerated) and parse JSON; return (document, problem)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, Problem(ERROR, "encoding", None, None,
                             {"encoding": "utf-8", "position": exc.start, "message": exc.reason})
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, Problem(ERROR, "json", None, None,
                             {"line": exc.lineno, "column": exc.colno, "message": exc.msg})
    except RecursionError:
        return None, Problem(ERROR, "json", None, None,
                             {"line": None, "column": None, "message": "nesting too deep"})


def read_features(document: Any) -> list | None:
    """The features array of a FeatureCollection, or None if it is not one."""
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        return None
    features = document.get("features")
    return features if isinstance(features, list) else None


def is_number(value: Any) -> bool:
    """True for JSON numbers (bool is an int subclass in Python, but not a number here)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def count_vertices(features: list) -> int:
    """Count coordinate positions in all feature geometries, without shapely.

    A position is any array whose first element is a number; iterative so
    that odd nesting cannot exhaust the stack.
    """
    count = 0
    stack = []
    for feature in features:
        if isinstance(feature, dict) and isinstance(feature.get("geometry"), dict):
            stack.append(feature["geometry"].get("coordinates"))
    while stack:
        item = stack.pop()
        if not isinstance(item, list):
            continue
        if item and is_number(item[0]):
            count += 1
        else:
            stack.extend(item)
    return count


def read_text(value: Any) -> str | None:
    """A stripped string from a JSON string or integer; None if absent/empty/other."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def parse_feature(
    feature: Any, index: int, first_index: dict[str, int]
) -> tuple[UnitShape | None, list[Problem]]:
    """Check one feature; return its unit (None if unusable) and its problems.

    `first_index` maps codes seen so far to their feature index and is
    updated here (duplicate detection across the file).
    """
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        found = feature.get("type") if isinstance(feature, dict) else type(feature).__name__
        return None, [Problem(ERROR, "not_feature", None, index, {"type": found})]

    properties = feature.get("properties")
    if not isinstance(properties, dict):
        properties = {}
    code = read_text(properties.get("code"))
    name = read_text(properties.get("name"))
    level = read_text(properties.get("level"))
    parent_code = read_text(properties.get("parent"))

    problems: list[Problem] = []

    def report(kind: str, **params: Any) -> None:
        problems.append(Problem(ERROR, kind, code, index, params))

    for field_name, value in (("code", code), ("name", name), ("level", level)):
        if value is None:
            report("missing_field", field=field_name)
    if level is not None and level not in LEVELS:
        report("bad_level", level=level)
    if code is not None:
        if code in first_index:
            report("duplicate_code", first_index=first_index[code])
        else:
            first_index[code] = index

    geometry, geometry_problems = parse_geometry(feature.get("geometry"))
    for kind, params in geometry_problems:
        report(kind, **params)

    if problems or geometry is None:
        return None, problems
    return UnitShape(code, name, level, parent_code, geometry, index), problems


# A geometry finding before it is attached to a feature: (kind, params).
Finding = tuple[str, dict]

# Raw rings per polygon part, aligned with the file; None marks an unreadable ring.
RawPolygons = list[list[list[tuple[float, float]] | None]]


def parse_geometry(geometry: Any) -> tuple[MultiPolygon | None, list[Finding]]:
    """Check a GeoJSON geometry object and build it if it is sound.

    Raw coordinates are checked before shapely sees them, because shapely
    silently closes unclosed rings and would hide that mistake.
    """
    if geometry is None:
        return None, [("no_geometry", {})]
    if not isinstance(geometry, dict):
        return None, [("geometry_type", {"type": type(geometry).__name__})]
    geometry_type = geometry.get("type")
    if geometry_type not in ("Polygon", "MultiPolygon"):
        return None, [("geometry_type", {"type": geometry_type})]

    multi = geometry_type == "MultiPolygon"
    polygons, findings = read_polygons(geometry.get("coordinates"), multi)
    findings += find_unclosed_rings(polygons, multi)
    findings += find_extent_problems(polygons)
    if findings:
        return None, findings

    built = MultiPolygon([Polygon(rings[0], rings[1:]) for rings in polygons])
    reason = shapely.is_valid_reason(built)
    if reason != "Valid Geometry":
        return None, [("invalid", split_reason(reason))]
    return built, []


def label_ring(ring_index: int) -> str:
    """Human label of a ring: "exterior" or "hole N" (N counted from 1)."""
    return "exterior" if ring_index == 0 else f"hole {ring_index}"


def locate(multi: bool, polygon_index: int, ring_index: int | None = None) -> dict:
    """Params locating a ring; polygon parts are counted from 1 and only named for MultiPolygons."""
    where: dict = {}
    if ring_index is not None:
        where["ring"] = label_ring(ring_index)
    if multi:
        where["polygon"] = polygon_index + 1
    return where


def read_polygons(coordinates: Any, multi: bool) -> tuple[RawPolygons, list[Finding]]:
    """Read polygon -> ring -> (lon, lat) lists from raw coordinates.

    Parts and rings stay aligned with the file (unreadable rings are None)
    so later findings name the right ring; readable rings may still be
    unclosed or too short.  Any `bad_coordinates` finding returned means
    the geometry must not be built.
    """
    if not isinstance(coordinates, list) or not coordinates:
        return [], [("bad_coordinates", {"reason": "empty" if coordinates == [] else "not_array"})]
    raw_polygons = coordinates if multi else [coordinates]
    polygons: RawPolygons = []
    findings: list[Finding] = []
    for polygon_index, raw_rings in enumerate(raw_polygons):
        rings: list[list[tuple[float, float]] | None] = []
        polygons.append(rings)
        if not isinstance(raw_rings, list) or not raw_rings:
            reason = "empty" if raw_rings == [] else "not_array"
            findings.append(("bad_coordinates", {"reason": reason, **locate(multi, polygon_index)}))
            continue
        for ring_index, raw_ring in enumerate(raw_rings):
            ring, finding = read_ring(raw_ring)
            rings.append(ring)
            where = locate(multi, polygon_index, ring_index)
            if finding is not None:
                findings.append(("bad_coordinates", {**finding, **where}))
            elif len(ring) < 4:
                findings.append(("bad_coordinates",
                                 {"reason": "too_few_positions", "positions": len(ring), **where}))
    return polygons, findings


def read_ring(raw_ring: Any) -> tuple[list[tuple[float, float]] | None, dict | None]:
    """Read one ring into (lon, lat) tuples; extra dimensions (altitude) are dropped."""
    if not isinstance(raw_ring, list):
        return None, {"reason": "not_array"}
    ring: list[tuple[float, float]] = []
    for position_index, position in enumerate(raw_ring):
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(is_number(v) and math.isfinite(v) for v in position[:2])
        ):
            return None, {"reason": "bad_position", "position": position_index}
        ring.append((float(position[0]), float(position[1])))
    return ring, None


def find_unclosed_rings(polygons: RawPolygons, multi: bool) -> list[Finding]:
    """`unclosed_ring` for every ring whose last position differs from its first."""
    findings: list[Finding] = []
    for polygon_index, rings in enumerate(polygons):
        for ring_index, ring in enumerate(rings):
            if ring and ring[0] != ring[-1]:  # None (unreadable) and [] are skipped
                lon, lat = ring[0]
                findings.append(("unclosed_ring",
                                 {**locate(multi, polygon_index, ring_index), "lon": lon, "lat": lat}))
    return findings


def in_china(lon: float, lat: float) -> bool:
    """True inside the rough extent of China."""
    return CHINA_LON[0] <= lon <= CHINA_LON[1] and CHINA_LAT[0] <= lat <= CHINA_LAT[1]


def find_extent_problems(polygons: RawPolygons) -> list[Finding]:
    """At most one `swapped` or `out_of_china` finding, for the first stray position.

    The extents of (lon, lat) and (lat, lon) for China do not intersect, so
    a position whose swap lands inside China is unambiguous.
    """
    for rings in polygons:
        for ring in rings:
            for lon, lat in ring or ():
                if in_china(lon, lat):
                    continue
                kind = "swapped" if in_china(lat, lon) else "out_of_china"
                return [(kind, {"lon": lon, "lat": lat})]
    return []


def split_reason(reason: str) -> dict:
    """Split "Self-intersection[120.1 30.2]" into reason text and location."""
    match = _LOCATED_REASON.match(reason)
    if not match:
        return {"reason": reason, "lon": None, "lat": None}
    try:
        lon, lat = float(match["x"]), float(match["y"])
    except ValueError:
        return {"reason": reason, "lon": None, "lat": None}
    return {"reason": match["reason"], "lon": lon, "lat": lat}


# ---------------------------------------------------------------------------
# Stage 2: hierarchy
# ---------------------------------------------------------------------------


def check_hierarchy(
    file_units: list[UnitShape],
    existing: list[UnitShape],
    *,
    containment_tolerance_m: float,
    overlap_tolerance_m2: float,
    gap_tolerance_m2: float,
) -> list[Problem]:
    """Check the state "existing overridden by file_units (by code)".

    Reports parent-link errors, children reaching beyond their parent by
    more than `containment_tolerance_m`, sibling overlaps larger than
    `overlap_tolerance_m2` (errors) and parent area not covered by its
    children larger than `gap_tolerance_m2` (warning, against the parent).
    Only relations involving at least one file unit are checked, so problems
    already stored are not reported again.  Problems are ordered by file
    index, database-only units last.
    """
    state: dict[str, UnitShape] = {u.code: u for u in existing}
    state.update({u.code: u for u in file_units})
    from_file = {u.code for u in file_units}

    problems: list[Problem] = []
    groups: dict[str | None, list[UnitShape]] = {}
    for unit in state.values():
        if unit.level not in LEVELS:
            continue
        involved = unit.code in from_file or unit.parent_code in from_file
        link_problem = check_parent_link(unit, state)
        if link_problem is None:
            groups.setdefault(unit.parent_code, []).append(unit)
        elif involved:
            problems.append(link_problem)

    families = [
        (state.get(parent_code) if parent_code is not None else None, children)
        for parent_code, children in groups.items()
        if parent_code in from_file or any(c.code in from_file for c in children)
    ]
    dense = densify_units([u for parent, children in families for u in (parent, *children) if u is not None])
    tolerances = (containment_tolerance_m, overlap_tolerance_m2, gap_tolerance_m2)
    for parent, children in families:
        problems.extend(check_family(parent, children, dense, from_file, *tolerances))

    return sorted(problems, key=lambda p: (p.index is None, p.index or 0))


def check_parent_link(unit: UnitShape, state: dict[str, UnitShape]) -> Problem | None:
    """The problem with `unit`'s parent reference, or None if it is sound."""
    depth = LEVELS.index(unit.level)

    def problem(kind: str, **params: Any) -> Problem:
        return Problem(ERROR, kind, unit.code, unit.index, params)

    if depth == 0:
        return problem("root_has_parent", parent=unit.parent_code) if unit.parent_code else None
    expected = LEVELS[depth - 1]
    if not unit.parent_code:
        return problem("missing_parent", expected=expected)
    parent = state.get(unit.parent_code)
    if parent is None:
        return problem("unknown_parent", parent=unit.parent_code)
    if parent.level != expected:
        return problem("bad_parent_level", parent=parent.code, parent_level=parent.level, expected=expected)
    return None


def densify_units(units: list[UnitShape]) -> dict[str, MultiPolygon]:
    """Densified lon/lat geometry per unit code, each unit done once."""
    unique = list({u.code: u for u in units}.values())
    if not unique:
        return {}
    return dict(zip((u.code for u in unique), densify_lonlat([u.geometry for u in unique])))


def check_family(
    parent: UnitShape | None,
    children: list[UnitShape],
    dense: dict[str, MultiPolygon],
    from_file: set[str],
    containment_tolerance_m: float,
    overlap_tolerance_m2: float,
    gap_tolerance_m2: float,
) -> list[Problem]:
    """Geometric checks of one parent and its children (parent None: the districts).

    `dense` holds each unit's densified lon/lat geometry by code.
    """
    parent_in_file = parent is not None and parent.code in from_file
    child_in_file = np.array([c.code in from_file for c in children], dtype=bool)
    if not parent_in_file and not child_in_file.any():
        return []

    frame = frame_for([parent.geometry] if parent is not None else [c.geometry for c in children])
    children_m = project_valid(frame, [dense[c.code] for c in children])
    problems = find_overlaps(frame, children, children_m, child_in_file, overlap_tolerance_m2)
    if parent is None:
        return problems

    parent_m = project_valid(frame, [dense[parent.code]])[0]
    checked = child_in_file | parent_in_file
    problems += find_outside_parent(
        frame, parent, parent_m, children, children_m, checked, containment_tolerance_m
    )
    gap = find_gap(frame, parent, parent_m, children_m, gap_tolerance_m2)
    if gap is not None:
        problems.append(gap)
    return problems


def project_valid(frame: MetricFrame, geometries: list) -> np.ndarray:
    """Project lon/lat geometries to the frame, repairing any the projection made invalid."""
    projected = frame.project(np.asarray(geometries, dtype=object))
    broken = ~shapely.is_valid(projected)
    if broken.any():
        projected[broken] = [to_multipolygon(shapely.make_valid(g)) for g in projected[broken]]
    return projected


def largest_polygon(geom) -> Polygon | None:
    """Largest polygon of the polygonal part of `geom`, or None."""
    polygons = list(to_multipolygon(geom).geoms)
    return max(polygons, key=lambda p: p.area) if polygons else None


def find_overlaps(
    frame: MetricFrame,
    children: list[UnitShape],
    children_m: np.ndarray,
    child_in_file: np.ndarray,
    tolerance_m2: float,
) -> list[Problem]:
    """`overlap` errors for sibling pairs (each once) with at least one file unit."""
    tree = shapely.STRtree(children_m)
    left, right = tree.query(children_m, predicate="intersects")
    keep = (left < right) & (child_in_file[left] | child_in_file[right])
    left, right = left[keep], right[keep]
    # Neighbours sharing an edge intersect too; only interior contact can have area.
    interior = shapely.relate_pattern(children_m[left], children_m[right], "T********")
    left, right = left[interior], right[interior]
    if len(left) == 0:
        return []

    problems: list[Problem] = []
    overlaps = shapely.intersection(children_m[left], children_m[right])
    for i, j, overlap in zip(left, right, overlaps):
        area = to_multipolygon(overlap).area
        if area <= tolerance_m2:
            continue
        # Report against the file unit; the other one may be in the database.
        subject, other = (children[i], children[j]) if child_in_file[i] else (children[j], children[i])
        lon, lat = frame.unproject_point(largest_polygon(overlap).representative_point())
        problems.append(Problem(ERROR, "overlap", subject.code, subject.index,
                                {"other": other.code, "area_m2": round(area, 1), "lon": lon, "lat": lat}))
    return problems


def find_outside_parent(
    frame: MetricFrame,
    parent: UnitShape,
    parent_m,
    children: list[UnitShape],
    children_m: np.ndarray,
    checked: np.ndarray,
    tolerance_m: float,
) -> list[Problem]:
    """`outside_parent` errors for checked children reaching beyond the tolerance."""
    allowed = shapely.buffer(parent_m, tolerance_m) if tolerance_m > 0 else parent_m
    shapely.prepare(allowed)
    # Fast path: nearly every child is covered by the buffered parent.
    suspects = np.flatnonzero(checked & ~shapely.covers(allowed, children_m))
    problems: list[Problem] = []
    for i in suspects:
        outside = to_multipolygon(shapely.difference(children_m[i], parent_m))
        if outside.is_empty:
            continue
        reach, farthest = measure_reach(outside, parent_m, tolerance_m)
        # The buffer is a polygonal approximation; the measured reach decides.
        if reach <= tolerance_m:
            continue
        lon, lat = frame.unproject_point(farthest)
        problems.append(Problem(ERROR, "outside_parent", children[i].code, children[i].index,
                                {"parent": parent.code, "distance_m": round(reach, 1),
                                 "area_m2": round(outside.area, 1), "lon": lon, "lat": lat}))
    return problems


def measure_reach(outside: MultiPolygon, parent_m, tolerance_m: float) -> tuple[float, shapely.Point]:
    """Greatest distance (m) from the parent of any point of `outside`, and that point.

    The maximum lies on the boundary of `outside` but not necessarily at a
    vertex, so the boundary is densified; the error is at most half the
    sample spacing, which is kept below a quarter of the tolerance when the
    sample budget allows.
    """
    boundary = outside.boundary
    spacing = max(tolerance_m / 4, 0.05, boundary.length / MAX_REACH_SAMPLES)
    coords = shapely.get_coordinates(shapely.segmentize(boundary, spacing))
    points = shapely.points(coords)
    distances = shapely.distance(points, parent_m)
    best = int(np.argmax(distances))
    return float(distances[best]), points[best]


def find_gap(
    frame: MetricFrame, parent: UnitShape, parent_m, children_m: np.ndarray, tolerance_m2: float
) -> Problem | None:
    """`gap` warning when the children leave more than the tolerance of the parent uncovered."""
    gap = to_multipolygon(shapely.difference(parent_m, shapely.union_all(children_m)))
    area = gap.area
    if area <= tolerance_m2:
        return None
    largest = largest_polygon(gap)
    lon, lat = frame.unproject_point(largest.representative_point())
    pieces = sum(1 for p in gap.geoms if p.area >= SLIVER_M2)
    return Problem(WARNING, "gap", parent.code, parent.index,
                   {"area_m2": round(area, 1), "lon": lon, "lat": lat, "pieces": max(pieces, 1)})
