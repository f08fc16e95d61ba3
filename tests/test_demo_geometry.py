"""The demo district's boundaries (grid.places.demo_geometry); pure, no Flask app, no database."""

import json
import time
from collections import Counter

import pytest
import shapely

from grid import geo
from grid.places import demo_geometry
from grid.places.demo_geometry import build_demo_district

TOLERANCES = {"containment_tolerance_m": 1.0, "overlap_tolerance_m2": 1.0, "gap_tolerance_m2": 1.0}


@pytest.fixture(scope="module")
def collection() -> dict:
    return build_demo_district()


@pytest.fixture(scope="module")
def units(collection) -> list[geo.UnitShape]:
    # Through JSON, as the importer sees it: rounding must not break anything.
    data = json.dumps(collection, ensure_ascii=False).encode()
    result = geo.parse_boundaries(data, max_bytes=10_000_000, max_vertices=100_000)
    assert result.problems == []
    return result.units


def test_validates_without_any_problem(units):
    assert geo.check_hierarchy(units, [], **TOLERANCES) == []


def test_children_tile_their_parent_exactly(units):
    by_parent: dict[str, list[geo.UnitShape]] = {}
    for unit in units:
        by_parent.setdefault(unit.parent_code, []).append(unit)
    for parent in units:
        children = by_parent.get(parent.code)
        if not children:
            continue
        shapes = [child.geometry for child in children]
        assert parent.geometry.symmetric_difference(shapely.union_all(shapes)).area <= 1e-14, parent.code
        tree = shapely.STRtree(shapes)
        for i, j in zip(*tree.query(shapes, predicate="intersects")):
            if i < j:
                assert shapes[i].intersection(shapes[j]).area <= 1e-14, (children[i].code, children[j].code)


def test_unit_counts_codes_and_names(collection):
    properties = [f["properties"] for f in collection["features"]]
    assert Counter(p["level"] for p in properties) == {"district": 1, "street": 2, "community": 6, "grid": 40}
    district, *rest = properties
    assert (district["code"], district["name"], district["parent"]) == ("330199", "示范区", None)
    assert {p["code"] for p in properties if p["level"] == "street"} == {"330199001", "330199002"}
    codes = {p["code"] for p in properties}
    for p in rest:
        assert p["parent"] in codes and p["code"].startswith(p["parent"]) and len(p["code"]) == len(p["parent"]) + 3
    grids = [p for p in properties if p["level"] == "grid"]
    assert all(p["name"].endswith("网格") and "第" in p["name"] for p in grids)
    assert "朝晖第1网格" in {p["name"] for p in grids}


def test_geometries_are_closed_rounded_polygons(collection):
    for feature in collection["features"]:
        geometry = feature["geometry"]
        assert geometry["type"] in ("Polygon", "MultiPolygon")
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for rings in polygons:
            for ring in rings:
                assert ring[0] == ring[-1] and len(ring) >= 4
                assert all(round(v, 7) == v for position in ring for v in position)
            assert shapely.LinearRing(rings[0]).is_ccw  # RFC 7946: exterior counter-clockwise


def test_district_is_a_hangzhou_sized_irregular_outline(units):
    assert 12 <= len(demo_geometry.OUTLINE) - 1 <= 16
    district = units[0].geometry
    assert 20e6 < geo.geodesic_area_m2(district) < 35e6
    centre = district.centroid
    assert abs(centre.x - 120.16) < 0.01 and abs(centre.y - 30.29) < 0.01


def test_grids_are_irregular(units):
    grids = [u.geometry for u in units if u.level == "grid"]
    rectangularity = [g.area / g.minimum_rotated_rectangle.area for g in grids]
    assert max(rectangularity) < 0.95  # no grid is (nearly) a rectangle
    concave = sum(g.area < 0.99 * g.convex_hull.area for g in grids)
    assert concave >= len(grids) // 2


def test_is_deterministic(collection):
    assert build_demo_district() == collection
    assert build_demo_district(seed=7) != collection


def test_builds_in_under_two_seconds():
    started = time.perf_counter()
    build_demo_district(seed=1)
    assert time.perf_counter() - started < 2.0
