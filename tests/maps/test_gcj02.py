"""WGS84 -> GCJ-02 against published reference pairs, the inverse, and
geometries shifted for display without breaking them."""
import pytest
import shapely
from shapely import wkt

from grid.geo import gcj02

# (WGS84 lon, lat) -> (GCJ-02 lon, lat), as published with open implementations:
# eviltransform's test cases (Shanghai, Shenzhen, Beijing) and coordtransform's README example.
REFERENCE = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),
    ((116.404, 39.915), (116.41024449916938, 39.91640428150164)),
]


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_matches_published_pairs(wgs, gcj):
    lon, lat = gcj02.to_gcj02(*wgs)
    assert lon == pytest.approx(gcj[0], abs=1e-9) and lat == pytest.approx(gcj[1], abs=1e-9)


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_inverse_returns_to_wgs84_within_a_millimetre(wgs, gcj):
    lon, lat = gcj02.to_wgs84(*gcj)
    assert lon == pytest.approx(wgs[0], abs=1e-8) and lat == pytest.approx(wgs[1], abs=1e-8)


def test_the_shift_in_hangzhou_is_a_few_hundred_metres():
    lon, lat = gcj02.to_gcj02(120.16, 30.29)
    assert 0.003 < lon - 120.16 < 0.006 and -0.004 < lat - 30.29 < 0.0


def test_outside_china_nothing_moves():
    for point in ((2.35, 48.85), (139.7, 35.7), (-74.0, 40.7)):
        assert gcj02.to_gcj02(*point) == point


def test_geometry_stays_valid_and_neighbours_keep_their_shared_edge():
    west = wkt.loads("POLYGON((120.10 30.20, 120.11 30.20, 120.11 30.22, 120.10 30.22, 120.10 30.20))")
    east = wkt.loads("POLYGON((120.11 30.20, 120.12 30.20, 120.12 30.22, 120.11 30.22, 120.11 30.20))")
    a, b = gcj02.geometry_to_gcj02(west, digits=6), gcj02.geometry_to_gcj02(east, digits=6)
    assert a.is_valid and b.is_valid
    assert a.intersection(b).length > 0.019            # still one shared edge, no gap, no overlap
    assert a.intersection(b).area == 0
    assert shapely.get_num_coordinates(a) == shapely.get_num_coordinates(west)


def test_collection_shifts_geometries_and_keeps_everything_else():
    collection = {"type": "FeatureCollection", "legend": {"x": 1}, "features": [
        {"type": "Feature", "id": 7, "properties": {"name": "朝晖第1网格"},
         "geometry": {"type": "Point", "coordinates": [120.16, 30.29]}},
        {"type": "Feature", "id": 8, "properties": {}, "geometry": None}]}
    moved = gcj02.collection_to_gcj02(collection, digits=6)
    assert moved["legend"] == {"x": 1} and moved["features"][0]["properties"] == {"name": "朝晖第1网格"}
    expected = gcj02.to_gcj02(120.16, 30.29)
    assert list(moved["features"][0]["geometry"]["coordinates"]) == [round(expected[0], 6), round(expected[1], 6)]
    assert moved["features"][1]["geometry"] is None
    assert collection["features"][0]["geometry"]["coordinates"] == [120.16, 30.29]   # the input is untouched
