"""The mediation agreement: saving (validation, optimistic locking, who may),
its form, and the printable page with masked or audited full ID numbers."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from grid.audit.models import AuditEntry
from grid.disputes import services
from grid.disputes.agreement import AgreementInput, prefill, save_agreement, term_lines
from grid.disputes.models import DisputeAction, MediationAgreement
from grid.errors import Conflict, DomainError, FieldErrors
from grid.extensions import db
from tests.disputes.conftest import MONDAY, act, register
from tests.factories import csrf_from, log_in

ID_LI_MEI = "330106198503124512"
MASKED_LI_MEI = "330106********4512"
TUESDAY = MONDAY + timedelta(days=1)


def agreement_input(**changes) -> AgreementInput:
    values = {"facts": "楼上卫生间防水层老化，漏水损坏楼下吊顶", "matter": "维修费用由谁承担",
              "terms": "1. 王强于12月15日前支付李梅维修费2000元\n\n2、物业公司承担其余1000元\n（3）双方今后互相谅解",
              "performance_manner": "现金一次性支付", "performance_place": "朝晖社区调解室",
              "performance_deadline": date(2026, 12, 15), "made_on": TUESDAY.date(), "mediator_names": "刘芳",
              "committee_name": "朝晖社区人民调解委员会", "copies": 3}
    values.update(changes)
    return AgreementInput(**values)


def mediating(world, when=MONDAY, **changes):
    parties = [services.PartyInput(role="applicant", name="李梅", phone="13812345678", id_number=ID_LI_MEI,
                                   address="朝晖路8号3单元402"),
               services.PartyInput(role="respondent", name="王强", phone="13900001111", address="朝晖路8号3单元502")]
    dispute = register(world, when=when, parties=parties, **changes)
    act(dispute, world.community, "accept", when)
    return dispute


def save(dispute, user, version=0, when=TUESDAY, **changes):
    return save_agreement(dispute=dispute, data=agreement_input(**changes), by=user, version=version, now=when)


# --- the service ---------------------------------------------------------------------

def test_a_new_agreement_is_saved_then_changed_each_time_with_the_version_seen(world):
    dispute = mediating(world)
    case_version = dispute.version
    agreement = save(dispute, world.community)
    assert agreement.version == 1 and agreement.updated_by_id == world.community.id
    # Numbers typed in front of the terms are dropped (the print numbers them); blank lines too.
    assert agreement.terms == "王强于12月15日前支付李梅维修费2000元\n物业公司承担其余1000元\n双方今后互相谅解"
    assert dispute.version == case_version + 1
    last = db.session.scalars(select(DisputeAction).where(DisputeAction.dispute_id == dispute.id)
                              .order_by(DisputeAction.id.desc())).first()
    assert (last.action, last.actor_id, last.version_after, last.to_state) == (
        "save_agreement", world.community.id, dispute.version, "mediating")
    assert last.detail == {"agreement": agreement.id, "agreement_version": 1, "terms": 3}
    changed = save(dispute, world.community, version=1, copies=4, performance_place="李梅家中")
    assert (changed.id, changed.version, changed.copies, changed.performance_place) == (agreement.id, 2, 4, "李梅家中")
    assert dispute.agreement.version == 2


def test_a_stale_version_is_a_conflict_and_nothing_is_saved(world):
    dispute = mediating(world)
    save(dispute, world.community)
    # A second editor who opened the empty form before the first one saved.
    with pytest.raises(Conflict, match="刘芳"):
        save(dispute, world.committee, version=0, copies=5)
    save(dispute, world.committee, version=1, copies=6)
    with pytest.raises(Conflict, match="黄主任"):
        save(dispute, world.community, version=1, copies=7)
    agreement = db.session.scalar(select(MediationAgreement).where(MediationAgreement.dispute_id == dispute.id))
    assert (agreement.version, agreement.copies, agreement.updated_by_id) == (2, 6, world.committee.id)
    assert db.session.scalar(select(func.count()).select_from(DisputeAction).where(
        DisputeAction.dispute_id == dispute.id, DisputeAction.action == "save_agreement")) == 2


def test_every_field_problem_is_reported_at_once(world):
    dispute = mediating(world)
    with pytest.raises(FieldErrors) as error:
        save(dispute, world.community, facts=" ", matter="", terms="\n 2. \n", performance_manner="付" * 201,
             performance_place="", performance_deadline=None, made_on=TUESDAY.date() + timedelta(days=1),
             mediator_names="", committee_name="委" * 101, copies=1)
    assert set(error.value.errors) == {"facts", "matter", "terms", "performance_manner", "performance_place",
                                       "performance_deadline", "made_on", "mediator_names", "committee_name",
                                       "copies"}
    assert db.session.scalar(select(func.count()).select_from(MediationAgreement)) == 0


@pytest.mark.parametrize("changes, field", [
    ({"terms": "\n".join(f"第{n}项" for n in range(31))}, "terms"),
    ({"performance_deadline": TUESDAY.date() - timedelta(days=1)}, "performance_deadline"),
    ({"made_on": MONDAY.date() - timedelta(days=1), "performance_deadline": MONDAY.date()}, "made_on"),
    ({"copies": 11}, "copies"),
    ({"copies": None}, "copies"),
])
def test_single_field_rules(world, changes, field):
    dispute = mediating(world)
    with pytest.raises(FieldErrors) as error:
        save(dispute, world.community, **changes)
    assert set(error.value.errors) == {field}


def test_thirty_terms_and_a_deadline_on_the_day_are_fine(world):
    dispute = mediating(world)
    agreement = save(dispute, world.community, terms="\n".join(f"第{n}项" for n in range(30)),
                     performance_deadline=TUESDAY.date(), copies=10)
    assert len(term_lines(agreement.terms)) == 30


def test_only_handlers_and_mediators_record_it_while_mediating(world):
    dispute = register(world)
    with pytest.raises(DomainError):                       # not yet accepted
        save(dispute, world.community)
    act(dispute, world.community, "accept", MONDAY)
    # The grid worker keeps the case stable but is no mediator; the street office handles major cases only.
    for outsider in (world.worker, world.leader, world.street, world.admin):
        with pytest.raises(DomainError):
            save(dispute, outsider)
    assert db.session.scalar(select(func.count()).select_from(MediationAgreement)) == 0
    named = mediating(world, mediator_ids=[world.worker.id])
    assert save(named, world.worker).version == 1
    act(named, world.worker, "record_outcome", TUESDAY, outcome="agreement")
    with pytest.raises(DomainError):                       # under review: the committee decides on these terms
        save(named, world.community, version=1)


def test_prefill_takes_the_case_the_mediators_and_the_community(world):
    dispute = mediating(world, other_mediators="退休法官老周")
    values = prefill(dispute, now=TUESDAY)
    assert (values.facts, values.matter) == (dispute.facts, dispute.claims)
    assert values.mediator_names == "刘芳、退休法官老周"
    assert values.committee_name == world.units["A1"].name + "人民调解委员会"
    assert (values.made_on, values.copies, values.terms) == (TUESDAY.date(), 3, "")


# --- the pages --------------------------------------------------------------------------

def recent_case(world, **changes):
    """A case registered yesterday, so that pages saving at the real time may date the agreement today."""
    return mediating(world, when=services.now_utc() - timedelta(days=1), **changes)


def form_data(html: str, **changes) -> dict:
    today = services.today()
    version = re.search(r'name="version" value="(\d+)"', html)
    data = {"csrf_token": csrf_from(html), "version": version.group(1) if version else "",
            "facts": "楼上漏水损坏楼下吊顶", "matter": "维修费用由谁承担",
            "terms": "王强支付维修费2000元\n物业公司承担1000元", "performance_manner": "现金一次性支付",
            "performance_place": "社区调解室", "performance_deadline": (today + timedelta(days=20)).isoformat(),
            "made_on": today.isoformat(), "mediator_names": "刘芳", "committee_name": "朝晖社区人民调解委员会",
            "copies": "3"}
    data.update(changes)
    return data


def test_the_form_is_prefilled_and_saving_goes_back_to_the_case(world, app):
    dispute = recent_case(world)
    client = app.test_client()
    log_in(client, "c")
    page = client.get(f"/disputes/{dispute.id}/agreement")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="agreement-form"' in html
    assert 'name="version" value="0"' in html and world.units["A1"].name + "人民调解委员会" in html
    assert 'name="copies" type="number" value="3"' in html and dispute.facts in html
    response = client.post(f"/disputes/{dispute.id}/agreement", data=form_data(html))
    assert response.status_code == 302 and response.location.endswith(f"/disputes/{dispute.id}")
    agreement = db.session.scalar(select(MediationAgreement).where(MediationAgreement.dispute_id == dispute.id))
    assert (agreement.terms, agreement.version) == ("王强支付维修费2000元\n物业公司承担1000元", 1)
    again = client.get(f"/disputes/{dispute.id}/agreement").get_data(as_text=True)
    assert 'name="version" value="1"' in again and 'data-testid="print-link"' in again


def test_the_form_shows_field_errors_and_a_stale_form_keeps_what_was_typed(world, app):
    dispute = recent_case(world)
    client = app.test_client()
    log_in(client, "c")
    html = client.get(f"/disputes/{dispute.id}/agreement").get_data(as_text=True)
    bad = client.post(f"/disputes/{dispute.id}/agreement", data=form_data(html, terms=" \n ", copies="1"))
    bad_html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="terms-error"' in bad_html and 'id="copies-error"' in bad_html
    assert "楼上漏水损坏楼下吊顶" in bad_html             # what was typed stays in the form
    assert client.post(f"/disputes/{dispute.id}/agreement", data=form_data(html)).status_code == 302
    # The same (now stale) form again, with other terms: 409, the saved agreement shown, the typed text kept aside.
    stale = client.post(f"/disputes/{dispute.id}/agreement", data=form_data(html, terms="另一种方案：各承担一半"))
    stale_html = stale.get_data(as_text=True)
    assert stale.status_code == 409 and 'data-testid="agreement-message"' in stale_html
    assert "另一种方案：各承担一半" in stale_html and 'name="version" value="1"' in stale_html
    assert db.session.scalar(select(MediationAgreement.terms).where(MediationAgreement.dispute_id == dispute.id)) \
        == "王强支付维修费2000元\n物业公司承担1000元"


def test_who_sees_the_form_the_agreement_or_nothing(world, app):
    dispute = recent_case(world)
    save_agreement(dispute=dispute, data=agreement_input(made_on=services.today(), performance_deadline=services.today()),
                   by=world.community, version=0)
    worker = app.test_client()
    log_in(worker, "w")
    page = worker.get(f"/disputes/{dispute.id}/agreement")
    html = page.get_data(as_text=True)
    # The grid worker sees the case, so sees the agreement, read-only, with the way to print it.
    assert page.status_code == 200 and 'data-testid="agreement-readonly"' in html
    assert 'data-testid="agreement-form"' not in html and 'data-testid="print-link"' in html
    assert "王强于12月15日前支付李梅维修费2000元" in html
    refused = worker.post(f"/disputes/{dispute.id}/agreement", data=form_data(html, version="1", copies="9"))
    assert refused.status_code == 422 and 'data-testid="agreement-message"' in refused.get_data(as_text=True)
    assert dispute.agreement.copies == 3
    other = app.test_client()
    log_in(other, "cb")                                   # another community's staff
    missing = other.get(f"/disputes/{dispute.id}/agreement")
    assert missing.status_code == 404
    assert other.get(f"/disputes/{dispute.id}/agreement/print").status_code == 404
    token = csrf_from(missing.get_data(as_text=True))
    assert other.post(f"/disputes/{dispute.id}/agreement", data=form_data(html, csrf_token=token)).status_code == 404
    assert other.post(f"/disputes/{dispute.id}/agreement/print", data={"csrf_token": token}).status_code == 404
    director = app.test_client()
    log_in(director, "cd")                                # a role without disputes
    assert director.get(f"/disputes/{dispute.id}/agreement").status_code == 404


def test_without_an_agreement_there_is_nothing_to_print(world, app):
    dispute = recent_case(world)
    client = app.test_client()
    log_in(client, "w")
    html = client.get(f"/disputes/{dispute.id}/agreement").get_data(as_text=True)
    assert 'data-testid="no-agreement"' in html and 'data-testid="print-link"' not in html
    assert client.get(f"/disputes/{dispute.id}/agreement/print").status_code == 404


def printed(world, app, username="c"):
    dispute = recent_case(world)
    today = services.today()
    save_agreement(dispute=dispute, by=world.community, version=0, data=agreement_input(
        made_on=today, performance_deadline=date(today.year + 1, 1, 31), copies=3))
    client = app.test_client()
    log_in(client, username)
    return dispute, client


def test_the_print_page_has_every_part_of_the_agreement_with_numbers_masked(world, app):
    dispute, client = printed(world, app)
    page = client.get(f"/disputes/{dispute.id}/agreement/print")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<title>人民调解协议书" in html and f"编号：{dispute.number}" in html
    assert 'href="/static/css/print.css"' in html and "topbar" not in html       # standalone, not the app's chrome
    for label in ("当事人", "身份", "姓名", "性别", "身份证号码", "住址", "联系电话", "申请人", "被申请人",
                  "纠纷主要事实、争议事项：", "经调解，自愿达成如下协议：", "履行方式、时间、地点：",
                  "本协议一式3份，当事人、人民调解委员会各持一份。",
                  "经人民调解委员会调解达成的调解协议，具有法律约束力，当事人应当按照约定履行。",
                  "调解员签名", "朝晖社区人民调解委员会（印）"):
        assert label in html, label
    rows = re.findall(r'<tr data-testid="party">(.*?)</tr>', html, re.S)
    assert len(rows) == 2 and "李梅" in rows[0] and "女" not in rows[0] and "男" in rows[0]
    assert MASKED_LI_MEI in rows[0] and "138****5678" in rows[0] and "朝晖路8号3单元402" in rows[0]
    assert "王强" in rows[1] and "139****1111" in rows[1]
    assert ID_LI_MEI not in html and "13812345678" not in html
    terms = re.findall(r'<span class="term-number">(.*?)</span>(.*?)</li>', html)
    assert terms == [("一、", "王强于12月15日前支付李梅维修费2000元"), ("二、", "物业公司承担其余1000元"),
                     ("三、", "双方今后互相谅解")]
    year = services.today().year
    assert f"履行期限：{year + 1}年1月31日前" in html and "履行方式：现金一次性支付" in html
    assert "履行地点：朝晖社区调解室" in html and "调解员：刘芳" in html
    assert len(re.findall(r'data-testid="party-sign">(申请人 李梅|被申请人 王强)<br>签名（按指印）', html)) == 2
    today = services.today()
    assert f'data-testid="made-on">{today.year}年{today.month}月{today.day}日<' in html
    assert 'data-testid="seal"' in html and 'class="seal-circle"' in html
    assert 'data-testid="print-full"' in html and 'src="/static/js/print-page.js"' in html and "<script>" not in html
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "dispute.print_agreement")) == 0


def test_printing_with_full_id_numbers_is_a_post_and_is_audited(world, app):
    dispute, client = printed(world, app, username="w")
    html = client.get(f"/disputes/{dispute.id}/agreement/print").get_data(as_text=True)
    assert client.post(f"/disputes/{dispute.id}/agreement/print").status_code == 400   # no CSRF token
    response = client.post(f"/disputes/{dispute.id}/agreement/print", data={"csrf_token": csrf_from(html)})
    full = response.get_data(as_text=True)
    assert response.status_code == 200 and ID_LI_MEI in full and "13812345678" in full and MASKED_LI_MEI not in full
    assert 'data-testid="full-notice"' in full and 'data-testid="print-full"' not in full
    assert response.headers["Cache-Control"] == "no-store"
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "dispute.print_agreement")).all()
    assert [(e.actor_id, e.object_type, e.object_id, e.detail) for e in entries] == [
        (world.worker.id, "dispute", str(dispute.id), {"parties": [p.id for p in dispute.parties]})]
    # Afterwards a plain GET is masked again.
    assert ID_LI_MEI not in client.get(f"/disputes/{dispute.id}/agreement/print").get_data(as_text=True)
