"""The flows people use, on a 360 px phone: log in as a grid worker and as
street office staff, reach the home pages, see the map, use an htmx form."""
from pathlib import Path

from playwright.sync_api import Page, expect

from grid.demo import DEMO_PASSWORD

DATA = Path(__file__).resolve().parents[1] / "data" / "boundaries"


def log_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("用户名或手机号").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    # Wait for the login's redirect itself: on a loaded machine "networkidle"
    # can come before it starts, and the next goto then aborts it.
    with page.expect_navigation():
        page.get_by_role("button", name="登录").tap()
    page.wait_for_load_state("networkidle")


def assert_fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide on a 360px screen"


def assert_touch_targets(page: Page, selector: str) -> None:
    for box in page.locator(selector).evaluate_all("els => els.map(e => e.getBoundingClientRect().height)"):
        # A box moved by a transform (the map's sliding panel) measures 43.99997 px:
        # layout rounding, not a smaller target.
        assert box >= 44 - 0.01, f"{selector} is {box}px tall"


def test_grid_worker_logs_in_and_opens_their_grid(phone: Page, screenshot):
    phone.goto("/login")
    expect(phone.get_by_role("heading", name="登录")).to_be_visible()
    assert_fits_the_phone(phone)
    screenshot(phone, "00-login")
    log_in(phone, "wanggeyuan")
    expect(phone.get_by_role("heading", name="我的网格")).to_be_visible()
    cards = phone.get_by_test_id("grid-card")
    expect(cards).to_have_count(1)
    assert_fits_the_phone(phone)
    assert_touch_targets(phone, ".mainnav a, [data-testid=grid-card]")
    screenshot(phone, "01-grid-worker-home")
    cards.first.tap()
    expect(phone.locator("[data-map][data-loaded]")).to_have_attribute("data-loaded", "1")
    expect(phone.locator("path.leaflet-interactive")).to_have_count(1)
    assert_fits_the_phone(phone)
    screenshot(phone, "02-grid-page")
    assert phone.js_errors == []


def test_street_office_sees_its_boundaries_on_the_map(phone: Page, screenshot):
    log_in(phone, "jiedao")
    expect(phone.get_by_role("heading", name="东新街道")).to_be_visible()
    the_map = phone.locator("[data-map]")
    phone.wait_for_function("document.querySelector('[data-map]').dataset.loaded !== undefined")
    loaded = int(the_map.get_attribute("data-loaded"))
    grids = phone.locator("h2:has-text('网格') + ul li").count()
    assert loaded == 1 + 3 + grids and grids >= 18  # the street, its 3 communities, its grids
    expect(phone.locator(".leaflet-overlay-pane path")).to_have_count(loaded)
    # Grids take the taps; street and community outlines are drawn over them.
    expect(phone.locator("path.leaflet-interactive")).to_have_count(grids)
    assert_fits_the_phone(phone)
    screenshot(phone, "03-street-office-home")
    phone.locator("path.leaflet-interactive").nth(3).tap()
    popup = phone.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("网格")
    screenshot(phone, "03b-map-popup")
    popup.get_by_role("link", name="打开").tap()
    expect(phone.locator("p.muted").first).to_contain_text("网格 · 330199001")
    phone.go_back()
    phone.locator("h2:has-text('社区') + ul a").first.tap()
    expect(phone.get_by_text("社区 · 330199001")).to_be_visible()
    screenshot(phone, "04-community-page")
    assert phone.js_errors == []


def test_out_of_scope_grid_is_not_found(phone: Page, screenshot, live_server):
    log_in(phone, "wanggeyuan")
    response = phone.goto("/units/1")  # the district
    assert response.status == 404
    expect(phone.get_by_text("页面不存在或您无权访问")).to_be_visible()
    screenshot(phone, "05-not-found")


def test_admin_checks_a_bad_boundary_file_with_htmx(phone: Page, screenshot):
    log_in(phone, "admin")
    phone.goto("/admin/boundaries")
    phone.set_input_files("input[type=file]", str(DATA / "bowtie.geojson"))
    phone.get_by_role("button", name="仅检查").tap()
    report = phone.locator("#import-report")
    expect(report).to_be_visible()
    expect(report.locator("tr.error")).to_have_count(1)
    expect(report).to_contain_text("自相交")
    assert phone.url.endswith("/admin/boundaries")  # swapped in place, no full reload
    assert_fits_the_phone(phone)
    screenshot(phone, "06-boundary-check")
    assert phone.js_errors == []


def test_logout_ends_the_session(phone: Page):
    log_in(phone, "shequ")
    phone.get_by_test_id("logout").tap()
    expect(phone.get_by_role("heading", name="登录")).to_be_visible()
    phone.goto("/")
    assert "/login" in phone.url


def test_admin_adds_a_worker_who_sets_a_password_at_first_login(phone: Page, screenshot, browser, live_server):
    log_in(phone, "admin")
    phone.get_by_role("link", name="用户").tap()
    phone.get_by_role("link", name="新建用户").tap()
    phone.get_by_label("用户名或手机号").fill("13912345678")
    phone.get_by_label("姓名").fill("王小明")
    phone.get_by_label("角色").select_option("grid_worker")
    phone.get_by_label("朝晖第4网格").check()
    phone.get_by_label("临时密码").fill("first-day-2026")
    assert_fits_the_phone(phone)
    screenshot(phone, "07-new-user-form")
    phone.get_by_role("button", name="保存").tap()
    expect(phone.get_by_role("status")).to_contain_text("13912345678")

    worker = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 740},
                                 is_mobile=True, has_touch=True, locale="zh-CN").new_page()
    worker.goto("/login")
    worker.get_by_label("用户名或手机号").fill("13912345678")
    worker.get_by_label("密码").fill("first-day-2026")
    worker.get_by_role("button", name="登录").tap()
    expect(worker.get_by_role("heading", name="修改密码")).to_be_visible()
    worker.get_by_label("当前密码").fill("first-day-2026")
    worker.get_by_label("新密码", exact=True).fill("my-own-pass-88")
    worker.get_by_label("确认新密码").fill("my-own-pass-88")
    screenshot(worker, "08-first-login-password")
    worker.get_by_role("button", name="修改密码").tap()
    expect(worker.get_by_role("heading", name="我的网格")).to_be_visible()
    expect(worker.get_by_test_id("grid-card")).to_contain_text("朝晖第4网格")
    worker.context.close()
