"""The OGC API - Features through the real app: documents and their links,
GeoJSON items in lon/lat, bbox, limit and paging, filters, scope (another
street office's units and events never appear, not even in the counts) and
the public fields of events."""
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from geoalchemy2.shape import to_shape

from tests.factories import log_in
from tests.maps.ogc_support import (SECRET_ADDRESS, SECRET_DESCRIPTION, SECRET_NAME, SECRET_PHONE, build_world,
                                    in_china, positions)

CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
GEOJSON_CLASS = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
OAS30 = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30"
UNIT_PROPERTIES = ["code", "name", "level", "parent_code"]
EVENT_PROPERTIES = ["number", "category_code", "category", "state", "priority", "light", "reported_at", "due_at",
                    "grid_code"]


@pytest.fixture
def world(ctx):
    return build_world()


def get(client, path, token=None, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(path, headers=headers, **kwargs)


def links(document) -> dict[str, dict]:
    return {link["rel"]: link for link in document["links"]}


def relative(href: str) -> str:
    parts = urlsplit(href)
    assert parts.scheme == "http" and parts.netloc == "localhost", href  # absolute, on this server
    return parts.path + (f"?{parts.query}" if parts.query else "")


def items(client, token, collection, query="") -> dict:
    response = get(client, f"/ogc/collections/{collection}/items{query}", token)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/geo+json"
    return response.get_json()


def check_feature_collection(page: dict, properties: list[str]) -> None:
    """The GeoJSON (RFC 7946) and OGC API shape of one page of items."""
    assert page["type"] == "FeatureCollection"
    assert page["numberReturned"] == len(page["features"]) <= page["numberMatched"]
    assert page["timeStamp"].endswith("Z")
    assert {"self", "collection"} <= set(links(page))
    for feature in page["features"]:
        assert feature["type"] == "Feature" and isinstance(feature["id"], int)
        assert list(feature["properties"]) == properties
        assert feature["geometry"]["type"] in ("Point", "MultiPolygon")
        # Longitude first: a lat/lon mix-up would put Hangzhou in the Indian Ocean.
        assert all(in_china(position) for position in positions(feature["geometry"]))


def test_landing_page_links_lead_to_the_api_parts(client, world):
    token = world.tokens["street_a"]
    response = get(client, "/ogc", token)
    assert response.status_code == 200 and response.mimetype == "application/json"
    found = links(response.get_json())
    assert {"self", "conformance", "data", "service-desc"} <= set(found)
    for rel in ("self", "conformance", "data", "service-desc"):
        assert get(client, relative(found[rel]["href"]), token).status_code == 200
    assert found["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert get(client, "/ogc/", token).status_code == 200  # with or without the slash, no redirect


def test_conformance_lists_core_geojson_and_openapi(client, world):
    body = get(client, "/ogc/conformance", world.tokens["street_a"]).get_json()
    assert set(body["conformsTo"]) == {CORE, GEOJSON_CLASS, OAS30}


def test_collections_describe_both_with_the_users_extent(client, world):
    body = get(client, "/ogc/collections", world.tokens["street_a"]).get_json()
    described = {c["id"]: c for c in body["collections"]}
    assert set(described) == {"units", "events"}
    # Street A only: 120.10..120.12, not the whole district up to 120.14.
    assert described["units"]["extent"]["spatial"]["bbox"] == [[120.10, 30.20, 120.12, 30.22]]
    # The events' own extent (street A's three points), not the area's: an event a boundary
    # change left outside every grid keeps its grid, and may lie outside the grids.
    points = [to_shape(event.location) for event in world.events_a]
    assert described["events"]["extent"]["spatial"]["bbox"] == [pytest.approx(
        [min(p.x for p in points), min(p.y for p in points), max(p.x for p in points), max(p.y for p in points)])]
    for collection in described.values():
        assert collection["crs"] == ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"]
        found = links(collection)
        assert found["items"]["type"] == "application/geo+json"
        assert relative(found["items"]["href"]) == f"/ogc/collections/{collection['id']}/items"
        assert get(client, relative(found["self"]["href"]), world.tokens["street_a"]).get_json()["id"] == \
            collection["id"]


def test_units_are_geojson_features_of_the_users_street_only(client, world):
    page = items(client, world.tokens["street_a"], "units")
    check_feature_collection(page, UNIT_PROPERTIES)
    codes = [f["properties"]["code"] for f in page["features"]]
    assert codes == ["T01", "T0101", "T010101", "T010102"]
    assert page["numberMatched"] == 4
    grid = next(f for f in page["features"] if f["properties"]["code"] == "T010101")
    assert grid["properties"] == {"code": "T010101", "name": "grid T010101", "level": "grid", "parent_code": "T0101"}
    assert grid["id"] == world.units["A1a"].id


def test_another_street_office_never_appears_not_even_in_counts(client, world):
    token_a, token_b = world.tokens["street_a"], world.tokens["street_b"]
    units_b = items(client, token_b, "units")
    assert [f["properties"]["code"] for f in units_b["features"]] == ["T02", "T0201", "T020101", "T020102"]
    events_a = items(client, token_a, "events")
    assert events_a["numberMatched"] == 3
    assert {f["id"] for f in events_a["features"]} == {e.id for e in world.events_a}
    assert items(client, token_b, "events")["numberMatched"] == 2
    # Asking for street B's area by box, by grid or by id finds nothing, and says so in the counts.
    in_b = items(client, token_a, "events", "?bbox=120.12,30.20,120.14,30.22")
    assert in_b["numberMatched"] == 0 and in_b["features"] == []
    assert items(client, token_a, "units", "?parent_code=T02")["numberMatched"] == 0
    assert items(client, token_a, "events", "?grid_code=T020101")["numberMatched"] == 0
    assert get(client, f"/ogc/collections/events/items/{world.events_b[0].id}", token_a).status_code == 404
    assert get(client, f"/ogc/collections/units/items/{world.units['B1a'].id}", token_a).status_code == 404
    assert get(client, f"/ogc/collections/units/items/{world.units['D'].id}", token_a).status_code == 404


def test_a_grid_worker_sees_their_grid_and_the_administrator_everything(client, world):
    worker = items(client, world.tokens["worker_a"], "units")
    assert [f["properties"]["code"] for f in worker["features"]] == ["T010101"]
    assert items(client, world.tokens["worker_a"], "events")["numberMatched"] == 3
    admin = items(client, world.tokens["admin"], "units")
    assert admin["numberMatched"] == 9
    assert items(client, world.tokens["admin"], "events")["numberMatched"] == 5


def test_events_carry_public_fields_only(client, world):
    response = get(client, "/ogc/collections/events/items", world.tokens["street_a"])
    page = response.get_json()
    check_feature_collection(page, EVENT_PROPERTIES)
    first = next(f for f in page["features"] if f["id"] == world.events_a[0].id)
    assert first["geometry"]["type"] == "Point"
    assert first["properties"]["number"] == world.events_a[0].number
    assert first["properties"]["priority"] == "urgent" and first["properties"]["grid_code"] == "T010101"
    assert first["properties"]["state"] == "to_sign" and first["properties"]["light"] in ("green", "yellow", "red")
    text = response.get_data(as_text=True)
    for secret in (SECRET_DESCRIPTION, SECRET_ADDRESS, SECRET_NAME, SECRET_PHONE, "worker_a"):
        assert secret not in text
    one = get(client, f"/ogc/collections/events/items/{world.events_a[0].id}", world.tokens["street_a"])
    assert list(one.get_json()["properties"]) == EVENT_PROPERTIES
    assert SECRET_DESCRIPTION not in one.get_data(as_text=True)


def test_bbox_keeps_what_intersects_it(client, world):
    token = world.tokens["street_a"]
    west_grid = items(client, token, "units", "?bbox=120.101,30.201,120.105,30.205")
    assert [f["properties"]["code"] for f in west_grid["features"]] == ["T01", "T0101", "T010101"]
    # Six numbers (with heights) are accepted; the heights are ignored.
    assert items(client, token, "units", "?bbox=120.101,30.201,0,120.105,30.205,10")["numberMatched"] == 3
    first_event = items(client, token, "events", "?bbox=120.1049,30.2099,120.1051,30.2101")
    assert [f["id"] for f in first_event["features"]] == [world.events_a[0].id]
    assert links(first_event)["self"]["href"].count("bbox=") == 1


@pytest.mark.parametrize("bbox", ["120.1,30.2,120.2", "a,b,c,d", "120.1,30.2,120.2,30.3,1", "30.2,120.1,30.3,120.2",
                                  "120.2,30.2,120.1,30.3", "120.1,30.3,120.2,30.2", ""])
def test_a_wrong_bbox_is_a_400_that_names_it(client, world, bbox):
    response = get(client, f"/ogc/collections/units/items?bbox={bbox}", world.tokens["street_a"])
    assert response.status_code == 400 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["code"] == "InvalidParameterValue" and "bbox" in body["description"]


@pytest.mark.parametrize("query", ["?limit=0", "?limit=abc", "?limit=-3", "?offset=-1", "?offset=x", "?colour=red",
                                   "?limit=²", "?limit=%C2%B2", "?offset=²", "?offset=99999999999999999999",
                                   "?offset=2147483648",
                                   "?level=town", "?f=html", "?datetime=yesterday", "?datetime=2026-11-23T09:00:00",
                                   "?datetime=../..", "?datetime=2026-11-25/2026-11-24"])
def test_wrong_parameters_are_400s(client, world, query):
    response = get(client, f"/ogc/collections/units/items{query}", world.tokens["street_a"])
    assert response.status_code == 400
    assert response.get_json()["code"] == "InvalidParameterValue"


def test_a_too_large_offset_names_the_parameter(client, world):
    response = get(client, "/ogc/collections/units/items?offset=99999999999999999999", world.tokens["street_a"])
    assert response.status_code == 400 and "offset" in response.get_json()["description"]
    assert get(client, "/ogc/collections/units/items?offset=2147483647", world.tokens["street_a"]).status_code == 200


def test_limit_is_capped_and_pages_run_to_the_end_without_repeats(client, app, world, monkeypatch):
    monkeypatch.setitem(app.config, "OGC_MAX_LIMIT", 3)
    token = world.tokens["admin"]
    page = items(client, token, "units", "?limit=1000")
    assert page["numberReturned"] == 3 and page["numberMatched"] == 9
    assert "prev" not in links(page)
    seen, pages = [], 0
    while True:
        check_feature_collection(page, UNIT_PROPERTIES)
        seen += [f["id"] for f in page["features"]]
        pages += 1
        found = links(page)
        if "next" not in found:
            break
        assert parse_qs(urlsplit(found["next"]["href"]).query)["limit"] == ["3"]
        page = items(client, token, "units", "?" + urlsplit(found["next"]["href"]).query)
        assert "prev" in links(page)
    assert pages == 3 and len(seen) == len(set(seen)) == 9
    past_the_end = items(client, token, "units", "?offset=50")
    assert past_the_end["features"] == [] and past_the_end["numberMatched"] == 9


def test_paging_keeps_the_filters(client, world):
    page = items(client, world.tokens["admin"], "units", "?level=grid&limit=3")
    assert page["numberMatched"] == 4 and page["numberReturned"] == 3
    next_query = parse_qs(urlsplit(links(page)["next"]["href"]).query)
    assert next_query == {"level": ["grid"], "limit": ["3"], "offset": ["3"]}
    rest = items(client, world.tokens["admin"], "units", "?" + urlsplit(links(page)["next"]["href"]).query)
    assert [f["properties"]["level"] for f in rest["features"]] == ["grid"] and "next" not in links(rest)


def test_default_limit_applies_without_one(client, app, world, monkeypatch):
    monkeypatch.setitem(app.config, "OGC_DEFAULT_LIMIT", 2)
    page = items(client, world.tokens["street_a"], "units")
    assert page["numberReturned"] == 2 and "next" in links(page)


def test_filters_and_datetime_narrow_events(client, world):
    token = world.tokens["street_a"]
    assert items(client, token, "events", "?priority=urgent")["numberMatched"] == 1
    assert items(client, token, "events", "?state=to_sign&grid_code=T010101")["numberMatched"] == 3
    # Reported on Monday 23, Tuesday 24 and Wednesday 25 November 2026, 09:00 Shanghai.
    assert items(client, token, "events", "?datetime=2026-11-24")["numberMatched"] == 1
    assert items(client, token, "events", "?datetime=2026-11-24T01:00:00Z")["numberMatched"] == 1
    assert items(client, token, "events", "?datetime=2026-11-24/..")["numberMatched"] == 2
    assert items(client, token, "events", "?datetime=../2026-11-24")["numberMatched"] == 2
    assert items(client, token, "events", "?datetime=2026-11-23T10:00:00%2B08:00/2026-11-24T09:00:00%2B08:00")[
        "numberMatched"] == 1
    # Units have no time: the parameter is accepted and changes nothing.
    assert items(client, token, "units", "?datetime=2026-11-24")["numberMatched"] == 4


def test_one_feature_with_its_links(client, world):
    token = world.tokens["street_a"]
    grid = world.units["A1a"]
    response = get(client, f"/ogc/collections/units/items/{grid.id}", token)
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    feature = response.get_json()
    assert feature["type"] == "Feature" and feature["id"] == grid.id
    assert feature["properties"]["code"] == "T010101"
    assert relative(links(feature)["self"]["href"]) == f"/ogc/collections/units/items/{grid.id}"
    assert relative(links(feature)["collection"]["href"]) == "/ogc/collections/units"


@pytest.mark.parametrize("path", ["/ogc/collections/households", "/ogc/collections/households/items",
                                  "/ogc/collections/units/items/999999999", "/ogc/collections/units/items/99999999999",
                                  "/ogc/collections/events/items/2147483648"])
def test_what_does_not_exist_is_a_json_404(client, world, path):
    response = get(client, path, world.tokens["street_a"])
    assert response.status_code == 404 and response.get_json()["code"] == "NotFound"


def test_without_credentials_it_is_a_401_with_a_challenge_not_a_login_page(client, world):
    for path in ("/ogc", "/ogc/collections", "/ogc/collections/units/items", "/ogc/api"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="grid", Basic realm="grid"'
        assert response.get_json()["code"] == "Unauthorized"
    refused = get(client, "/ogc/collections", "grid_not-a-real-token")
    assert refused.status_code == 401 and 'error="invalid_token"' in refused.headers["WWW-Authenticate"]


def test_a_token_request_leaves_no_session_behind(client, world):
    response = get(client, "/ogc/collections", world.tokens["street_a"])
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    # The next request without the header is a stranger again.
    assert client.get("/ogc/collections").status_code == 401


def test_a_logged_in_browser_session_works_too(client, world):
    log_in(client, "street_a")
    page = client.get("/ogc/collections/units/items").get_json()
    assert page["numberMatched"] == 4


@pytest.mark.parametrize("username", ["ogc_auditor", "ogc_handler"])
def test_roles_without_an_area_find_no_api(app, world, username):
    client = app.test_client()
    log_in(client, username)
    response = client.get("/ogc/collections")
    assert response.status_code == 404 and response.get_json()["code"] == "NotFound"


def test_format_json_is_accepted(client, world):
    assert get(client, "/ogc/collections?f=json", world.tokens["street_a"]).status_code == 200
    assert get(client, "/ogc/collections/units/items?f=json", world.tokens["street_a"]).status_code == 200
    assert get(client, "/ogc/collections?f=html", world.tokens["street_a"]).status_code == 400


def test_openapi_document_declares_the_filters_and_the_page_limit(client, app, world):
    response = get(client, "/ogc/api", world.tokens["street_a"])
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/vnd.oai.openapi+json;version=3.0"
    document = json.loads(response.get_data(as_text=True))
    assert document["openapi"].startswith("3.0")
    units = document["paths"]["/collections/units/items"]["get"]["parameters"]
    names = {p.get("name") or p["$ref"].rsplit("/", 1)[1] for p in units}
    assert {"bbox", "limit", "offset", "datetime", "code", "level", "parent_code"} <= names
    limit = document["components"]["parameters"]["limit"]["schema"]
    assert limit["maximum"] == app.config["OGC_MAX_LIMIT"] and limit["default"] == app.config["OGC_DEFAULT_LIMIT"]


def test_each_collection_schema_matches_its_items(client, world):
    token = world.tokens["street_a"]
    for collection, expected in (("units", UNIT_PROPERTIES), ("events", EVENT_PROPERTIES)):
        described = get(client, f"/ogc/collections/{collection}", token).get_json()
        schema_link = links(described)["describedBy"]
        assert schema_link["type"] == "application/schema+json"
        schema = json.loads(get(client, relative(schema_link["href"]), token).get_data(as_text=True))
        assert list(schema["properties"]["properties"]["properties"]) == expected
