"""The grid worker's day on a 360 px phone: the task list, a visit at the door
(the overdue task goes), and a visit without a location fix that the grid
leader is asked to confirm."""
from playwright.sync_api import Page, expect

from tests.browser.conftest import CHROMIUM_ARGS  # noqa: F401  (same browser settings)
from tests.browser.test_phone_flows import assert_fits_the_phone, log_in


def open_first_overdue(page: Page) -> str:
    page.goto("/tasks?kind=elderly")
    overdue = page.locator(".task-overdue[data-testid=task]")
    expect(overdue.first).to_be_visible()
    record = overdue.first.get_attribute("data-record")
    overdue.first.get_by_test_id("visit-button").tap()   # one tap from the home screen to the form
    expect(page.get_by_role("heading", name="记录走访")).to_be_visible()
    return record


def test_visit_at_the_door_clears_the_overdue_task(phone: Page, screenshot):
    log_in(phone, "wanggeyuan")
    expect(phone.get_by_test_id("overdue-badge")).to_be_visible()
    before = int(phone.get_by_test_id("overdue-badge").inner_text())
    assert phone.url.endswith("/tasks")          # the worker's phone opens on the task list
    assert_fits_the_phone(phone)
    screenshot(phone, "30-task-list")

    record = open_first_overdue(phone)
    form = phone.locator("[data-visit-form]")
    home = float(form.get_attribute("data-home-lat")), float(form.get_attribute("data-home-lon"))
    phone.context.set_geolocation({"latitude": home[0] + 0.0002, "longitude": home[1], "accuracy": 12})
    phone.reload()
    expect(phone.locator("[data-location-status]")).to_contain_text("米", timeout=15_000)
    for subject in ("健康", "精神状态", "水电气安全"):
        phone.locator(".selfcare-row", has_text=subject).get_by_label("正常").check()
    assert_fits_the_phone(phone)
    screenshot(phone, "31-visit-form")
    phone.get_by_test_id("save-visit").tap()
    expect(phone.get_by_test_id("visit-saved")).to_be_visible()
    expect(phone.get_by_text("在户内")).to_be_visible()
    screenshot(phone, "32-visit-saved")

    phone.goto("/tasks?kind=elderly")
    expect(phone.locator(f".task-overdue[data-record='{record}']")).to_have_count(0)
    assert int(phone.get_by_test_id("overdue-badge").inner_text()) == before - 1
    assert phone.js_errors == []


def test_visit_without_a_fix_is_flagged_for_the_grid_leader(browser, live_server, screenshot):
    context = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, locale="zh-CN", permissions=[])   # geolocation refused
    page = context.new_page()
    log_in(page, "wanggeyuan")
    open_first_overdue(page)
    expect(page.locator("[data-location-status]")).to_contain_text("说明原因", timeout=15_000)
    page.get_by_test_id("save-visit").tap()
    expect(page.locator("#off_site_reason-error")).to_contain_text("未获取到定位")
    page.get_by_label("说明原因", exact=False).fill("老人住地下室，手机没有信号")
    page.get_by_test_id("save-visit").tap()
    expect(page.get_by_test_id("visit-flag")).to_be_visible()
    screenshot(page, "33-visit-flagged")
    context.close()

    leader = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 740}, is_mobile=True,
                                 has_touch=True, locale="zh-CN").new_page()
    log_in(leader, "wanggezhang")
    flagged = leader.get_by_test_id("flagged")
    expect(flagged).to_contain_text("老人住地下室，手机没有信号")
    assert_fits_the_phone(leader)
    screenshot(leader, "34-leader-confirms")
    leader.context.close()
