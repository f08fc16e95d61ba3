"""WGS84 <-> GCJ-02 (the "Mars" coordinates that Gaode and Tencent tiles are
drawn in), for display only: our data stays in WGS84 / CGCS2000 (EPSG:4326).

GCJ-02 is WGS84 plus a smooth offset of a few hundred metres, defined inside
China only (outside it the two are the same). The forward formula is the one
published in many open implementations; the inverse is not closed-form and is
found by fixed-point iteration to well under a millimetre.

Pure module: numpy and Shapely, no Flask, no database.
"""
from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import mapping, shape

# The Krasovsky 1940 ellipsoid the offset is expressed on.
SEMI_MAJOR = 6378245.0
ECCENTRICITY_SQ = 0.00669342162296594323
# The rough rectangle the offset applies in; outside it GCJ-02 equals WGS84.
CHINA_LON = (72.004, 137.8347)
CHINA_LAT = (0.8293, 55.8271)


def _offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (dlon, dlat) in degrees to add to a WGS84 position."""
    x, y = lon - 105.0, lat - 35.0
    pi = np.pi
    waves = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x)) + waves
            + (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x)) + waves
            + (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0)
    # From metres on the ellipsoid to degrees at this latitude.
    rad = np.radians(lat)
    magic = 1.0 - ECCENTRICITY_SQ * np.sin(rad) ** 2
    root = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((SEMI_MAJOR * (1.0 - ECCENTRICITY_SQ)) / (magic * root) * pi)
    dlon = (dlon * 180.0) / (SEMI_MAJOR / root * np.cos(rad) * pi)
    return dlon, dlat


def _in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (lon >= CHINA_LON[0]) & (lon <= CHINA_LON[1]) & (lat >= CHINA_LAT[0]) & (lat <= CHINA_LAT[1])


def coords_to_gcj02(xy: np.ndarray) -> np.ndarray:
    """An (N, 2) array of WGS84 (lon, lat) as GCJ-02; positions outside China unchanged."""
    xy = np.asarray(xy, dtype=float)
    lon, lat = xy[:, 0], xy[:, 1]
    dlon, dlat = _offset(lon, lat)
    inside = _in_china(lon, lat)
    return np.column_stack([np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)])


def coords_to_wgs84(xy: np.ndarray, *, iterations: int = 8) -> np.ndarray:
    """The inverse of `coords_to_gcj02`: the WGS84 position whose GCJ-02 is `xy`.
    The offset changes slowly, so each round shrinks the error ~1000-fold."""
    target = np.asarray(xy, dtype=float)
    guess = target.copy()
    for _ in range(iterations):
        guess = guess - (coords_to_gcj02(guess) - target)
    return guess


def to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    x, y = coords_to_gcj02(np.array([[lon, lat]]))[0]
    return float(x), float(y)


def to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    x, y = coords_to_wgs84(np.array([[lon, lat]]))[0]
    return float(x), float(y)


def geometry_to_gcj02(geometry, *, digits: int | None = None):
    """A Shapely geometry shifted to GCJ-02, coordinates rounded to `digits`
    decimals when given (shared vertices stay shared: same input, same output)."""
    if digits is None:
        return shapely.transform(geometry, coords_to_gcj02)
    return shapely.transform(geometry, lambda xy: np.round(coords_to_gcj02(xy), digits))


def collection_to_gcj02(collection: dict, *, digits: int = 6) -> dict:
    """A GeoJSON FeatureCollection with every geometry shifted to GCJ-02 (a new
    dict; properties, ids and other members are kept as they are)."""
    features = []
    for feature in collection.get("features") or ():
        geometry = feature.get("geometry")
        if geometry:
            moved = geometry_to_gcj02(shape(geometry), digits=digits)
            feature = {**feature, "geometry": mapping(moved)}
        features.append(feature)
    return {**collection, "features": features}
