"""The boundary-change pages: upload, preview with counts and map data, apply
once; administrators only; oversized uploads refused."""
import io
import json
import re

import pytest
import shapely

from shapely import wkt
from shapely.geometry import shape
from sqlalchemy import func, select

from grid.extensions import db
from grid.places import proposals
from grid.places.models import BoundaryProposal
from tests.factories import PASSWORD, box, csrf_from, log_in, make_user
from tests.places.conftest import collection, feature, moved_edge


def upload(client, token, community_id, data, name="A1-v2.geojson"):
    return client.post("/admin/boundary-changes", content_type="multipart/form-data",
                       data={"csrf_token": token, "community_id": str(community_id), "file": (io.BytesIO(data), name)})


def count_on(page: str, key: str) -> int:
    return int(re.search(rf'data-testid="count-{key}" data-count="(\d+)"', page).group(1))


def version_on(page: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def admin_client(client, world):
    log_in(client, "adm", PASSWORD)
    return csrf_from(client.get("/admin/boundary-changes").get_data(as_text=True))


def test_upload_preview_and_apply(client, world, records):
    token = admin_client(client, world)
    community = world.units["A1"]
    created = upload(client, token, community.id, moved_edge())
    assert created.status_code == 303
    url = created.headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert 'data-status="pending"' in page
    previewed = {key: count_on(page, key) for key in ("households_moved", "events_moved", "disputes_moved")}
    assert previewed == {"households_moved": 1, "events_moved": 2, "disputes_moved": 1}
    assert f'data-testid="moved-event-{records.event.id}"' in page
    assert 'data-code="T010101"' in page  # the area table

    old = client.get(url + "/old.geojson").get_json()
    new = client.get(url + "/new.geojson").get_json()
    assert {f["properties"]["code"] for f in old["features"]} == {"T0101", "T010101", "T010102"}
    assert {f["properties"]["code"] for f in new["features"]} == {"T010101", "T010102"}

    seen = version_on(page)
    applied = client.post(url + "/apply", data={"csrf_token": token, "version": seen})
    assert applied.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert 'data-status="applied"' in page
    assert {key: count_on(page, key) for key in previewed} == previewed
    # Once applied, "before" is the boundaries as they were, not as they are now.
    before = client.get(url + "/old.geojson").get_json()["features"]
    old = {f["properties"]["code"]: shape(f["geometry"]) for f in before}
    assert old["T010101"].equals(wkt.loads(box(120.10, 30.20, 120.11, 30.22)))
    # The moved event's page shows the move.
    event_page = client.get(f"/events/{records.event.id}").get_data(as_text=True)
    assert 'data-testid="regrid"' in event_page
    dispute_page = client.get(f"/disputes/{records.dispute.id}").get_data(as_text=True)
    assert 'data-testid="regrid"' in dispute_page

    # The same form posted again (a double click, another tab): refused.
    again = client.post(url + "/apply", data={"csrf_token": token, "version": seen})
    assert again.status_code == 409


def test_cancel_from_the_page(client, world):
    token = admin_client(client, world)
    url = upload(client, token, world.units["A1"].id, moved_edge()).headers["Location"]
    page = client.get(url).get_data(as_text=True)
    cancelled = client.post(url + "/cancel", data={"csrf_token": token, "version": version_on(page)})
    assert cancelled.status_code == 303
    assert 'data-status="cancelled"' in client.get(url).get_data(as_text=True)


def test_a_file_with_another_communitys_grid_is_shown_with_the_feature_named(client, world):
    token = admin_client(client, world)
    other = feature("T020101", "grid", "T0201", box(120.12, 30.20, 120.13, 30.22))
    data = json.loads(moved_edge())["features"] + [other]
    response = upload(client, token, world.units["A1"].id, collection(*data))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'data-testid="upload-report"' in page and "<td>T020101</td>" in page
    assert db.session.scalar(select(func.count()).select_from(BoundaryProposal)) == 0


def test_community_must_be_chosen(client, world):
    token = admin_client(client, world)
    response = upload(client, token, world.units["A1a"].id, moved_edge())  # a grid, not a community
    assert response.status_code == 422


def test_the_pages_are_for_administrators_only(client, world):
    proposal, _report = proposals.propose_change(community_id=world.units["A1"].id, data=moved_edge(),
                                                 filename="A1.geojson", by=world.admin)
    url = f"/admin/boundary-changes/{proposal.id}"
    make_user("s", "street_staff", [world.units["A"]])
    log_in(client, "s")
    token = csrf_from(client.get("/events").get_data(as_text=True))
    for path in ("/admin/boundary-changes", url, url + "/old.geojson", url + "/new.geojson",
                 f"/admin/boundary-changes/export.geojson?community_id={world.units['A1'].id}"):
        assert client.get(path).status_code == 404, path
    assert client.post(url + "/apply", data={"csrf_token": token, "version": "1"}).status_code == 404
    assert upload(client, token, world.units["A1"].id, moved_edge()).status_code == 404


def test_the_community_export_is_the_file_to_edit(client, world):
    admin_client(client, world)
    response = client.get(f"/admin/boundary-changes/export.geojson?community_id={world.units['A1'].id}")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    features = response.get_json()["features"]
    assert {(f["properties"]["code"], f["properties"]["parent"]) for f in features} == {
        ("T0101", "T01"), ("T010101", "T0101"), ("T010102", "T0101")}
    assert client.get("/admin/boundary-changes/export.geojson?community_id=0").status_code == 404


def test_oversized_upload_is_refused_with_413(app, client, world):
    token = admin_client(client, world)
    # A hand-made multipart body: the test client would spool a large one to an unclosed temp file.
    boundary = "x-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"community_id\"\r\n\r\n{world.units['A1'].id}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.geojson\"\r\n"
            "Content-Type: application/geo+json\r\n\r\n").encode() + b" " * app.config["MAX_CONTENT_LENGTH"] + (
            f"\r\n--{boundary}--\r\n").encode()
    response = client.post("/admin/boundary-changes", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "MB" in response.get_data(as_text=True)


def test_an_out_of_date_preview_answers_422_with_the_new_numbers(client, world, records):
    from grid.places.services import import_boundaries
    token = admin_client(client, world)
    url = upload(client, token, world.units["A1"].id, moved_edge()).headers["Location"]
    seen = version_on(client.get(url).get_data(as_text=True))
    import_boundaries(data=moved_edge(120.1135), filename="other.geojson", by=world.admin)
    refused = client.post(url + "/apply", data={"csrf_token": token, "version": seen})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'data-testid="recheck-changed"' in page and 'data-status="pending"' in page
    assert count_on(page, "households_moved") == 0 and count_on(page, "events_moved") == 0
    assert version_on(page) == str(int(seen) + 1)
    applied = client.post(url + "/apply", data={"csrf_token": token, "version": version_on(page)})
    assert applied.status_code == 303


def test_a_second_upload_for_a_community_links_to_the_pending_one(client, world):
    token = admin_client(client, world)
    url = upload(client, token, world.units["A1"].id, moved_edge()).headers["Location"]
    again = upload(client, token, world.units["A1"].id, moved_edge(120.1135))
    assert again.status_code == 422
    page = again.get_data(as_text=True)
    assert 'data-testid="pending-exists"' in page
    assert re.search(r'href="([^"]+)" data-testid="pending-link"', page).group(1) == url.replace("http://localhost", "")
    assert db.session.scalar(select(func.count()).select_from(BoundaryProposal)) == 1


def test_records_outside_every_grid_are_shown_with_the_households(client, world):
    from tests.places.conftest import register_dispute, report_event
    outside = (120.117, 30.215)
    report_event(world, outside)
    register_dispute(world, outside)
    token = admin_client(client, world)
    shrink = collection(
        feature("T0101", "community", "T01", box(120.10, 30.20, 120.12, 30.21), name="community T0101"),
        feature("T010101", "grid", "T0101", box(120.10, 30.20, 120.11, 30.21)),
        feature("T010102", "grid", "T0101", box(120.11, 30.20, 120.12, 30.21)))
    url = upload(client, token, world.units["A1"].id, shrink).headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert count_on(page, "events_outside_grids") == 1 and count_on(page, "disputes_outside_grids") == 1
    assert 'data-testid="records-outside-hint"' in page


def test_the_map_draws_the_configured_base_map(app, client, world):
    from shapely.geometry import shape as to_geometry

    from grid.geo import gcj02
    token = admin_client(client, world)
    url = upload(client, token, world.units["A1"].id, moved_edge()).headers["Location"]
    try:
        app.config["BASEMAP"] = "osm"
        page = client.get(url).get_data(as_text=True)
        assert 'data-basemap="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in page
        assert 'data-attribution="© OpenStreetMap contributors"' in page and 'data-datum="wgs84"' in page
        app.config["BASEMAP"] = "gaode"
        page = client.get(url).get_data(as_text=True)
        assert 'data-datum="gcj02"' in page and "autonavi.com" in page
        for name in ("old", "new"):
            plain = client.get(f"{url}/{name}.geojson").get_json()["features"]
            shifted = client.get(f"{url}/{name}.geojson?datum=gcj02").get_json()["features"]
            for before, after in zip(plain, shifted):
                x, y = shapely.get_coordinates(to_geometry(before["geometry"]))[0]
                moved = shapely.get_coordinates(to_geometry(after["geometry"]))[0]
                assert tuple(moved) == pytest.approx(gcj02.to_gcj02(x, y), abs=2e-7)
                assert after["properties"] == before["properties"]
    finally:
        app.config["BASEMAP"] = "none"
    assert "data-basemap" not in client.get(url).get_data(as_text=True)
