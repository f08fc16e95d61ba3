"""Check and build one GeoJSON geometry object (Polygon or MultiPolygon).

Raw coordinates are checked before shapely sees them: ring closure,
readable positions, plausible (Chinese, unswapped) coordinates, validity.
Findings are (kind, params) pairs, attached to a feature by the caller.
"""

from __future__ import annotations

import math
import re
from typing import Any

import shapely
from shapely import MultiPolygon, Polygon

# Rough bounding box of China (incl. the South China Sea islands' latitude).
CHINA_LON = (73.0, 136.0)
CHINA_LAT = (3.0, 54.0)

_LOCATED_REASON = re.compile(r"^(?P<reason>.*?)\s*\[(?P<x>\S+)\s+(?P<y>\S+)\]\s*$")


def is_number(value: Any) -> bool:
    """True for JSON numbers (bool is an int subclass in Python, but not a number here)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


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
