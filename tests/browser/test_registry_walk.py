"""A grid worker on a 360 px phone: find a household, open it, add a resident
(a mistyped ID first), then add an elderly record for them."""
from playwright.sync_api import Page, expect

from tests.browser.test_phone_flows import assert_fits_the_phone, log_in
from tests.factories import valid_id


def test_worker_finds_a_household_adds_a_resident_and_an_elderly_record(phone: Page, screenshot):
    log_in(phone, "wanggeyuan")
    phone.get_by_role("link", name="住户").tap()
    rows = phone.get_by_test_id("household-row")
    expect(rows.first).to_be_visible()
    street = rows.first.locator("strong").inner_text()[:3]   # e.g. 朝晖路
    phone.get_by_role("searchbox").fill(street)
    expect(phone.get_by_role("status").first).to_contain_text("户")
    phone.wait_for_load_state("networkidle")
    assert all(street in text for text in rows.locator("strong").all_inner_texts())
    assert_fits_the_phone(phone)
    screenshot(phone, "10-household-search")

    rows.first.tap()
    expect(phone.get_by_role("heading", name="家庭成员", exact=False)).to_be_visible()
    members_before = phone.get_by_test_id("member").count()
    assert "*" in phone.locator(".masked").first.inner_text()  # ID numbers masked
    screenshot(phone, "11-household-page")

    phone.get_by_test_id("add-resident").tap()
    good = valid_id("19480315", "222")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    phone.get_by_label("姓名").fill("李桂英")
    phone.get_by_label("身份证号").fill(bad)
    phone.get_by_label("与户主关系").select_option("parent")
    phone.get_by_role("button", name="保存").tap()
    error = phone.locator("#id_number-error")
    expect(error).to_contain_text("最后一位应为")
    assert_fits_the_phone(phone)
    screenshot(phone, "12-bad-id-number")

    phone.get_by_label("身份证号").fill(good)
    phone.get_by_role("button", name="保存").tap()
    expect(phone.get_by_test_id("member")).to_have_count(members_before + 1)
    card = phone.get_by_test_id("member").filter(has_text="李桂英")
    expect(card).to_contain_text(good[:6] + "********" + good[-4:])

    card.get_by_test_id("add-elderly").tap()
    phone.get_by_label("独居").check()
    phone.get_by_label("风险等级").select_option("key")
    for item in ("吃饭", "穿衣", "上下床", "如厕"):
        phone.locator(".selfcare-row", has_text=item).get_by_label("能", exact=True).check()
    phone.locator(".selfcare-row", has_text="室内走动").get_by_label("需帮助").check()
    phone.locator(".selfcare-row", has_text="洗澡").get_by_label("不能").check()
    phone.get_by_role("button", name="保存").tap()
    expect(phone.get_by_test_id("self-care-result")).to_have_text("部分丧失")
    assert_fits_the_phone(phone)
    screenshot(phone, "13-elderly-record")
    # The mistyped ID was answered with 422 on purpose; nothing else may fail.
    assert [e for e in phone.js_errors if "422" not in e] == []
