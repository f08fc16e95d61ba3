"""The base map settings: what each one draws, the hosts the CSP then allows
(exactly those), and our geometry shifted to GCJ-02 only over Gaode/Tencent."""
import pytest
import shapely
from shapely.geometry import shape

from grid.geo import gcj02
from grid.maps import basemap
from grid.maps.basemap import BasemapError
from grid.security import content_security_policy
from tests.factories import log_in
from tests.maps.map_world import world  # noqa: F401  (the fixture)


class FakeApp:
    def __init__(self, **config):
        self.config = config


def img_src(**config) -> list[str]:
    csp = content_security_policy(FakeApp(**config))
    [directive] = [d for d in csp.split("; ") if d.startswith("img-src ")]
    return directive.split()[1:]


def test_none_is_the_default_and_contacts_nothing():
    assert basemap.resolve({}).kind == "none" and basemap.resolve({}).hosts == []
    assert basemap.resolve({"BASEMAP": "none", "BASEMAP_URL": "https://tiles.example/{z}/{x}/{y}.png"}).hosts == []
    assert img_src(BASEMAP="none") == ["'self'", "data:"]


def test_tianditu_needs_a_key_and_adds_the_label_layer():
    with pytest.raises(BasemapError, match="TIANDITU_KEY"):
        basemap.resolve({"BASEMAP": "tianditu"})
    base = basemap.resolve({"BASEMAP": "tianditu", "TIANDITU_KEY": "abc123"})
    assert base.datum == "wgs84" and not base.is_gcj02
    assert "LAYER=vec" in base.url and "tk=abc123" in base.url and "vec_w" in base.url
    assert "LAYER=cva" in base.labels_url and "cva_w" in base.labels_url and "tk=abc123" in base.labels_url
    assert "天地图" in base.attribution
    assert img_src(BASEMAP="tianditu", TIANDITU_KEY="abc123")[2:] == [f"https://t{i}.tianditu.gov.cn" for i in range(8)]


def test_gcj02_providers():
    for kind, host in (("gaode", "https://webrd01.is.autonavi.com"), ("tencent", "https://rt0.map.gtimg.com")):
        base = basemap.resolve({"BASEMAP": kind})
        assert base.is_gcj02 and base.attribution and host in base.hosts
        assert set(img_src(BASEMAP=kind)[2:]) == set(base.hosts) and len(base.hosts) == 4
    assert "{-y}" in basemap.resolve({"BASEMAP": "tencent"}).url   # Tencent numbers rows from the south


def test_osm_and_custom():
    osm = basemap.resolve({"BASEMAP": "osm"})
    assert osm.hosts == ["https://tile.openstreetmap.org"] and "OpenStreetMap" in osm.attribution
    own = basemap.resolve({"BASEMAP": "osm", "BASEMAP_URL": "https://{s}.tiles.example.cn/{z}/{x}/{y}.png"})
    assert own.hosts == [f"https://{s}.tiles.example.cn" for s in "abc"]
    custom = basemap.resolve({"BASEMAP": "custom", "BASEMAP_URL": "https://gis.example.gov.cn/t/{z}/{x}/{y}.png",
                              "BASEMAP_ATTRIBUTION": "© 某市测绘院", "BASEMAP_CRS": "gcj02"})
    assert custom.is_gcj02 and custom.hosts == ["https://gis.example.gov.cn"]
    assert custom.as_data()["attribution"] == "© 某市测绘院"
    for broken in ({"BASEMAP": "custom"}, {"BASEMAP": "custom", "BASEMAP_URL": "https://x/{z}/{x}/{y}"},
                   {"BASEMAP": "custom", "BASEMAP_URL": "ftp://x", "BASEMAP_ATTRIBUTION": "x"},
                   {"BASEMAP": "custom", "BASEMAP_URL": "https://x/{z}/{x}/{y}", "BASEMAP_ATTRIBUTION": "x",
                    "BASEMAP_CRS": "bd09"},
                   {"BASEMAP": "baidu"}):
        with pytest.raises(BasemapError):
            basemap.resolve(broken)


@pytest.fixture
def gaode(app):
    app.config["BASEMAP"] = "gaode"
    yield
    app.config["BASEMAP"] = "none"


def test_map_responses_are_shifted_over_a_gcj02_base_map(app, world):
    client = app.test_client()
    log_in(client, world.street.username)
    street = world.units["A"]
    url = f"/units/{street.id}/map/areas.json?measure=open_events&zoom=16"
    plain = client.get(url).get_json()
    points_url = f"/units/{street.id}/map/points.json?layer=events&zoom=18"
    plain_points = client.get(points_url).get_json()
    app.config["BASEMAP"] = "gaode"
    try:
        shifted = client.get(url).get_json()
        shifted_points = client.get(points_url).get_json()
        page = client.get(f"/units/{street.id}/map").get_data(as_text=True)
        unit_page = client.get(f"/units/{street.id}").get_data(as_text=True)
        boundaries = client.get(f"/units/{street.id}/boundaries.geojson?datum=gcj02").get_json()
        picker = client.get(f"/units/{street.id}/boundaries.geojson").get_json()
    finally:
        app.config["BASEMAP"] = "none"
    for before, after in zip(plain["features"], shifted["features"]):
        x, y = shapely.get_coordinates(shape(before["geometry"]))[0]
        moved = shapely.get_coordinates(shape(after["geometry"]))[0]
        assert tuple(moved) == pytest.approx(gcj02.to_gcj02(x, y), abs=2e-6)
        assert shape(after["geometry"]).is_valid and after["properties"] == before["properties"]
    assert shifted["legend"] == plain["legend"]
    for before, after in zip(plain_points["features"], shifted_points["features"]):
        x, y = before["geometry"]["coordinates"]
        assert after["geometry"]["coordinates"] == pytest.approx(gcj02.to_gcj02(x, y), abs=2e-6)
    assert 'data-datum="gcj02"' in page and "webrd0{s}.is.autonavi.com" in page and 'data-subdomains="1234"' in page
    assert 'data-datum="gcj02"' in unit_page                      # the unit page's map draws the same base map
    # The unit map asks for shifted boundaries; the location picker (no datum) keeps WGS84.
    assert boundaries["features"][0]["geometry"] != picker["features"][0]["geometry"]


def test_a_point_on_the_bbox_of_a_gcj02_view_is_found(app, world, gaode):
    from tests.maps.map_world import IN

    client = app.test_client()
    log_in(client, world.street.username)
    lon, lat = gcj02.to_gcj02(*IN["A1b"])         # the view as the browser sees it: GCJ-02
    bbox = f"{lon - 0.0005},{lat - 0.0005},{lon + 0.0005},{lat + 0.0005}"
    data = client.get(f"/units/{world.units['A'].id}/map/points.json?layer=events&zoom=18&bbox={bbox}").get_json()
    assert [f["properties"]["status"] for f in data["features"]] == ["red"]
