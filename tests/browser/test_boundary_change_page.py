"""An administrator moves the line between two grids of a demo community: the
preview shows what would move and both boundaries on the map; applying moves
exactly that."""
import itertools
import json

from playwright.sync_api import Page, expect
from shapely.geometry import mapping, shape

from grid.places.demo_geometry import DISTRICT_CODE
from tests.browser.test_phone_flows import log_in

# 华丰社区: no demo account works there, so the walks of the other browser tests
# do not see its grids change.
COMMUNITY = f"{DISTRICT_CODE}002003"
COUNTS = ("households_moved", "events_moved", "disputes_moved", "households_outside_grids")


def moved_line(export: dict, strip_deg: float = 0.0008) -> bytes:
    """The community's grids with the line between the two sharing the longest
    edge moved: a strip ~80 m wide of the second passes to the first."""
    grids = {f["properties"]["code"]: f for f in export["features"] if f["properties"]["level"] == "grid"}
    shapes = {code: shape(f["geometry"]) for code, f in grids.items()}
    a, b = max(itertools.combinations(sorted(shapes), 2),
               key=lambda pair: shapes[pair[0]].boundary.intersection(shapes[pair[1]].boundary).length)
    strip = shapes[b].intersection(shapes[a].buffer(strip_deg))
    grids[a]["geometry"] = mapping(shapes[a].union(strip))
    grids[b]["geometry"] = mapping(shapes[b].difference(strip))
    return json.dumps({"type": "FeatureCollection", "features": list(grids.values())}).encode()


def counts(page: Page) -> dict[str, int]:
    return {key: int(page.get_by_test_id(f"count-{key}").get_attribute("data-count")) for key in COUNTS}


def test_admin_previews_then_applies_a_boundary_change(desk: Page, screenshot, tmp_path):
    log_in(desk, "admin")
    desk.goto("/admin/boundary-changes")
    community_id = desk.locator("#community option", has_text=COMMUNITY).get_attribute("value")
    export = desk.request.get(f"/admin/boundary-changes/export.geojson?community_id={community_id}").json()
    (tmp_path / "huafeng.geojson").write_bytes(moved_line(export))

    desk.select_option("#community", community_id)
    desk.set_input_files("#file", str(tmp_path / "huafeng.geojson"))
    with desk.expect_navigation():
        desk.get_by_test_id("preview").click()
    expect(desk.get_by_test_id("status")).to_have_attribute("data-status", "pending")
    preview = counts(desk)
    assert preview["households_moved"] > 0, preview  # ~80 m of a grid holds some of the demo's households
    # Before: the community and its grids; after: the grids of the file.
    grids = len(export["features"]) - 1
    expect(desk.get_by_test_id("map")).to_have_attribute("data-loaded", f"{grids + 1},{grids}")
    desk.get_by_test_id("map").scroll_into_view_if_needed()
    screenshot(desk, "90-boundary-change-preview")

    desk.get_by_test_id("map-toggle").get_by_role("button").nth(2).click()  # after only
    expect(desk.get_by_test_id("map")).to_have_attribute("data-showing", "new")
    assert desk.locator(".leaflet-overlay-pane path[stroke-dasharray]").count() == 0

    with desk.expect_navigation():
        desk.get_by_test_id("apply").click()
    expect(desk.get_by_test_id("status")).to_have_attribute("data-status", "applied")
    assert counts(desk) == preview
    expect(desk.get_by_test_id("changed-units").locator("a")).to_have_count(2)
    screenshot(desk, "91-boundary-change-applied")
    desk.locator("main").get_by_role("link", name="边界调整", exact=True).click()
    expect(desk.get_by_test_id("proposals").locator("a").first).to_contain_text("华丰社区")
    screenshot(desk, "92-boundary-changes-list")
    assert not desk.js_errors, desk.js_errors
