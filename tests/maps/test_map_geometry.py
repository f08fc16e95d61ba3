"""Boundaries served for a zoom: simplified to about half a pixel, rounded to
what the zoom shows, always valid, never vanishing, neighbours without gaps."""
import math

import pytest
import shapely
from shapely.geometry import shape

from grid.maps import layers
from tests.factories import make_district, make_unit, make_user

# A comb: long thin teeth 4 m apart, which a careless simplification turns into
# a self-intersecting polygon, and a 1 m square that collapses below a pixel.
TEETH = 12


def comb() -> str:
    x0, y0, tooth, gap = 120.20, 30.20, 0.00002, 0.00004
    ring = [(x0, y0)]
    x = x0
    for _ in range(TEETH):
        ring += [(x, y0 + 0.01), (x + tooth, y0 + 0.01), (x + tooth, y0 + 0.0005), (x + tooth + gap, y0 + 0.0005)]
        x += tooth + gap
    ring += [(x, y0), (x0, y0)]
    return "POLYGON((" + ", ".join(f"{a:.7f} {b:.7f}" for a, b in ring) + "))"


@pytest.fixture
def shapes(ctx):
    units = make_district()
    street = make_unit("T03", "street", "POLYGON((120.19 30.19, 120.23 30.19, 120.23 30.23, 120.19 30.23, 120.19 30.19))",
                       units["D"])
    community = make_unit("T0301", "community", "POLYGON((120.19 30.19, 120.23 30.19, 120.23 30.23, 120.19 30.23, "
                          "120.19 30.19))", street)
    make_unit("T030101", "grid", comb(), community)
    make_unit("T030102", "grid", "POLYGON((120.22 30.22, 120.22001 30.22, 120.22001 30.22001, 120.22 30.22001, "
              "120.22 30.22))", community)
    return {"admin": make_user("adm", "admin"), "units": units, "street": street}


def test_digits_follow_the_zoom():
    assert [layers.digits_for(z) for z in (0, 8, 12, 14, 16, 18, 20)] == [3, 4, 5, 5, 6, 7, 7]
    for zoom in range(0, 21):
        # A rounding step of at most a quarter of a pixel at 54° N.
        assert 10 ** -layers.digits_for(zoom) <= layers.pixel_degrees(zoom) * 0.6 / 4 or layers.digits_for(zoom) == 7


@pytest.mark.parametrize("zoom", [0, 6, 10, 12, 13, 14, 15, 16, 18, 20])
def test_every_served_polygon_is_valid_and_not_empty(shapes, zoom):
    data = layers.area_collection(shapes["admin"], shapes["units"]["D"], level="grid", measure="open_events",
                                  zoom=zoom)
    assert len(data["features"]) == 6
    for feature in data["features"]:
        geometry = shape(feature["geometry"])
        assert geometry.geom_type in ("Polygon", "MultiPolygon")
        assert not geometry.is_empty, (zoom, feature["properties"]["code"])
        assert geometry.is_valid, (zoom, feature["properties"]["code"], shapely.is_valid_reason(geometry))


def test_zooming_out_drops_vertices_the_screen_cannot_show(shapes):
    def vertices(zoom):
        data = layers.area_collection(shapes["admin"], shapes["street"], level="grid", measure="open_events", zoom=zoom)
        return sum(shapely.get_num_coordinates(shape(f["geometry"])) for f in data["features"])
    assert vertices(10) < vertices(16) <= vertices(20)
    assert vertices(20) >= 4 * TEETH


def test_simplified_neighbours_leave_no_gap_wider_than_half_a_pixel(app, ctx):
    """The demo district's irregular grids, simplified one by one: the union of
    a street's grids still covers the street up to slivers under a pixel."""
    import json

    from grid.places.demo_geometry import build_demo_district
    from grid.places.services import import_boundaries

    report = import_boundaries(data=json.dumps(build_demo_district()).encode(), filename="demo.geojson")
    assert report.applied
    admin = make_user("adm", "admin")
    from sqlalchemy import select

    from grid.extensions import db
    from grid.places.models import Unit
    street = db.session.scalar(select(Unit).where(Unit.level == "street").order_by(Unit.code))
    for zoom in (12, 14, 16):
        data = layers.area_collection(admin, street, level="grid", measure="open_events", zoom=zoom)
        grids = [shape(f["geometry"]) for f in data["features"]]
        assert all(g.is_valid for g in grids)
        union = shapely.union_all(grids)
        outline = shapely.from_wkb(bytes(db.session.scalar(select(Unit.boundary.ST_AsBinary()).where(
            Unit.id == street.id))))
        pixel = layers.pixel_degrees(zoom)
        holes = outline.difference(union)
        # Whatever is left between grids is thinner than a pixel: it vanishes under a half-pixel buffer.
        assert holes.buffer(-pixel / 2).area == pytest.approx(0, abs=1e-14), zoom
        assert union.area == pytest.approx(outline.area, rel=0.01)
        assert math.isfinite(union.area)
