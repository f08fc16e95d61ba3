"""A community user imports a ledger with bad rows, sees every problem, then a good file."""
from shapely.geometry import shape
from playwright.sync_api import Page, expect

from grid.places.demo_geometry import build_demo_district
from tests.browser.test_phone_flows import assert_fits_the_phone, log_in
from tests.factories import valid_id
from tests.registry.ledger_files import ledger


def inside_demo_grid(code: str) -> tuple[float, float]:
    feature = next(f for f in build_demo_district()["features"] if f["properties"]["code"] == code)
    point = shape(feature["geometry"]).representative_point()
    return round(point.x, 6), round(point.y, 6)


def test_community_user_sees_every_error_then_imports(phone: Page, screenshot, tmp_path):
    lon, lat = inside_demo_grid("330199001001002")
    good_id, child_id = valid_id("19420304", "222"), valid_id("20160707", "331")
    bad = ledger(
        households=[{"户编号": "X1", "社区编码": "330199001001", "门牌地址": "导入路1号", "经度": lon, "纬度": lat},
                    {"户编号": "X2", "社区编码": "330199001001", "门牌地址": "导入路2号", "经度": "不知道", "纬度": lat}],
        residents=[{"户编号": "X1", "姓名": "赵大", "身份证号": good_id[:-1] + ("1" if good_id[-1] != "1" else "2"),
                    "与户主关系": "户主"},
                   {"户编号": "X9", "姓名": "赵二", "与户主关系": "子女"}],
        children=[{"身份证号": child_id, "类别": "留守儿童", "风险等级": "一般", "监护人关系": "祖父"}])
    good = ledger(
        households=[{"户编号": "X1", "社区编码": "330199001001", "门牌地址": "导入路1号", "经度": lon, "纬度": lat}],
        residents=[{"户编号": "X1", "姓名": "赵大", "身份证号": good_id, "与户主关系": "户主"},
                   {"户编号": "X1", "姓名": "赵小", "身份证号": child_id, "与户主关系": "孙子女"}],
        children=[{"身份证号": child_id, "类别": "留守儿童", "风险等级": "一般", "监护人": "赵大", "监护人关系": "祖父"}])
    (tmp_path / "bad.xlsx").write_bytes(bad)
    (tmp_path / "good.xlsx").write_bytes(good)

    log_in(phone, "shequ")
    phone.get_by_role("link", name="台账").tap()
    expect(phone.get_by_test_id("template")).to_be_visible()
    phone.set_input_files("input[type=file]", str(tmp_path / "bad.xlsx"))
    phone.get_by_role("button", name="仅检查").tap()
    problems = phone.get_by_test_id("ledger-problem")
    expect(problems).to_have_count(5)
    for text in ("最后一位应为", "不是数字", "没有户编号 X9", "监护人"):
        expect(phone.locator("#import-report")).to_contain_text(text)
    assert_fits_the_phone(phone)
    screenshot(phone, "20-ledger-errors")

    phone.set_input_files("input[type=file]", str(tmp_path / "good.xlsx"))
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.get_by_role("button", name="检查并导入").tap()
    expect(phone.locator("#import-report")).to_contain_text("已导入 1 户、2 名居民")
    screenshot(phone, "21-ledger-imported")
