"""Regenerate the committed .xlsx fixtures used by tests/registry/test_xlsx.py.

Run from the repository root: ``.venv/bin/python tests/data/xlsx/make_fixtures.py``.
The files are committed so the tests also exercise bytes not written by the
test run itself.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent
HEADERS = ["户编号*", "地址*", "户主姓名", "身份证号", "人口数", "面积", "经度", "登记日期", "是否出租"]


def write_bad_cells() -> None:
    """Sheet 户: row 2 is clean, rows 3-5 hold one or more bad cells each."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "户"
    ws.append(HEADERS)
    ws.append(["H001", "幸福路1号", "张三", "110101199003071234", 3, "85.50", 120.15, dt.date(2024, 3, 1), "是"])
    ws.append([None, "幸福路2号", "李四", 110101199003071234, "三口", "大", "东经", "昨天", "也许"])
    ws.append(["H003", None, "王五", "110101199003075678", 2.5, 60, "120.2", "2024-02-30", "N"])
    ws.append(["H004", "幸福路4号", "赵六" * 300, None, "4", "70.1", 120, "2024年3月1日", "√"])
    wb.save(HERE / "bad_cells.xlsx")


def write_shuffled_headers() -> None:
    """Sheet 户 with headers out of order, full-width/asterisk/space variants and an extra column."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "户"
    ws.append(["备注", "ｌｉｎｅ", "是否出租", " 身份证号＊", "户 编号 *", "登记日期", "人口数", "面积", "经度", "地　址", "户主姓名"])
    ws.append(["随便写", "x", "否", "11010119900307123X", "H100", "2024/3/1", "5", "100", "120.5", "和平路9号", "钱七"])
    wb.save(HERE / "shuffled_headers.xlsx")


def write_not_xlsx() -> None:
    (HERE / "not_xlsx.xlsx").write_text("这不是 Excel 文件，只是改了扩展名的文本。\n", encoding="utf-8")


if __name__ == "__main__":
    write_bad_cells()
    write_shuffled_headers()
    write_not_xlsx()
