"""Stage 2: check units against each other and against units already stored.

Parents exist and are one level up, children lie inside their parent,
siblings do not overlap, siblings cover their parent.  Geometric checks run
in a local metric frame centred on the parent (see `grid.geo.metric`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from shapely import MultiPolygon, Polygon

from grid.geo.metric import MetricFrame, densify_lonlat, frame_for, project_valid
from grid.geo.shapes import ERROR, LEVELS, WARNING, Problem, UnitShape, to_multipolygon

# Overlay noise below this area is not counted as a separate gap piece.
SLIVER_M2 = 0.01
# Upper bound on sample points used to measure how far a child leaves its parent.
MAX_REACH_SAMPLES = 20_000


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
