"""The street office's map in the demo district: grids coloured by overdue
events and by visit coverage, a grid's side panel, the events layer, the
community level, one landscape A4 page in print, the phone's bottom sheet;
and no personal data in any of the map's responses over the whole demo."""
import json
import re

from playwright.sync_api import Page, expect

from grid import create_app
from grid.demo import DEMO_PASSWORD
from grid.extensions import db
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_agreement_print import count_pdf_pages
from tests.browser.test_phone_flows import assert_fits_the_phone, assert_touch_targets, log_in
from tests.conftest import TEST_CONFIG, database_url
from tests.maps.privacy import leaks, personal_values

LOADED = '[data-street-map][data-areas-loaded]:not([data-areas-loaded=""]):not([data-areas-loaded="error"])'


def desk_log_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("用户名或手机号").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def area_fills(page: Page) -> list[str]:
    return page.locator("path.smap-area").evaluate_all("els => els.map(e => e.getAttribute('fill'))")


def click_map_centre(page: Page) -> None:
    box = page.locator("[data-map-canvas]").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_street_office_map_on_a_desk(desk: Page, screenshot):
    desk_log_in(desk, "jiedao")
    desk.goto("/map")
    desk.wait_for_selector(LOADED)
    assert re.search(r"/units/\d+/map$", desk.url)
    grids = int(desk.locator("[data-street-map]").get_attribute("data-areas-loaded"))
    assert grids >= 18
    expect(desk.locator("path.smap-area")).to_have_count(grids)
    legend = desk.locator("[data-legend]")
    expect(legend.locator(".smap-legend-title")).to_have_text("逾期事件")
    expect(legend.locator(".smap-legend-row").first).to_contain_text("0")
    # Coloured: some grids have overdue events and some have none.
    assert len(set(area_fills(desk))) >= 2
    screenshot(desk, "60-street-map-overdue")

    desk.get_by_label("着色指标").select_option("visit_coverage")
    expect(legend.locator(".smap-legend-title")).to_have_text("本月走访覆盖率")
    expect(legend.locator(".smap-legend-row")).to_have_text(["<60%", "60–80%", "80–95%", "≥95%", "无数据"])
    desk.wait_for_selector(LOADED)
    assert "measure=visit_coverage" in desk.url            # a reload or a printout shows the same map
    assert len(set(area_fills(desk))) >= 1
    screenshot(desk, "61-street-map-coverage")

    click_map_centre(desk)
    panel = desk.get_by_test_id("map-panel")
    expect(panel).to_be_visible()
    expect(panel.locator("h2")).to_contain_text("网格")
    expect(panel.locator("[data-measure=visit_coverage] dd").first).to_contain_text("%")
    expect(panel.get_by_role("link", name="在办事件")).to_have_attribute("href", re.compile(r"/events\?.*unit=\d+"))
    expect(panel.get_by_role("link", name="住户")).to_have_attribute("href", re.compile(r"/households\?unit=\d+"))
    screenshot(desk, "62-street-map-panel")

    desk.get_by_role("checkbox", name="事件").check()
    desk.wait_for_selector("[data-street-map][data-points-events]")
    mode, count = desk.locator("[data-street-map]").get_attribute("data-points-events").split(":")
    assert mode in ("grids", "clusters") and int(count) > 0
    desk.get_by_role("radio", name="社区").check()
    expect(desk.locator("[data-street-map]")).to_have_attribute("data-areas-loaded", "3")
    screenshot(desk, "63-street-map-communities-events")
    assert desk.js_errors == []


def test_the_map_prints_on_one_landscape_a4_page(desk: Page):
    desk_log_in(desk, "jiedao")
    desk.goto("/map?measure=overdue_events")
    desk.wait_for_selector(LOADED)
    click_map_centre(desk)
    expect(desk.get_by_test_id("map-panel")).to_be_visible()
    desk.emulate_media(media="print")
    desk.wait_for_timeout(400)                              # the map refits to the sheet
    expect(desk.locator("[data-legend]")).to_be_visible()
    for hidden in (".mainnav", ".smap-bar", "#map-panel", ".leaflet-control-zoom"):
        expect(desk.locator(hidden)).to_be_hidden()
    expect(desk.locator(".smap-print-title")).to_contain_text("东新街道")
    pdf = desk.pdf(format="A4", landscape=True, print_background=True, prefer_css_page_size=True)
    (ARTIFACTS / "64-street-map-print.pdf").write_bytes(pdf)
    assert count_pdf_pages(pdf) == 1
    desk.screenshot(path=str(ARTIFACTS / "64-street-map-print.png"))


def test_street_office_map_on_a_phone(phone: Page):
    log_in(phone, "jiedao")
    phone.goto("/map?measure=visit_coverage")
    phone.wait_for_selector(LOADED)
    assert_fits_the_phone(phone)
    assert_touch_targets(phone, ".smap-bar select, .smap-bar .chip, .smap-level label, .leaflet-control-zoom a")
    click_map_centre(phone)
    panel = phone.get_by_test_id("map-panel")
    expect(panel).to_be_visible()
    expect(phone.locator("#map-panel.is-open")).to_be_in_viewport()
    assert_touch_targets(phone, "#map-panel .button, #map-panel [data-panel-close]")
    # What the phone shows (the sheet is fixed to the screen, a full-page capture would misplace it).
    phone.screenshot(path=str(ARTIFACTS / "65-street-map-phone-panel.png"))
    phone.locator("[data-panel-close]").tap()
    expect(phone.locator("#map-panel.is-open")).to_have_count(0)
    assert phone.js_errors == []


def test_no_map_response_of_the_demo_names_a_person(desk: Page):
    """Every map response the street office can get in the demo district
    (about 10,000 households), scanned for every personal value stored."""
    app = create_app({**TEST_CONFIG, "TESTING": False,
                      "DATABASE_URL": database_url("_browser").render_as_string(hide_password=False)})
    with app.app_context():
        personal = personal_values(app)
        db.session.remove()
        db.engine.dispose()
    assert len(personal) > 20_000
    desk_log_in(desk, "jiedao")
    desk.goto("/map")
    desk.wait_for_selector(LOADED)
    base = desk.url.split("?")[0]
    urls = [base]
    for measure in ("overdue_events", "open_events", "visit_coverage", "open_disputes", "elderly_records",
                    "child_records"):
        for level in ("grid", "community"):
            urls.append(f"{base}/areas.json?measure={measure}&level={level}&zoom=14")
    for layer in ("events", "disputes", "care"):
        for zoom in (12, 15, 18):
            urls.append(f"{base}/points.json?layer={layer}&zoom={zoom}")
    grid_ids = [f["id"] for f in desk.request.get(urls[1]).json()["features"]]
    urls += [f"{base}/grids/{grid_id}/panel" for grid_id in grid_ids]
    for url in urls:
        response = desk.request.get(url, headers={"HX-Request": "true"} if "/panel" in url else {})
        assert response.ok, url
        text = response.text()
        if "json" in response.headers["content-type"]:
            text = json.dumps(response.json(), ensure_ascii=False)
        assert leaks(personal, text) == [], url
