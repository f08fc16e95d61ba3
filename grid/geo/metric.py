"""Metric geometry on lon/lat input: geodesic areas, local projections, densification.

Metric work (areas, distances, buffers) happens in a local azimuthal
equidistant projection centred on the parent unit, which is accurate to
well below a millimetre per metre at city scale.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import pyproj
import shapely
from shapely import MultiPolygon

from grid.geo.shapes import to_multipolygon

# Longest edge (degrees, ~50 m) kept before projecting; see densify_lonlat.
DENSIFY_STEP_DEG = 0.0005
# Densification budget, so absurdly large polygons cannot exhaust memory.
MAX_DENSIFIED_VERTICES = 2_000_000

_GEOD = pyproj.Geod(ellps="WGS84")


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


def project_valid(frame: MetricFrame, geometries: list) -> np.ndarray:
    """Project lon/lat geometries to the frame, repairing any the projection made invalid."""
    projected = frame.project(np.asarray(geometries, dtype=object))
    broken = ~shapely.is_valid(projected)
    if broken.any():
        projected[broken] = [to_multipolygon(shapely.make_valid(g)) for g in projected[broken]]
    return projected
