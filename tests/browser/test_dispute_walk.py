"""A dispute from the street to the archive, on phones (登记 → 受理 → 调解 →
协议 → 委员会审核 → 回访 → 归档): the grid worker registers a quarrel between
neighbours on the spot, the community's staff accept it, log the mediation
session and record the agreement, the committee's other member approves the
closure, and the grid worker, responsible for keeping it stable, finds the
follow-up on the task list and archives the case; the agreement prints on one
A4 sheet. The demo district already has disputes in every state: this case is
always found by its number."""
import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.support import Translations
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from grid import create_app
from grid.disputes import services
from grid.extensions import db
from grid.places.models import Unit
from grid.registry.models import Household, Resident
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_agreement_print import count_pdf_pages, id_number
from tests.browser.test_event_loop import GRID_CODE, inside_the_grid, photo_file
from tests.browser.test_phone_flows import assert_fits_the_phone, assert_touch_targets, log_in
from tests.conftest import TEST_CONFIG, database_url

CATALOGUE = Translations.load(str(Path(__file__).resolve().parents[2] / "grid" / "translations"), ["zh_Hans_CN"])
FACTS = "4幢2单元502室装修期间连续两周晚上十点后施工，楼下402室住户多次上门理论，双方在楼道发生争吵。"
CLAIMS = "402室要求晚上八点后停止施工并赔礼道歉；502室称工期紧，愿意调整施工时间。"
TERMS = ["502室装修施工时间限于每日8:00至12:00、14:00至18:00，周末不进行噪声作业；",
         "502室向402室当面赔礼道歉，并承担402室吊灯维修费用人民币叁佰元整（¥300.00）；",
         "双方今后遇事友好协商，不再因本次装修噪声发生争执。"]
TYPED_ID = id_number("33010619880214301")
A4_WRITING_WIDTH = round(17 / 2.54 * 96)    # px: what static/css/print.css leaves inside @page's margins


def zh(msgid: str) -> str:
    """What the Chinese page shows for a msgid (the msgid itself until it is translated)."""
    return CATALOGUE.gettext(msgid)


def phone_for(browser, live_server, *, lat=30.29, lon=120.16) -> Page:
    """A phone whose page collects script errors and console errors."""
    context = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 740}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  geolocation={"latitude": lat, "longitude": lon, "accuracy": 10},
                                  permissions=["geolocation"])
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    page.on("console", lambda message: page.js_errors.append(message.text) if message.type == "error" else None)
    return page


@pytest.fixture(scope="module")
def neighbour(live_server) -> str:
    """The name of a resident of the grid in the demo registry (two characters or more, for the search)."""
    app = create_app({**TEST_CONFIG, "TESTING": False,
                      "DATABASE_URL": database_url("_browser").render_as_string(hide_password=False)})
    with app.app_context():
        name = db.session.scalar(
            select(Resident.name).join(Household, Resident.household_id == Household.id)
            .join(Unit, Unit.id == Household.grid_id)
            .where(Unit.code == GRID_CODE, func.char_length(Resident.name) >= 2).order_by(Resident.id).limit(1))
        db.session.remove()
        db.engine.dispose()
    assert name
    return name


def open_action(page: Page, action: str):
    """The action's block on the case page, unfolded."""
    block = page.locator(f"details[data-action={action}]")
    if block.get_attribute("open") is None:
        block.locator("summary").tap()
    return block


def act(page: Page, action: str, **fill) -> None:
    """Open an action on the case page, fill it in, send it."""
    block = open_action(page, action)
    for selector, value in fill.items():
        field = block.locator(selector)
        if selector.startswith("select"):
            field.select_option(value=value)
        elif "type=radio" in selector or "type=checkbox" in selector:
            field.check()
        else:
            field.fill(value)
    block.get_by_test_id(f"do-{action}").tap()
    page.wait_for_load_state("networkidle")


def check_phone_page(page: Page, targets: str) -> None:
    """Measured once the page's stylesheets are in (a page just navigated to may still be loading them)."""
    page.wait_for_load_state("load")
    assert_fits_the_phone(page)
    assert_touch_targets(page, targets)
    assert page.js_errors == [], page.js_errors


CASE_TARGETS = ".mainnav a, details.action > summary, [data-testid=actions] button:visible, a.button, .dispute-actions .check:visible"


def test_a_dispute_from_registration_to_archive_on_phones(browser, live_server, neighbour, screenshot):
    # 1. The grid worker registers the dispute where it happened.
    lat, lon = inside_the_grid()
    worker = phone_for(browser, live_server, lat=lat, lon=lon)
    log_in(worker, "wanggeyuan")
    worker.goto("/tasks")
    worker.get_by_test_id("register-dispute").tap()
    form = worker.get_by_test_id("dispute-form")
    expect(form.locator("input[name=lat]")).not_to_have_value("", timeout=15_000)      # GPS asked at once
    form.locator("label.chip", has=worker.locator("input[name=type][value=neighbour]")).tap()
    expect(form.locator("input[name=type][value=neighbour]")).to_be_checked()
    form.locator("input[name=people_involved]").fill("5")
    form.locator("textarea[name=facts]").fill(FACTS)
    form.locator("textarea[name=claims]").fill(CLAIMS)
    first, second = form.get_by_test_id("party").nth(0), form.get_by_test_id("party").nth(1)
    expect(first.locator("input[value=applicant]")).to_be_checked()
    first.locator("input[data-resident-search]").fill(neighbour)
    match = first.get_by_test_id("resident-match").filter(has_text=neighbour).first
    match.tap()
    link = first.get_by_test_id("resident-link")
    expect(link.locator("input[name='party-0-resident_id']")).to_have_count(1)
    expect(link).to_contain_text(neighbour)
    expect(second.locator("input[value=respondent]")).to_be_checked()
    second.locator("input[name='party-1-name']").fill("赵建军")
    second.locator("select[name='party-1-gender']").select_option(index=1)
    second.locator("input[name='party-1-phone']").fill("13957112345")
    second.locator("input[name='party-1-id_number']").fill(TYPED_ID)
    second.locator("input[name='party-1-address']").fill("朝晖路4幢2单元502室")
    expect(form.locator("select[name=stability_owner_id] option:checked")).to_contain_text("·")   # themselves
    check_phone_page(worker, "form[data-testid=dispute-form] .chip, form[data-testid=dispute-form] button:visible, "
                             "form[data-testid=dispute-form] select, form[data-testid=dispute-form] input[type=search]")
    screenshot(worker, "60-dispute-register")
    worker.get_by_test_id("submit-dispute").tap()
    number_tag = worker.get_by_test_id("number")
    expect(number_tag).to_have_text(re.compile(r"^JF\d{8}-\d{4}$"))
    number = number_tag.inner_text()
    case_url = worker.url
    expect(worker.get_by_test_id("state")).to_have_text(zh("Waiting to be accepted"))
    expect(worker.get_by_test_id("facts")).to_have_text(FACTS)
    parties = worker.get_by_test_id("parties")
    expect(parties).to_contain_text(neighbour)
    expect(parties).to_contain_text(TYPED_ID[:6] + "********" + TYPED_ID[-4:])
    assert TYPED_ID not in worker.content()
    check_phone_page(worker, ".mainnav a, [data-testid=reveal-id], [data-testid=reveal-phone]")
    screenshot(worker, "61-dispute-registered")

    # 2. The community's staff: the bell brings the case; accept, mediate, record the agreement and the outcome.
    staff = phone_for(browser, live_server)
    log_in(staff, "shequ")
    staff.get_by_test_id("bell").tap()
    staff.get_by_test_id("notifications").locator("button", has_text=number).first.tap()
    expect(staff.get_by_test_id("number")).to_have_text(number)
    assert staff.url == case_url
    open_action(staff, "accept")
    check_phone_page(staff, CASE_TARGETS)
    act(staff, "accept", **{"label.check:has-text('刘芳') >> input[type=checkbox]": True})
    expect(staff.get_by_test_id("state")).to_have_text(zh("Mediating"))
    check_phone_page(staff, CASE_TARGETS)

    staff.get_by_test_id("log-session").tap()
    session = staff.get_by_test_id("session-form")
    expect(session.locator("input[name=held_on]")).to_have_value(services.today().isoformat())
    session.locator("input[name=place]").fill("朝晖社区人民调解室")
    session.locator("textarea[name=attendees]").fill(f"{neighbour}、赵建军、调解员刘芳、网格员张伟")
    session.locator("textarea[name=record]").fill(
        "调解员：请双方分别说明情况。\n402室：装修噪声每晚持续到十一点，老人孩子无法休息，吊灯也被震坏。\n"
        "502室：工期紧张，愿意调整施工时间，也愿意赔偿吊灯。\n调解员：依据《噪声污染防治法》，夜间不得进行产生噪声的装修作业。"
        "经调解，双方同意调整施工时间并赔偿。")
    session.locator("input[type=file][name=photos]").set_input_files(photo_file())
    check_phone_page(staff, "form[data-testid=session-form] input:not([type=hidden]), form[data-testid=session-form] button")
    screenshot(staff, "62-dispute-session-form")
    staff.get_by_test_id("submit-session").tap()
    logged = staff.get_by_test_id("session")
    expect(logged).to_have_count(1)
    expect(logged).to_contain_text("朝晖社区人民调解室")
    expect(logged.locator("img.thumb")).to_have_count(1)

    staff.get_by_test_id("agreement").locator("a[href$='/agreement']").tap()
    agreement = staff.get_by_test_id("agreement-form")
    expect(agreement.locator("textarea[name=facts]")).to_have_value(FACTS)
    agreement.locator("textarea[name=matter]").fill("502室夜间装修噪声扰民及402室吊灯损坏的赔偿")
    agreement.locator("textarea[name=terms]").fill("\n".join(TERMS))
    agreement.locator("input[name=performance_manner]").fill("按约定时间施工；微信转账一次性支付维修费用")
    agreement.locator("input[name=performance_place]").fill("朝晖路4幢")
    deadline = services.today() + timedelta(days=2)        # the follow-up shows on the task list within 3 days
    agreement.locator("input[name=performance_deadline]").fill(deadline.isoformat())
    check_phone_page(staff, "form[data-testid=agreement-form] input:not([type=hidden]), "
                            "form[data-testid=agreement-form] button")
    screenshot(staff, "63-dispute-agreement-form")
    staff.get_by_test_id("save-agreement").tap()
    expect(staff.get_by_test_id("agreement")).to_contain_text(TERMS[0])
    act(staff, "record_outcome", select="agreement")
    expect(staff.get_by_test_id("state")).to_have_text(zh("Awaiting committee review"))
    expect(staff.get_by_test_id("outcome")).to_contain_text(zh("Agreement reached"))
    check_phone_page(staff, ".mainnav a, a.button")

    # 3. The committee's other member reviews it in the queue and approves the closure.
    committee = phone_for(browser, live_server)
    log_in(committee, "juweihui")
    committee.goto("/disputes")
    committee.locator("a[href='/disputes/review']").tap()
    card = committee.get_by_test_id("review-card").filter(has_text=number)
    expect(card).to_have_count(1)
    expect(card).to_contain_text(FACTS)
    expect(card.get_by_test_id("session")).to_contain_text("朝晖社区人民调解室")
    expect(card.get_by_test_id("agreement").locator("li")).to_have_count(len(TERMS))
    expect(card.get_by_test_id("outcome")).to_have_text(zh("Agreement reached"))
    check_phone_page(committee, ".mainnav a, [data-testid=review-card] button, [data-testid=review-card] a.button")
    card.scroll_into_view_if_needed()
    screenshot(committee, "64-dispute-review-queue")
    card.get_by_test_id("approve").tap()
    done = committee.get_by_test_id("review-done").filter(has_text=number)
    expect(done).to_contain_text(zh("Follow-up"))
    expect(done).to_contain_text(deadline.isoformat())
    assert committee.js_errors == []

    # 4. The grid worker finds the follow-up on the task list and records it: archived.
    worker.goto("/tasks")
    task = worker.get_by_test_id("dispute-tasks").get_by_test_id("dispute-task").filter(has_text=number)
    expect(task).to_have_count(1)
    expect(task).to_contain_text(deadline.strftime("%m-%d"))
    check_phone_page(worker, ".mainnav a, [data-testid=dispute-task], [data-testid=register-dispute]")
    task.scroll_into_view_if_needed()
    screenshot(worker, "65-dispute-follow-up-task")
    task.tap()
    expect(worker.get_by_test_id("state")).to_have_text(zh("Follow-up"))
    open_action(worker, "follow_up")
    check_phone_page(worker, CASE_TARGETS)
    screenshot(worker, "66-dispute-follow-up-form")
    act(worker, "follow_up", **{"input[type=radio][value=fulfilled]": True,
                                "textarea": "回访：502室已按约定时间施工，维修费用已转账，402室表示满意。"})
    expect(worker.get_by_test_id("state")).to_have_text(zh("Archived"))
    expect(worker.get_by_test_id("actions")).to_have_count(0)
    expect(worker.get_by_test_id("history-follow_up")).to_contain_text(zh("Fulfilled"))
    check_phone_page(worker, ".mainnav a, a.button")
    screenshot(worker, "67-dispute-archived")

    # 5. The agreement on paper: one A4 sheet, numbers masked.
    staff.goto(case_url)
    staff.get_by_test_id("agreement").locator("a[href$='/agreement/print']").tap()
    sheet = staff.get_by_test_id("agreement-sheet")
    expect(sheet.locator(".doc-number")).to_contain_text(number)
    expect(sheet.get_by_test_id("party")).to_have_count(2)
    expect(sheet.get_by_test_id("terms").locator("li")).to_have_count(len(TERMS))
    expect(sheet.get_by_test_id("deadline")).to_be_visible()
    assert TYPED_ID not in staff.content()
    check_phone_page(staff, ".toolbar .tool")
    # Paper is not a phone: the printed page lays out on A4's writing area (21 cm less 2 cm margins each side).
    staff.set_viewport_size({"width": A4_WRITING_WIDTH, "height": 980})
    staff.emulate_media(media="print")
    expect(staff.get_by_test_id("print")).to_be_hidden()
    screenshot(staff, "68-dispute-agreement-print")
    pdf = staff.pdf(format="A4", print_background=True)
    (ARTIFACTS / "69-dispute-agreement-print.pdf").write_bytes(pdf)
    assert count_pdf_pages(pdf) == 1
    for page in (worker, staff, committee):
        assert page.js_errors == [], page.js_errors
        page.wait_for_load_state("networkidle")     # nothing in flight when the phone goes away
        page.context.close()
