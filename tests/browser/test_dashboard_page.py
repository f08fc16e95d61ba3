"""The street office opens its dashboard on the demo district: on a 360 px
phone (one column, every card loaded, nothing wider than the screen, a
number taps through to its list) and on a desktop screen (cards side by side)."""
from playwright.sync_api import Page, expect

from tests.browser.test_phone_flows import assert_fits_the_phone, assert_touch_targets, log_in

CARDS = ("headline", "visits", "events", "units", "disputes", "care")


def open_dashboard(page: Page) -> None:
    page.goto("/dashboard")
    # Each card is its own request; on a busy test machine they take a while.
    for name in CARDS:
        expect(page.get_by_test_id(f"dashboard-{name}")).to_be_visible(timeout=20_000)
    expect(page.locator(".dashboard-loading")).to_have_count(0)


def test_street_office_dashboard_on_a_phone(phone: Page, screenshot):
    log_in(phone, "jiedao")
    open_dashboard(phone)
    expect(phone.locator("svg.chart")).to_have_count(2)
    assert_fits_the_phone(phone)
    assert_touch_targets(phone, ".bar-row-body, .dashboard-tools a, .unit-links a")
    # One column: every card starts at the same left edge.
    lefts = {round(box["x"]) for box in (phone.get_by_test_id(f"dashboard-{n}").bounding_box() for n in CARDS)}
    assert len(lefts) == 1
    screenshot(phone, "70-dashboard-phone")

    overdue = phone.get_by_test_id("dashboard-headline").locator('[data-number="overdue_events"] a')
    count = int(overdue.inner_text())
    assert 0 < count <= 30       # the demo has overdue events, all on the inbox's first page
    overdue.tap()
    # The list behind the number: the inbox's open tab, red light, this street only, as many rows.
    expect(phone.locator("[data-testid=inbox] > li")).to_have_count(count)
    assert "light=red" in phone.url and "tab=open" in phone.url

    phone.go_back()
    phone.get_by_role("link", name="6 个月").tap()
    expect(phone.get_by_test_id("dashboard-events").locator("[data-month]")).to_have_count(6)
    assert phone.js_errors == []


def test_street_office_dashboard_on_a_desktop(browser, live_server, screenshot):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}, has_touch=True, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        log_in(page, "jiedao")
        open_dashboard(page)
        # Two columns below the full-width headline.
        visits, events = (page.get_by_test_id(f"dashboard-{n}").bounding_box() for n in ("visits", "events"))
        assert abs(visits["y"] - events["y"]) < 2 and events["x"] > visits["x"] + visits["width"]
        screenshot(page, "71-dashboard-desktop")
        page.get_by_test_id("print-link").click()
        expect(page.get_by_test_id("print")).to_be_visible()
        expect(page.get_by_test_id("dashboard-care")).to_be_visible()
        screenshot(page, "72-dashboard-print")
        assert errors == []
    finally:
        context.close()
