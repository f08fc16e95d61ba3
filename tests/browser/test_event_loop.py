"""The closed loop on phones (上报 → 签收 → 处置 → 核查 → 结案): a grid worker
reports a blocked fire escape, the community escalates it, the street office
dispatches it to 城管, the department reports the fix, and the worker verifies
on site and closes it with the resident's satisfaction."""
import io
import re

from PIL import Image
from playwright.sync_api import Page, expect
from shapely.geometry import shape

from grid.places.demo_geometry import build_demo_district
from tests.browser.test_phone_flows import assert_fits_the_phone, assert_touch_targets, log_in

GRID_CODE = "330199001001001"   # 朝晖第1网格, wanggeyuan's grid


def inside_the_grid() -> tuple[float, float]:
    feature = next(f for f in build_demo_district()["features"] if f["properties"]["code"] == GRID_CODE)
    point = shape(feature["geometry"]).representative_point()
    return point.y, point.x


def photo_file() -> dict:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 60)).save(out, "JPEG")
    return {"name": "fixed.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def new_phone(browser, live_server, *, lat=30.29, lon=120.16):
    context = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 740}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  geolocation={"latitude": lat, "longitude": lon, "accuracy": 10},
                                  permissions=["geolocation"])
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    return page


def take(page: Page, action: str, **fill) -> None:
    """Open an action on the event page, fill it in and send it."""
    block = page.locator(f"details[data-action={action}]")
    if block.get_attribute("open") is None:
        block.locator("summary").tap()
    for selector, value in fill.items():
        field = block.locator(selector)
        if selector.startswith("select"):
            field.select_option(label=value)
        elif selector.startswith("input[type=file]"):
            field.set_input_files(value)
        elif "type=radio" in selector:
            field.check()
        else:
            field.fill(value)
    block.get_by_test_id(f"do-{action}").tap()
    page.wait_for_load_state("networkidle")


def open_event(page: Page, number: str) -> None:
    page.goto("/events")
    page.locator("[data-testid=event-row]", has_text=number).tap()
    expect(page.get_by_role("heading", name=re.compile(number))).to_be_visible()


def test_the_closed_loop_on_phones(browser, live_server, screenshot):
    lat, lon = inside_the_grid()
    worker = new_phone(browser, live_server, lat=lat, lon=lon)
    log_in(worker, "wanggeyuan")
    worker.get_by_test_id("report-event").tap()                          # tap 1
    expect(worker.locator("input[name=lat]")).not_to_have_value("", timeout=15_000)   # GPS asked at once
    worker.get_by_label("消防", exact=True).check()                        # tap 2
    worker.get_by_label("有什么问题").fill("3单元楼道堆放电动车，堵塞消防通道")
    assert_fits_the_phone(worker)
    assert_touch_targets(worker, "form[data-testid=event-form] .chip")
    screenshot(worker, "40-event-report")
    worker.get_by_test_id("submit-event").tap()                           # tap 3
    heading = worker.get_by_role("heading", level=1)
    expect(heading).to_contain_text("消防")
    number = re.search(r"\d{8}-\d{4}", heading.inner_text()).group(0)
    expect(worker.get_by_test_id("state")).to_have_text("待签收")
    screenshot(worker, "41-event-reported")

    community = new_phone(browser, live_server)
    log_in(community, "shequ")
    expect(community.get_by_test_id("unread")).to_be_visible()
    expect(community.get_by_test_id("event-todo")).to_be_visible()
    community.goto("/events")
    # The demo's events give the inbox every light, worst first.
    lights = community.locator("[data-testid=inbox] [data-light]").evaluate_all("els => els.map(e => e.dataset.light)")
    assert lights == sorted(lights, key=["red", "yellow", "green"].index) and "red" in lights
    assert_fits_the_phone(community)
    screenshot(community, "45-event-inbox")
    open_event(community, number)
    expect(community.locator("[data-light]").first).to_be_visible()
    take(community, "sign")
    take(community, "escalate", textarea="居民楼多处堵塞，需街道协调城管")
    expect(community.get_by_test_id("state")).to_have_text("待签收")
    screenshot(community, "42-event-escalated")

    street = new_phone(browser, live_server)
    log_in(street, "jiedao")
    open_event(street, number)
    take(street, "sign")
    take(street, "dispatch", select="城市管理局")
    expect(street.get_by_test_id("timeline")).to_contain_text("城市管理局")

    department = new_phone(browser, live_server)
    log_in(department, "chengguan")
    open_event(department, number)
    take(department, "sign")
    take(department, "report_result", **{"textarea": "已清理楼道，电动车移至集中充电点",
                                         "input[type=file]": photo_file()})
    expect(department.get_by_test_id("state")).to_have_text("待核查")
    assert_fits_the_phone(department)
    screenshot(department, "43-event-result-reported")

    worker.goto("/tasks")
    verify = worker.get_by_test_id("to-verify")
    expect(verify).to_contain_text(number)
    verify.locator("[data-testid=event-row]", has_text=number).tap()
    take(worker, "verify_close", **{"input[type=radio][value=satisfied]": True})
    expect(worker.get_by_test_id("state")).to_have_text("已结案")
    expect(worker.get_by_test_id("timeline")).to_contain_text("核查")
    assert_fits_the_phone(worker)
    screenshot(worker, "44-event-closed")
    for page in (worker, community, street, department):
        assert page.js_errors == []
