"""Excel ledgers: the import reports every bad cell by sheet, row and column and
saves nothing; a good file goes in whole; exports are masked and neutralised."""
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from grid.audit.models import AuditEntry
from grid.extensions import db
from grid.registry.care_models import ChildRecord, ElderlyRecord
from grid.registry.ledger_export import export_elderly
from grid.registry.ledger_import import import_ledger
from grid.registry.models import Household, Resident
from tests.factories import csrf_from, log_in, make_district, make_user, valid_id
from tests.registry.ledger_files import ledger

GRANDMA = valid_id("19400105", "124")      # female, 86
GRANDSON = valid_id("20150601", "131")     # male, 11


@pytest.fixture
def staff(ctx):
    units = make_district()
    return make_user("c", "community_staff", [units["A1"]])


def good_file():
    return ledger(
        households=[{"户编号": "H1", "社区编码": "T0101", "门牌地址": "朝晖路8号", "经度": 120.105, "纬度": 30.21,
                     "住房类型": "自有住房", "户标签": "低保户、残疾人家庭"}],
        residents=[{"户编号": "H1", "姓名": "王秀英", "身份证号": GRANDMA, "与户主关系": "户主"},
                   {"户编号": "H1", "姓名": "王小明", "身份证号": GRANDSON, "与户主关系": "孙子女"}],
        elderly=[{"身份证号": GRANDMA, "类别": "独居、高龄", "风险等级": "高风险", "吃饭": "能", "穿衣": "需帮助",
                  "上下床": "能", "如厕": "能", "室内走动": "不能", "洗澡": "不能"}],
        children=[{"身份证号": GRANDSON, "类别": "留守儿童", "风险等级": "一般", "监护人": "王秀英",
                   "监护人关系": "祖母", "寄宿": "否"}])


def test_good_file_imports_everything(staff):
    report = import_ledger(data=good_file(), filename="good.xlsx", by=staff)
    assert report.problems == [] and report.applied
    assert report.counts == {"households": 1, "residents": 2, "elderly": 1, "children": 1}
    household = db.session.scalar(select(Household))
    assert household.tags == ["dibao", "disabled_family"] and household.head.name == "王秀英"
    record = db.session.scalar(select(ElderlyRecord))
    assert record.categories == ["living_alone", "oldest_old"] and record.self_care_result == "partially_dependent"
    assert db.session.scalar(select(ChildRecord)).guardian_name == "王秀英"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registry.import")).detail["residents"] == 2


def test_dry_run_saves_nothing(staff):
    report = import_ledger(data=good_file(), filename="good.xlsx", by=staff, dry_run=True)
    assert report.problems == [] and not report.applied and report.counts["residents"] == 2
    assert db.session.scalar(select(func.count()).select_from(Resident)) == 0


def test_every_bad_cell_is_reported_and_nothing_saved(staff):
    bad_check = GRANDMA[:-1] + ("0" if GRANDMA[-1] != "0" else "1")
    data = ledger(
        households=[
            {"户编号": "H1", "社区编码": "T0101", "门牌地址": "朝晖路8号", "经度": 120.105, "纬度": 30.21},
            {"户编号": "H2", "社区编码": "T0101", "门牌地址": "远方路1号", "经度": 120.135, "纬度": 30.21},   # B's area
            {"户编号": "H3", "社区编码": "T0101", "门牌地址": "文本路", "经度": "东经120度", "纬度": 30.21},
        ],
        residents=[
            {"户编号": "H1", "姓名": "甲", "身份证号": bad_check, "与户主关系": "户主"},
            {"户编号": "H1", "姓名": "乙", "身份证号": GRANDSON, "与户主关系": "子女"},
            {"户编号": "H1", "姓名": "丙", "身份证号": GRANDSON, "与户主关系": "子女"},
            {"户编号": "H9", "姓名": "丁", "与户主关系": "子女"},
            {"户编号": "H1", "姓名": "戊", "身份证号": valid_id("19800101", "451"), "出生日期": "1981-01-01",
             "与户主关系": "子女"},
            {"户编号": "H1", "姓名": "己", "出生日期": "2999-01-01", "与户主关系": "子女"},
        ],
        children=[{"身份证号": GRANDSON, "类别": "留守儿童", "风险等级": "一般", "监护人关系": "祖母"}],
    )
    report = import_ledger(data=data, filename="bad.xlsx", by=staff)
    found = {(p.sheet, p.row, p.column) for p in report.problems}
    expected = {
        ("户", 3, "D"),     # point outside the community
        ("户", 4, "D"),     # text in a number cell
        ("居民", 2, "C"),   # check digit
        ("居民", 4, "C"),   # same ID as row 3
        ("居民", 5, "A"),   # no such household
        ("居民", 6, "E"),   # birth date contradicts the ID
        ("居民", 7, "E"),   # birth date in the future
        ("困境儿童", 2, "D"),  # a child record without a guardian
    }
    assert expected <= found, sorted(found)
    assert not report.applied
    assert db.session.scalar(select(func.count()).select_from(Household)) == 0


def test_files_that_are_not_ledgers_are_refused(staff):
    for data in (b"PNG not a zip", b"\xd0\xcf\x11\xe0" + b"\0" * 100):
        report = import_ledger(data=data, filename="x.xlsx", by=staff)
        assert len(report.problems) == 1 and report.problems[0].row is None


def test_export_is_masked_and_neutralised_and_audited(staff):
    imported = import_ledger(data=ledger(
        households=[{"户编号": "H1", "社区编码": "T0101", "门牌地址": "=HYPERLINK(\"http://x\")", "经度": 120.105,
                     "纬度": 30.21}],
        residents=[{"户编号": "H1", "姓名": "@王秀英", "身份证号": GRANDMA, "与户主关系": "户主"}],
        elderly=[{"身份证号": GRANDMA, "类别": "独居", "风险等级": "重点", "吃饭": "能", "穿衣": "能", "上下床": "能",
                  "如厕": "能", "室内走动": "能", "洗澡": "能"}]), filename="f.xlsx", by=staff)
    assert imported.applied, imported.problems
    sheet = load_workbook(io.BytesIO(export_elderly(user=staff, reveal=False))).active
    row = [cell.value for cell in sheet[2]]
    assert GRANDMA not in row and GRANDMA[:6] + "********" + GRANDMA[-4:] in row
    assert "'@王秀英" in row and "'=HYPERLINK(\"http://x\")" in row
    assert all(cell.data_type != "f" for cell in sheet[2])
    revealed = load_workbook(io.BytesIO(export_elderly(user=staff, reveal=True))).active
    assert GRANDMA in [cell.value for cell in revealed[2]]
    entries = db.session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "registry.export")).all()
    assert [e["revealed"] for e in entries] == [False, True]


def test_import_page_and_template(client, staff):
    log_in(client, "c")
    page = client.get("/registry/import").get_data(as_text=True)
    template = client.get("/registry/template.xlsx")
    assert template.status_code == 200 and template.mimetype.endswith("sheet")
    book = load_workbook(io.BytesIO(template.get_data()))
    assert {"户", "居民", "老年人", "困境儿童"} <= set(book.sheetnames)
    response = client.post("/registry/import", headers={"HX-Request": "true"}, content_type="multipart/form-data",
                           data={"csrf_token": csrf_from(page), "action": "check",
                                 "file": (io.BytesIO(template.get_data()), "模板.xlsx")})
    # The bare template has no rows: said plainly, not "imported 0".
    assert response.status_code == 422 and "没有可导入的行" in response.get_data(as_text=True)
    grid_worker = make_user("w", "grid_worker", [])
    assert grid_worker
    other = client.application.test_client()
    log_in(other, "w")
    assert other.get("/registry/import").status_code == 404
