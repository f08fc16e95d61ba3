"""The mediation agreement on a phone and on paper: community staff fill in
the agreement form one-handed, open the printable page (masked numbers), and
the page prints to exactly one A4 sheet; the full-ID print is a logged POST."""
import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from grid import create_app
from grid.accounts.models import User
from grid.disputes import services
from grid.extensions import db
from grid.places.models import Unit
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_event_loop import new_phone
from tests.browser.test_phone_flows import assert_fits_the_phone, assert_touch_targets, log_in
from tests.conftest import TEST_CONFIG, database_url

GRID_CODE = "330199001001001"   # 朝晖第1网格 of the demo district


def id_number(first17: str) -> str:
    """A valid ID number (GB 11643 check digit) for made-up people."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights)) % 11]


PARTIES = [("applicant", "李梅", id_number("33010619850312452"), "13812345678", "朝晖路8号3单元402室"),
           ("respondent", "王强", id_number("33010619790606301"), "13900001111", "朝晖路8号3单元502室"),
           ("third", "杭州安居物业管理有限公司（经办人赵磊）", "", "057187654321", "朝晖路10号物业服务中心")]
TERMS = ["王强于2026年12月15日前一次性支付李梅吊顶及墙面维修费用人民币贰仟元整（¥2000.00）；",
         "物业公司于2026年12月10日前安排人员对502室卫生间防水层进行检修，费用由物业公司承担；",
         "检修期间王强予以配合，李梅同意检修完成后再行粉刷吊顶；",
         "维修完成后双方共同验收，如再次发生渗漏，由物业公司负责查明原因并及时处理；",
         "本协议履行完毕后，双方就本次漏水纠纷不再发生其他争议。"]


@pytest.fixture(scope="module")
def case_id(live_server):
    """A case being mediated in the demo district, written through the services
    into the live server's database (the demo has no disputes of its own here)."""
    app = create_app({**TEST_CONFIG, "TESTING": False,
                      "DATABASE_URL": database_url("_browser").render_as_string(hide_password=False)})
    with app.test_request_context():
        def user(name):
            return db.session.scalar(select(User).where(User.username == name))
        grid = db.session.scalar(select(Unit).where(Unit.code == GRID_CODE))
        staff = user("shequ")
        dispute, _created = services.register_dispute(by=staff, now=services.now_utc() - timedelta(days=2), data=services.DisputeInput(
            uuid=str(uuid.uuid4()), type="neighbour", source="request", level="ordinary", grid_id=grid.id,
            address="朝晖路8号3单元", people_involved=3,
            facts="2026年11月上旬起，502室卫生间防水层老化渗水，致402室卫生间吊顶发霉脱落、墙面起皮。402室住户多次上门协商未果，"
                  "双方为维修责任及费用发生争执，并引发口角。经现场查看，渗漏点位于502室卫生间地漏周边。",
            claims="李梅要求王强赔偿吊顶及墙面维修费用3000元并修复防水；王强认为楼体防水属物业维修范围，不应由其承担全部费用。",
            parties=[services.PartyInput(role=r, name=n, id_number=i, phone=p, address=a) for r, n, i, p, a in PARTIES],
            stability_owner_id=user("wanggeyuan").id, mediator_ids=[staff.id], other_mediators="周建国"))
        assert dispute.state == "mediating"     # registered by the community's own staff: accepted at once
        found = dispute.id
        db.session.remove()
    with app.app_context():
        db.engine.dispose()
    return found


def logged_in(page, username: str) -> None:
    log_in(page, username)
    page.wait_for_url(lambda url: "/login" not in url)


def count_pdf_pages(pdf: bytes) -> int:
    try:
        from pypdf import PdfReader
    except ImportError:
        return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    import io
    return len(PdfReader(io.BytesIO(pdf)).pages)


def test_agreement_form_on_a_phone_then_one_printed_a4_page(browser, live_server, case_id, screenshot):
    phone = new_phone(browser, live_server)
    logged_in(phone, "shequ")
    phone.goto(f"/disputes/{case_id}/agreement")
    form = phone.get_by_test_id("agreement-form")
    # Prefilled from the case: its facts, the mediators, the community's committee, a copy per party and one more.
    expect(form.locator("textarea[name=facts]")).to_have_value(re.compile("502室卫生间防水层老化渗水"))
    expect(form.locator("input[name=mediator_names]")).to_have_value("刘芳、周建国")
    expect(form.locator("input[name=committee_name]")).to_have_value(re.compile(r"社区人民调解委员会$"))
    expect(form.locator("input[name=copies]")).to_have_value("4")
    form.locator("textarea[name=matter]").fill("502室卫生间渗漏造成402室损失的维修责任及费用承担")
    form.locator("textarea[name=terms]").fill("\n".join(f"{n}. {t}" for n, t in enumerate(TERMS, 1)))
    form.locator("input[name=performance_manner]").fill("现金或微信转账一次性支付；物业派员上门检修")
    form.locator("input[name=performance_place]").fill("朝晖社区人民调解室")
    deadline = services.today() + timedelta(days=25)
    form.locator("input[name=performance_deadline]").fill(deadline.isoformat())
    assert_fits_the_phone(phone)
    assert_touch_targets(phone, "form[data-testid=agreement-form] input:not([type=hidden]), "
                                "form[data-testid=agreement-form] button")
    phone.screenshot(path=str(ARTIFACTS / "51-agreement-form.png"), full_page=True)
    phone.get_by_test_id("save-agreement").tap()
    phone.wait_for_url(f"**/disputes/{case_id}")                # back to the case page

    phone.goto(f"/disputes/{case_id}/agreement/print")
    sheet = phone.get_by_test_id("agreement-sheet")
    expect(sheet.locator("h1")).to_have_text("人民调解协议书")
    expect(sheet.get_by_test_id("party")).to_have_count(3)
    expect(sheet.get_by_test_id("parties")).to_contain_text(PARTIES[0][2][:6] + "********" + PARTIES[0][2][-4:])
    expect(sheet.get_by_test_id("terms").locator("li")).to_have_count(5)
    expect(sheet.get_by_test_id("terms").locator("li").first).to_have_text("一、" + TERMS[0])
    assert PARTIES[0][2] not in phone.content()
    assert_fits_the_phone(phone)
    assert_touch_targets(phone, ".toolbar .tool")
    screenshot(phone, "52-agreement-print-phone")
    # The print button is wired by static/js (no inline script); the dialog itself is the browser's.
    phone.evaluate("window.print = () => { window.printed = true; }")
    phone.get_by_test_id("print").tap()
    assert phone.evaluate("window.printed") is True

    # On paper: A4, one sheet, the toolbar gone.
    pdf = phone.pdf(format="A4", print_background=True)
    assert count_pdf_pages(pdf) == 1
    (ARTIFACTS / "50-agreement-print.pdf").write_bytes(pdf)
    # The sheet as a desktop screen shows it: 21 cm wide, at least 29.7 cm tall, grown only if it overflowed.
    desk = browser.new_context(base_url=live_server, viewport={"width": 880, "height": 1200}, has_touch=True, locale="zh-CN",
                               timezone_id="Asia/Shanghai")
    paper = desk.new_page()
    paper.js_errors = []
    paper.on("pageerror", lambda error: paper.js_errors.append(str(error)))
    logged_in(paper, "shequ")
    paper.goto(f"/disputes/{case_id}/agreement/print")
    height = paper.get_by_test_id("agreement-sheet").evaluate("e => e.getBoundingClientRect().height")
    assert height <= 29.7 / 2.54 * 96 + 1, f"the sheet is {height}px tall on screen"
    screenshot(paper, "50-agreement-print")
    paper.emulate_media(media="print")
    expect(paper.get_by_test_id("print")).to_be_hidden()

    # The copies the parties sign carry the full numbers: a POST, logged.
    phone.get_by_test_id("print-full").tap()
    expect(phone.get_by_test_id("full-notice")).to_be_visible()
    expect(phone.get_by_test_id("parties")).to_contain_text(PARTIES[0][2])
    assert count_pdf_pages(phone.pdf(format="A4")) == 1
    assert phone.js_errors == [] and paper.js_errors == []
    desk.close()
