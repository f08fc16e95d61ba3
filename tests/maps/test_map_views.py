"""The map's URLs: who may open them, what they answer, and that nothing of
another street office (or community) ever appears in them, counts included."""
import pytest

from grid.maps import layers
from tests.factories import log_in
from tests.maps.map_world import IN, world  # noqa: F401  (the fixture)

MEASURES = ("overdue_events", "open_events", "visit_coverage", "open_disputes", "elderly_records", "child_records")


def client_for(app, user):
    client = app.test_client()
    log_in(client, user.username)
    return client


def get_json(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response.mimetype == "application/geo+json"
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()


def areas_url(unit, **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/units/{unit.id}/map/areas.json?{query}"


def points_url(unit, **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/units/{unit.id}/map/points.json?{query}"


def test_map_redirects_to_the_users_own_unit(app, world):
    for user, unit in ((world.street, "A"), (world.community, "A1"), (world.leader, "A1a"), (world.admin, "D")):
        response = client_for(app, user).get("/map?measure=visit_coverage")
        assert response.status_code == 302
        assert response.headers["Location"] == f"/units/{world.units[unit].id}/map?measure=visit_coverage"


@pytest.mark.parametrize("role", ["worker", "director", "handler", "auditor"])
def test_other_roles_get_not_found(app, world, role):
    client = client_for(app, world[role])
    unit = world.units["A1a"]
    for url in ("/map", f"/units/{unit.id}/map", areas_url(unit, measure="open_events"),
                points_url(unit, layer="events"), f"/units/{unit.id}/map/grids/{unit.id}/panel"):
        assert client.get(url).status_code == 404, url


def test_the_page_for_street_staff(app, world):
    client = client_for(app, world.street)
    street = world.units["A"]
    page = client.get(f"/units/{street.id}/map?measure=visit_coverage&level=community")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-street-map' in html
    assert f'data-areas="/units/{street.id}/map/areas.json"' in html
    assert 'value="visit_coverage" selected' in html and 'value="community" data-level checked' in html
    assert "child_records" in html                     # street staff may see children's records
    assert "js/street-map.js" in html and "<script>" not in html
    assert 'data-basemap' not in html                  # no base map configured: no tile URL at all


def test_areas_carry_values_classes_and_a_legend(app, world):
    client = client_for(app, world.street)
    data = get_json(client, areas_url(world.units["A"], level="grid", measure="open_events", zoom=14))
    by_code = {f["properties"]["code"]: f for f in data["features"]}
    assert set(by_code) == {"T010101", "T010102"}
    a1a = by_code["T010101"]
    assert a1a["id"] == world.units["A1a"].id
    assert a1a["properties"]["value"] == 3 and a1a["properties"]["display"] == "3"
    assert a1a["properties"]["parts"] == {"red": 1, "yellow": 1, "green": 1}
    assert a1a["properties"]["level"] == "grid" and a1a["properties"]["name"] == "grid T010101"
    legend = data["legend"]
    assert legend["measure"] == "open_events" and legend["kind"] == "count"
    # Positive values 1 and 3: quartiles 1.5, 2, 2.5 give one nice break at 2.
    assert [c["label"] for c in legend["classes"]] == ["0", "1", "≥2"]
    assert a1a["properties"]["class"] == 2 and by_code["T010102"]["properties"]["class"] == 1
    assert legend["no_data"]["colour"].startswith("#")


def test_coverage_areas_use_the_fixed_share_classes(app, world):
    client = client_for(app, world.street)
    data = get_json(client, areas_url(world.units["A"], level="community", measure="visit_coverage", zoom=13))
    [a1] = data["features"]
    assert a1["properties"]["value"] == pytest.approx(0.6) and a1["properties"]["display"] == "60% (3/5)"
    assert a1["properties"]["class"] == 1
    assert [c["label"] for c in data["legend"]["classes"]] == ["<60%", "60–80%", "80–95%", "≥95%"]


def test_unknown_measure_level_or_layer_and_bad_bbox(app, world):
    client = client_for(app, world.street)
    unit = world.units["A"]
    assert client.get(areas_url(unit, measure="nonsense")).status_code == 404
    assert client.get(areas_url(unit, measure="open_events", level="street")).status_code == 400
    assert client.get(points_url(unit, layer="people")).status_code == 404
    for bbox in ("1,2,3", "a,b,c,d", "120.2,30.2,120.1,30.3", "nan,1,2,3"):
        assert client.get(points_url(unit, layer="events", bbox=bbox)).status_code == 400, bbox
    # A role that may not see children's records: the measure does not exist for it.
    leader = client_for(app, world.leader)
    assert leader.get(areas_url(world.units["A1a"], measure="child_records")).status_code == 404
    assert "child_records" not in leader.get(f"/units/{world.units['A1a'].id}/map").get_data(as_text=True)


def test_points_zoomed_in_are_id_kind_and_status(app, world):
    client = client_for(app, world.street)
    data = get_json(client, points_url(world.units["A"], layer="events", zoom=17))
    assert data["mode"] == "points"
    assert sorted(f["properties"]["status"] for f in data["features"]) == ["green", "red", "red", "yellow"]
    for feature in data["features"]:
        assert set(feature["properties"]) == {"id", "kind", "status"}
        assert feature["id"] == feature["properties"]["id"] and feature["properties"]["kind"] == "event"


def test_points_zoomed_out_are_counts_per_grid(app, world):
    client = client_for(app, world.street)
    data = get_json(client, points_url(world.units["A"], layer="events", zoom=12))
    assert data["mode"] == "grids"
    counts = {f["properties"]["grid"]: f["properties"] for f in data["features"]}
    a1a, a1b = counts[world.units["A1a"].id], counts[world.units["A1b"].id]
    assert a1a["kind"] == "cluster" and a1a["count"] == 3
    assert a1a["statuses"] == {"red": 1, "yellow": 1, "green": 1, "none": 0}
    assert a1b["count"] == 1 and set(counts) == {world.units["A1a"].id, world.units["A1b"].id}


def test_points_in_between_are_clusters(app, world):
    client = client_for(app, world.street)
    data = get_json(client, points_url(world.units["A"], layer="events", zoom=15))
    assert data["mode"] == "clusters"
    assert sum(f["properties"]["count"] for f in data["features"]) == 4
    assert all(set(f["properties"]) == {"kind", "count", "statuses"} for f in data["features"])


def test_over_the_cap_points_become_clusters(app, world):
    app.config["MAP_POINT_CAP"] = 2
    try:
        data = get_json(client_for(app, world.street), points_url(world.units["A"], layer="events", zoom=18))
    finally:
        app.config["MAP_POINT_CAP"] = 2000
    assert data["mode"] == "clusters" and len(data["features"]) <= 2
    assert sum(f["properties"]["count"] for f in data["features"]) == 4


def test_bbox_narrows_the_points(app, world):
    client = client_for(app, world.street)
    lon, lat = IN["A1b"]
    bbox = f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}"
    data = get_json(client, points_url(world.units["A"], layer="events", zoom=18, bbox=bbox))
    assert [f["properties"]["status"] for f in data["features"]] == ["red"]


def test_care_points_are_households_and_children_only_for_who_may_see_them(app, world):
    street = get_json(client_for(app, world.street), points_url(world.units["A"], layer="care", zoom=18))
    kinds = sorted((f["properties"]["kind"], f["properties"]["status"]) for f in street["features"])
    # One point per household: 李梅 and 王小明 share one (elderly + child).
    assert kinds == [("both", "ok"), ("elderly", "ok"), ("elderly", "overdue")]
    leader = get_json(client_for(app, world.leader), points_url(world.units["A1a"], layer="care", zoom=18))
    assert sorted(f["properties"]["kind"] for f in leader["features"]) == ["elderly", "elderly"]


def test_care_points_in_a_view_box(app, world):
    lon, lat = IN["A1a"]
    bbox = f"{lon - 0.0005},{lat - 0.0005},{lon + 0.0005},{lat + 0.0005}"
    data = get_json(client_for(app, world.street), points_url(world.units["A"], layer="care", zoom=18, bbox=bbox))
    assert [(f["properties"]["kind"], f["properties"]["status"]) for f in data["features"]] == [("both", "ok")]
    data = get_json(client_for(app, world.street), points_url(world.units["A"], layer="care", zoom=15, bbox=bbox))
    assert data["mode"] == "clusters" and [f["properties"]["count"] for f in data["features"]] == [1]


def test_disputes_layer(app, world):
    data = get_json(client_for(app, world.street), points_url(world.units["A"], layer="disputes", zoom=18))
    assert [f["properties"]["kind"] for f in data["features"]] == ["dispute"]    # the archived one is not open


def test_panel_shows_every_measure_staff_and_lists(app, world):
    client = client_for(app, world.street)
    street, grid = world.units["A"], world.units["A1a"]
    response = client.get(f"/units/{street.id}/map/grids/{grid.id}/panel", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and 'data-testid="map-panel"' in html
    for key in MEASURES:
        assert f'data-measure="{key}"' in html
    assert "100% (3/3)" in html
    assert f"/events?unit={grid.id}&amp;tab=open" in html or f"/events?tab=open&amp;unit={grid.id}" in html
    assert f"/disputes?unit={grid.id}" in html and f"/households?unit={grid.id}" in html
    assert "/registers/elderly" in html and "/registers/children" in html and f"/units/{grid.id}" in html
    assert "w" in html  # the grid's worker is listed
    # Without htmx: the whole map page with the panel open.
    page = client.get(f"/units/{street.id}/map/grids/{grid.id}/panel").get_data(as_text=True)
    assert "data-street-map" in page and 'data-testid="map-panel"' in page and "is-open" in page


def test_panel_only_for_units_under_the_map_and_in_scope(app, world):
    client = client_for(app, world.street)
    street = world.units["A"]
    for other in ("B1a", "B1", "B"):
        assert client.get(f"/units/{street.id}/map/grids/{world.units[other].id}/panel").status_code == 404
    community = client_for(app, world.community)
    assert community.get(f"/units/{world.units['A1'].id}/map/grids/{world.units['A'].id}/panel").status_code == 404


def test_household_list_follows_the_panel_link(app, world):
    client = client_for(app, world.street)
    html = client.get(f"/households?unit={world.units['A1b'].id}").get_data(as_text=True)
    assert "德胜路1号" in html and "朝晖路8号" not in html
    # Another street's unit narrows nothing into view.
    other = client.get(f"/households?unit={world.units['B1a'].id}").get_data(as_text=True)
    assert "和睦路99号" not in other


def every_map_url(world, unit) -> list[str]:
    urls = [f"/units/{unit.id}/map"]
    for level in ("grid", "community"):
        for measure in MEASURES:
            for zoom in (10, 14, 18):
                urls.append(areas_url(unit, level=level, measure=measure, zoom=zoom))
    for layer in ("events", "disputes", "care"):
        for zoom in (10, 15, 18):
            urls.append(points_url(unit, layer=layer, zoom=zoom))
            urls.append(points_url(unit, layer=layer, zoom=zoom, bbox="120.0,30.0,120.3,30.4"))
    return urls


def test_nothing_of_another_street_appears_in_any_response(app, world):
    """Street A's staff: every area, point and count is theirs only."""
    client = client_for(app, world.street)
    other_ids = {world.units[n].id for n in ("B", "B1", "B1a", "B1b")}
    for url in every_map_url(world, world.units["A"]):
        response = client.get(url)
        text = response.get_data(as_text=True)
        assert "T02" not in text, url          # no code of street B's units
        if response.mimetype != "application/geo+json":
            continue
        data = response.get_json()
        for feature in data["features"]:
            props = feature["properties"]
            if "/areas.json" in url:
                assert feature["id"] not in other_ids, url
            else:
                assert props.get("grid") not in other_ids, url
                assert feature["geometry"]["coordinates"][0] < 120.12, url    # street B lies east of it
        if "/points.json" in url:
            total = sum(f["properties"].get("count", 1) for f in data["features"])
            layer = url.split("layer=")[1].split("&")[0]
            assert total == {"events": 4, "disputes": 1, "care": 3}[layer], url


def test_another_streets_map_does_not_exist(app, world):
    client = client_for(app, world.street)
    for url in every_map_url(world, world.units["B"]) + every_map_url(world, world.units["B1a"]):
        assert client.get(url).status_code == 404, url
    community = client_for(app, world.community)
    for url in every_map_url(world, world.units["A"]):
        assert community.get(url).status_code == 404, url


def test_community_staff_see_their_community_only_even_from_the_district(app, world):
    assert layers.area_collection(world.community, world.units["D"], level="community", measure="open_events",
                                  zoom=12)["features"][0]["properties"]["code"] == "T0101"
    data = layers.point_collection(world.community_b, world.units["D"], layer="events", zoom=12)
    assert [f["properties"]["count"] for f in data["features"]] == [2]
