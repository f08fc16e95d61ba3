"""Boundary parsing and hierarchy checks (grid.geo); pure, no Flask app, no database.

Every bad case has a small GeoJSON file under tests/data/boundaries/.  The
hierarchy cases use base.geojson (district 330100 > street 330100001 >
community 330100001001, all the box 120.10..120.12 E, 30.20..30.22 N) as the
units already in the database, and grids from the case file.
"""

import json
import time
from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from grid import geo
from grid.geo import Problem, UnitShape

DATA = Path(__file__).parent / "data" / "boundaries"
D, S, C = "330100", "330100001", "330100001001"
G1, G2, G3 = C + "001", C + "002", C + "003"
TOLERANCES = {"containment_tolerance_m": 5.0, "overlap_tolerance_m2": 1.0, "gap_tolerance_m2": 1.0}
GEOD = pyproj.Geod(ellps="WGS84")


def read_bytes(name: str) -> bytes:
    return (DATA / name).read_bytes()


def parse(name: str, **limits) -> geo.ParseResult:
    return geo.parse_boundaries(read_bytes(name), **({"max_bytes": 1_000_000, "max_vertices": 10_000} | limits))


def read_units(name: str) -> list[UnitShape]:
    result = parse(name)
    assert result.problems == []
    return result.units


def check(file_units: list[UnitShape], existing: list[UnitShape], **tolerances) -> list[Problem]:
    return geo.check_hierarchy(file_units, existing, **(TOLERANCES | tolerances))


def only(problems: list[Problem], kind: str) -> Problem:
    """The single problem of that kind (and fail if there is not exactly one)."""
    found = [p for p in problems if p.kind == kind]
    assert len(found) == 1, problems
    return found[0]


def box_area_m2(west: float, south: float, east: float, north: float) -> float:
    """True (geodesic) area of a lon/lat box, computed independently of grid.geo."""
    area, _ = GEOD.polygon_area_perimeter([west, east, east, west], [south, south, north, north])
    return abs(area)


# --- parsing: good file and file-level errors ------------------------------


def test_good_file_has_no_problems():
    result = parse("good.geojson")
    assert result.problems == [] and not result.has_errors
    assert [u.code for u in result.units] == [D, S, C, G1, G2, G3]
    assert [u.index for u in result.units] == list(range(6))
    assert all(isinstance(u.geometry, shapely.MultiPolygon) for u in result.units)
    assert result.units[0].parent_code is None and result.units[3].parent_code == C
    assert check(result.units, []) == []


def test_oversize_file_is_rejected_before_parsing():
    size = len(read_bytes("good.geojson"))
    result = parse("good.geojson", max_bytes=size - 1)
    assert result.problems == [Problem("error", "too_large", None, None, {"max_bytes": size - 1, "size": size})]
    assert result.units == [] and result.has_errors


def test_too_many_vertices():
    # good.geojson: 3 boxes of 5 positions, grids of 7, 5 and 6 positions.
    result = parse("good.geojson", max_vertices=32)
    assert [p.kind for p in result.problems] == ["too_many_vertices"]
    assert result.problems[0].params == {"max_vertices": 32, "count": 33}
    assert parse("good.geojson", max_vertices=33).problems == []


def test_broken_json_reports_line_and_column():
    result = parse("broken_json.geojson")
    problem = only(result.problems, "json")
    assert (problem.params["line"], problem.params["column"]) == (4, 24)
    assert "delimiter" in problem.params["message"]
    assert result.units == []


def test_non_utf8_bytes():
    data = '{"type": "FeatureCollection", "features": [], "name": "示范"}'.encode("gb18030")
    result = geo.parse_boundaries(data, max_bytes=1000, max_vertices=10)
    assert [p.kind for p in result.problems] == ["encoding"]


def test_utf8_bom_is_accepted():
    data = b"\xef\xbb\xbf" + read_bytes("good.geojson")
    assert geo.parse_boundaries(data, max_bytes=10_000, max_vertices=1000).problems == []


@pytest.mark.parametrize("document", [[], {"type": "Feature"}, {"type": "FeatureCollection", "features": {}}])
def test_not_a_feature_collection(document):
    result = geo.parse_boundaries(json.dumps(document).encode(), max_bytes=1000, max_vertices=10)
    assert [p.kind for p in result.problems] == ["not_feature_collection"]


# --- parsing: per-feature errors -------------------------------------------


def test_unclosed_ring():
    result = parse("unclosed_ring.geojson")
    problem = only(result.problems, "unclosed_ring")
    assert (problem.code, problem.index) == (G1, 0)
    assert problem.params == {"ring": "exterior", "lon": 120.10, "lat": 30.20}
    assert result.units == []


def test_bowtie_is_invalid_with_location():
    problem = only(parse("bowtie.geojson").problems, "invalid")
    assert problem.code == G1
    assert problem.params["reason"] == "Self-intersection"
    assert problem.params["lon"] == pytest.approx(120.11) and problem.params["lat"] == pytest.approx(30.21)


def test_swapped_coordinates():
    problem = only(parse("swapped.geojson").problems, "swapped")
    assert problem.code == G1
    assert problem.params == {"lon": 30.20, "lat": 120.10}


def test_coordinates_outside_china():
    problem = only(parse("out_of_china.geojson").problems, "out_of_china")
    assert problem.params == {"lon": 2.34, "lat": 48.85}


def test_point_geometry():
    result = parse("point.geojson")
    assert result.problems == [Problem("error", "geometry_type", G1, 0, {"type": "Point"})]


def test_missing_geometry():
    document = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": G1, "name": "x", "level": "grid", "parent": C}, "geometry": None}]}
    result = geo.parse_boundaries(json.dumps(document).encode(), max_bytes=1000, max_vertices=10)
    assert [p.kind for p in result.problems] == ["no_geometry"]


def test_bad_coordinates():
    problems = parse("bad_coordinates.geojson").problems
    by_code = {p.code: p for p in problems if p.kind == "bad_coordinates"}
    assert by_code[G1].params == {"reason": "too_few_positions", "positions": 3, "ring": "exterior"}
    assert by_code[G2].params == {"reason": "bad_position", "position": 1, "ring": "exterior"}
    assert by_code[G3].params["reason"] == "bad_position"  # one nesting level missing


def test_duplicate_code():
    result = parse("duplicate_code.geojson")
    assert result.problems == [Problem("error", "duplicate_code", G1, 1, {"first_index": 0})]
    assert [u.index for u in result.units] == [0]


def test_every_problem_of_a_feature_is_reported():
    problems = parse("bad_properties.geojson").problems
    assert [(p.index, p.kind, p.params.get("field") or p.params.get("level") or p.params.get("ring"))
            for p in problems] == [
        (0, "missing_field", "name"),
        (1, "bad_level", "village"),
        (2, "missing_field", "name"),
        (2, "bad_level", "hamlet"),
        (2, "unclosed_ring", "exterior"),
    ]


# --- hierarchy --------------------------------------------------------------


@pytest.fixture(scope="module")
def base() -> list[UnitShape]:
    # As loaded from the database: no file index.
    return [UnitShape(u.code, u.name, u.level, u.parent_code, u.geometry) for u in read_units("base.geojson")]


def test_overlapping_siblings(base):
    problems = check(read_units("overlap.geojson"), base)
    problem = only(problems, "overlap")
    assert (problem.code, problem.index, problem.params["other"]) == (G1, 0, G2)
    assert problem.params["area_m2"] == pytest.approx(box_area_m2(120.109, 30.20, 120.111, 30.22), rel=0.05)
    assert 120.109 < problem.params["lon"] < 120.111 and 30.20 < problem.params["lat"] < 30.22
    assert [p.kind for p in problems] == ["overlap"]


def test_gap_is_a_warning_against_the_parent(base):
    problems = check(read_units("gap.geojson"), base)
    assert [(p.severity, p.kind, p.code, p.index) for p in problems] == [("warning", "gap", C, None)]
    params = problems[0].params
    assert params["area_m2"] == pytest.approx(box_area_m2(120.109, 30.20, 120.111, 30.22), rel=0.05)
    assert params["pieces"] == 1
    assert 120.109 < params["lon"] < 120.111


def test_child_outside_parent_beyond_tolerance(base):
    problem = only(check(read_units("outside_parent.geojson"), base), "outside_parent")
    assert (problem.code, problem.index, problem.params["parent"]) == (G2, 1, C)
    reach = GEOD.inv(120.12, 30.21, 120.1205, 30.21)[2]  # ~48 m
    assert problem.params["distance_m"] == pytest.approx(reach, rel=0.02)
    assert problem.params["area_m2"] == pytest.approx(box_area_m2(120.12, 30.20, 120.1205, 30.22), rel=0.05)


def test_child_just_inside_tolerance_passes(base):
    # Reaches ~1.9 m beyond the parent: within 5 m, but not within 1 m.
    units = read_units("outside_within_tolerance.geojson")
    assert check(units, base) == []
    assert only(check(units, base, containment_tolerance_m=1.0), "outside_parent").params["distance_m"] == (
        pytest.approx(1.9, abs=0.1))


def test_new_parent_boundary_is_checked_against_existing_children():
    existing = [UnitShape(u.code, u.name, u.level, u.parent_code, u.geometry) for u in read_units("good.geojson")]
    problems = check(read_units("shrunk_community.geojson"), existing)
    outside = sorted((p.code, p.index, p.params["parent"]) for p in problems if p.kind == "outside_parent")
    assert outside == [(G2, None, C), (G3, None, C)]
    # The street is no longer covered by its only community.
    assert [(p.kind, p.code) for p in problems if p.severity == "warning"] == [("gap", S)]


def test_existing_problems_are_not_reported_again(base):
    overlapping = [UnitShape(u.code, u.name, u.level, u.parent_code, u.geometry)
                   for u in read_units("overlap.geojson")]
    district = [u for u in read_units("base.geojson") if u.level == "district"]
    assert check(district, base + overlapping) == []


def test_unknown_parent(base):
    problems = check(read_units("unknown_parent.geojson"), base)
    assert problems == [Problem("error", "unknown_parent", G1, 0, {"parent": C + "999"})]


def test_parent_links(base):
    problems = check(read_units("bad_parents.geojson"), base)
    assert [(p.kind, p.index, p.params) for p in problems] == [
        ("root_has_parent", 0, {"parent": D}),
        ("missing_parent", 1, {"expected": "street"}),
        ("bad_parent_level", 2, {"parent": S, "parent_level": "street", "expected": "community"}),
    ]


# --- helpers ----------------------------------------------------------------


def test_geodesic_area_of_one_degree_square_at_equator():
    assert geo.geodesic_area_m2(shapely.box(0, 0, 1, 1)) == pytest.approx(12_308_778_361, rel=1e-6)
    clockwise = shapely.Polygon([(0, 0), (0, 1), (1, 1), (1, 0)])
    assert geo.geodesic_area_m2(clockwise) == pytest.approx(12_308_778_361, rel=1e-6)
    holed = shapely.Polygon(shapely.box(0, 0, 2, 2).exterior, [shapely.box(0.5, 0.5, 1.5, 1.5).exterior])
    assert geo.geodesic_area_m2(holed) == pytest.approx(
        geo.geodesic_area_m2(shapely.box(0, 0, 2, 2)) - geo.geodesic_area_m2(shapely.box(0.5, 0.5, 1.5, 1.5)))


def test_to_multipolygon():
    assert geo.to_multipolygon(shapely.box(0, 0, 1, 1)).geom_type == "MultiPolygon"
    mixed = shapely.GeometryCollection([shapely.box(0, 0, 1, 1), shapely.LineString([(0, 0), (2, 2)])])
    assert len(geo.to_multipolygon(mixed).geoms) == 1
    assert geo.to_multipolygon(shapely.Point(0, 0)).is_empty


def test_densify_keeps_shared_edges_identical():
    west, east = shapely.box(120.10, 30.20, 120.11, 30.22), shapely.box(120.11, 30.20, 120.12, 30.22)
    west_d, east_d = geo.densify_lonlat([west, shapely.Polygon(east.exterior.coords[::-1])])
    on_edge = lambda g: {tuple(c) for c in shapely.get_coordinates(g) if c[0] == 120.11}  # noqa: E731
    assert len(on_edge(west_d)) > 2 and on_edge(west_d) == on_edge(east_d)
    assert west_d.equals(west)


# --- properties and performance ----------------------------------------------


def strip_units(west, south, north, cuts) -> tuple[UnitShape, list[UnitShape]]:
    """A community box cut into vertical grid strips at the longitudes `cuts` (incl. both ends)."""
    community = UnitShape(C, "c", "community", S, geo.to_multipolygon(shapely.box(cuts[0], south, cuts[-1], north)))
    strips = [UnitShape(f"{C}{i + 1:03d}", f"g{i}", "grid", C,
                        geo.to_multipolygon(shapely.box(a, south, b, north)), index=i)
              for i, (a, b) in enumerate(zip(cuts[:-1], cuts[1:]))]
    return community, strips


@settings(max_examples=40, deadline=None)
@given(
    west=st.floats(74, 130), south=st.floats(4, 50),
    width=st.floats(0.002, 0.05), height=st.floats(0.002, 0.05),
    fractions=st.lists(st.integers(1, 99), min_size=1, max_size=7, unique=True),
    shifted=st.integers(0, 6), shift=st.floats(0.1, 0.9),
)
def test_strips_tile_until_one_is_shifted(west, south, width, height, fractions, shifted, shift):
    north = south + height
    cuts = [west] + [west + width * f / 100 for f in sorted(fractions)] + [west + width]
    community, strips = strip_units(west, south, north, cuts)
    assert check(strips, [community]) == []

    # Shift one strip east into its neighbour by a fraction of the neighbour's width.
    i = shifted % (len(strips) - 1)
    delta = shift * (cuts[i + 2] - cuts[i + 1])
    strips[i] = UnitShape(strips[i].code, "moved", "grid", C,
                          geo.to_multipolygon(shapely.box(cuts[i] + delta, south, cuts[i + 1] + delta, north)), i)
    overlaps = [p for p in check(strips, [community]) if p.kind == "overlap"]
    assert [(p.code, p.params["other"]) for p in overlaps] == [(strips[i].code, strips[i + 1].code)]
    overlap_east = min(cuts[i + 1] + delta, cuts[i + 1] + (cuts[i + 1] - cuts[i]))  # a narrow strip may move fully in
    expected = box_area_m2(cuts[i + 1], south, overlap_east, north)
    assert overlaps[0].params["area_m2"] == pytest.approx(expected, rel=0.05, abs=0.1)


def build_lattice_district() -> list[UnitShape]:
    """2000 jittered 12-vertex grids in 40 communities, 4 streets, 1 district (exact tiling)."""
    rng = np.random.default_rng(7)
    cols, rows, cells = 50, 40, 3  # grids across, grids down, lattice cells per grid side
    step = 0.0007  # ~70 m
    xs, ys = np.meshgrid(np.arange(cols * cells + 1), np.arange(rows * cells + 1), indexing="ij")
    jitter = rng.uniform(-0.25, 0.25, size=(*xs.shape, 2))
    jitter[[0, -1], :, 0] = 0  # keep the outline straight
    jitter[:, [0, -1], 1] = 0
    lon = 120.05 + (xs + jitter[..., 0]) * step
    lat = 30.20 + (ys + jitter[..., 1]) * step

    def grid_ring(gx, gy):
        i0, j0 = gx * cells, gy * cells
        path = [(i0 + k, j0) for k in range(cells)] + [(i0 + cells, j0 + k) for k in range(cells)]
        path += [(i0 + cells - k, j0 + cells) for k in range(cells)] + [(i0, j0 + cells - k) for k in range(cells)]
        return [(lon[i, j], lat[i, j]) for i, j in path + path[:1]]

    # Street s is the row band s of communities; community c is a block of 5 x 10 grids.
    units: list[UnitShape] = []
    streets, communities = [], []
    for s in range(4):
        street_code = f"330199{s + 1:03d}"
        community_shapes = []
        for c in range(10):
            community_code = f"{street_code}{c + 1:03d}"
            grid_shapes = []
            for g in range(50):
                shape = shapely.MultiPolygon([shapely.Polygon(grid_ring(c * 5 + g % 5, s * 10 + g // 5))])
                grid_shapes.append(shape)
                units.append(UnitShape(f"{community_code}{g + 1:03d}", "g", "grid", community_code, shape))
            community_shape = geo.to_multipolygon(shapely.union_all(grid_shapes))
            community_shapes.append(community_shape)
            communities.append(UnitShape(community_code, "c", "community", street_code, community_shape))
        street_shape = geo.to_multipolygon(shapely.union_all(community_shapes))
        streets.append(UnitShape(street_code, "s", "street", "330199", street_shape))
    district = UnitShape("330199", "d", "district", None,
                         geo.to_multipolygon(shapely.union_all([u.geometry for u in streets])))
    return [district, *streets, *communities, *units]


def test_two_thousand_grids_are_checked_fast():
    units = build_lattice_district()
    assert sum(u.level == "grid" for u in units) == 2000
    started = time.perf_counter()
    problems = check(units, [])
    elapsed = time.perf_counter() - started
    assert problems == []
    assert elapsed < 2.0, f"{elapsed:.2f} s"
