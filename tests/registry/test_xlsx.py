"""Tests for grid.registry.xlsx: real .xlsx files built with openpyxl, no mocks."""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from grid.registry.xlsx import (
    CellProblem,
    Column,
    Sheet,
    XlsxError,
    make_template,
    read_workbook,
    write_ledger,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "xlsx"
MB = 2**20

HOUSEHOLD = Sheet(
    "户",
    (
        Column("household_no", "户编号", required=True, example="H001"),
        Column("address", "地址", required=True, example="幸福路1号", note="门牌地址，写到室"),
        Column("head_name", "户主姓名", example="张三"),
        Column("id_number", "身份证号", example="110101199003071234", note="18 位，请按文本填写"),
        Column("members", "人口数", "int", example="3"),
        Column("area", "面积", "decimal", example="85.5"),
        Column("lng", "经度", "float", example="120.15"),
        Column("registered_on", "登记日期", "date", example="2024-03-01"),
        Column("is_rented", "是否出租", "bool", example="否"),
    ),
)
HEADERS = [c.header + ("*" if c.required else "") for c in HOUSEHOLD.columns]

PERSON = Sheet(
    "人",
    (
        Column("name", "姓名", required=True),
        Column("id_number", "身份证号", required=True),
        Column("phone", "电话"),
    ),
)


def build_xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    """A real workbook with one sheet per entry, rows as given (row 1 first)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rewrite_member(data: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """The same zip with one member's bytes changed, everything deflated."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            dst.writestr(info.filename, change(content) if info.filename == name else content)
    return out.getvalue()


def read(data: bytes, sheets: list[Sheet] | None = None, **kwargs: object) -> dict:
    kwargs.setdefault("max_bytes", 10 * MB)
    return read_workbook(data, sheets or [HOUSEHOLD], **kwargs)


def error_of(data: bytes, sheets: list[Sheet] | None = None, **kwargs: object) -> XlsxError:
    with pytest.raises(XlsxError) as info:
        read(data, sheets, **kwargs)
    return info.value


def problems_by_cell(problems: list[CellProblem]) -> dict[str, tuple[str, dict]]:
    return {f"{p.column}{p.row}": (p.kind, p.params) for p in problems}


# --------------------------------------------------------------------------
# The file as a whole


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.parametrize("data", [PNG, "姓名,身份证号\n张三,1\n".encode(), b""], ids=["png", "csv", "empty"])
def test_not_a_zip_is_not_xlsx(data: bytes) -> None:
    err = error_of(data)
    assert err.kind == "not_xlsx"
    assert "detail" in err.params


def test_committed_text_file_renamed_xlsx_is_not_xlsx() -> None:
    assert error_of((DATA / "not_xlsx.xlsx").read_bytes()).kind == "not_xlsx"


def test_zip_that_is_not_xlsx() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    err = error_of(out.getvalue())
    assert err.kind == "not_xlsx"
    assert "xl/workbook.xml" in err.params["detail"]


def test_zip_with_xlsx_names_but_garbage_inside_is_not_xlsx() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "not xml at all <<<")
        archive.writestr("xl/workbook.xml", "<workbook")
    assert error_of(out.getvalue()).kind == "not_xlsx"


def test_corrupt_sheet_xml_is_not_xlsx() -> None:
    data = build_xlsx({"户": [HEADERS, ["H1", "路1号"]]})
    broken = rewrite_member(data, "xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) // 2])
    assert error_of(broken).kind == "not_xlsx"


def test_entity_expansion_in_sheet_xml_is_refused() -> None:
    """"Billion laughs": expat's amplification limit stops it; we report not_xlsx."""
    data = build_xlsx({"人": [["姓名", "身份证号", "电话"], ["LOLPLACE", "1"]]})
    entities = b'<!ENTITY lol0 "lollollollollollollollollollol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10)
    )
    doctype = b'<?xml version="1.0"?><!DOCTYPE worksheet [' + entities + b"]>"
    bomb = rewrite_member(
        data, "xl/worksheets/sheet1.xml", lambda xml: doctype + xml.replace(b"LOLPLACE", b"&lol9;")
    )
    started = time.perf_counter()
    assert error_of(bomb, [PERSON]).kind == "not_xlsx"
    assert time.perf_counter() - started < 5


def test_ole_file_is_encrypted() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    err = error_of(ole)
    assert err.kind == "encrypted"


def test_zip_with_encrypted_member_is_encrypted() -> None:
    data = bytearray(build_xlsx({"户": [HEADERS]}))
    # zipfile cannot write encrypted members: set the "encrypted" flag bit in
    # every central directory entry (flags sit 8 bytes after its signature).
    start = data.find(b"PK\x01\x02")
    while start != -1:
        data[start + 8] |= 0x1
        start = data.find(b"PK\x01\x02", start + 4)
    assert error_of(bytes(data)).kind == "encrypted"


def test_oversized_file_is_too_large_before_anything_else() -> None:
    data = build_xlsx({"户": [HEADERS]})
    err = error_of(data, max_bytes=len(data) - 1)
    assert err.kind == "too_large"
    assert err.params == {"size": len(data), "limit": len(data) - 1}
    # Size comes before the magic bytes: a big OLE file is too large, not encrypted.
    assert error_of(b"\xd0\xcf\x11\xe0" + b"\x00" * 100, max_bytes=50).kind == "too_large"


def test_zip_bomb_member_ratio() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", bytes(50 * MB))
    data = out.getvalue()
    assert len(data) < 1 * MB
    err = error_of(data)
    assert err.kind == "zip_bomb"
    assert err.params["ratio"] > 100
    assert err.params["uncompressed"] > 50 * MB


def test_xlsx_with_padded_sheet_xml_is_zip_bomb() -> None:
    data = build_xlsx({"户": [HEADERS, ["H1", "幸福路1号"]]})
    # Whitespace before the closing tag keeps the XML valid but compresses ~1000:1.
    padded = rewrite_member(
        data, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"</worksheet>", b" " * (20 * MB) + b"</worksheet>")
    )
    err = error_of(padded)
    assert err.kind == "zip_bomb"
    assert err.params["ratio"] > 100
    # With the ratio limit lifted the same file is a valid workbook.
    result = read(padded, max_ratio=10_000)
    assert [values["household_no"] for _, values in result["户"].rows] == ["H1"]


def test_total_uncompressed_size_limit() -> None:
    data = build_xlsx({"户": [HEADERS, ["H1", "幸福路1号"]]})
    err = error_of(data, max_uncompressed=1000)
    assert err.kind == "zip_bomb"
    assert err.params["uncompressed"] > 1000


def test_too_many_members_is_zip_bomb() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(1000):
            archive.writestr(f"xl/media/{i}.bin", b"x")
    err = error_of(out.getvalue())
    assert err.kind == "zip_bomb"
    assert err.params["members"] == 1002


def test_too_many_rows_is_too_large() -> None:
    rows = [HEADERS] + [[f"H{i}", "路"] for i in range(11)]
    data = build_xlsx({"户": rows})
    assert len(read(data, max_rows=11)["户"].rows) == 11
    err = error_of(data, max_rows=10)
    assert err.kind == "too_large"
    assert err.params == {"sheet": "户", "rows": 11, "limit": 10}


def test_forged_dimension_does_not_blow_up_rows() -> None:
    data = build_xlsx({"户": [HEADERS, ["H1", "幸福路1号"], ["H2", "幸福路2号"]]})
    forged = rewrite_member(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b'<dimension ref="A1:I3" />', b'<dimension ref="A1:XFD1048576" />'),
    )
    assert b"XFD1048576" in zipfile.ZipFile(io.BytesIO(forged)).read("xl/worksheets/sheet1.xml")
    started = time.perf_counter()
    result = read(forged)
    assert time.perf_counter() - started < 2
    assert [number for number, _ in result["户"].rows] == [2, 3]


def test_cell_far_off_is_too_large_before_it_is_read() -> None:
    """A reader that holds the sheet from A1 to its last cell would need terabytes for XFD1048576."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "户"
    ws.append(HEADERS)
    ws.append(["H1", "幸福路1号"])
    ws.cell(row=1_048_576, column=16_384, value="x")
    out = io.BytesIO()
    wb.save(out)
    err = error_of(out.getvalue())
    assert (err.kind, err.params) == ("too_large", {"sheet": "户", "cell": "XFD1048576", "limit": 6_000_000})
    # Positions left out follow the row and cell before them.
    far = rewrite_member(out.getvalue(), "xl/worksheets/sheet1.xml",
                         lambda xml: xml.replace(b' r="XFD1048576"', b"").replace(b'<row r="1048576"', b"<row"))
    assert error_of(far, max_cells=26).params["cell"] == "I3"
    assert [number for number, _ in read(far, max_cells=27)["户"].rows] == [2, 3]


def far_off_workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "户"
    ws.append(HEADERS)
    ws.cell(row=1_048_576, column=16_384, value="x")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_far_off_cell_is_found_however_the_workbook_names_its_sheets() -> None:
    """The reader finds sheets its own way (any namespace, any relationship
    type): the check looks at every part, so no renaming hides a sheet."""
    data = far_off_workbook()
    renamed_ns = rewrite_member(data, "xl/workbook.xml", lambda xml: xml.replace(
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships", b"urn:elsewhere"))
    retyped = rewrite_member(data, "xl/_rels/workbook.xml.rels",
                             lambda xml: xml.replace(b"/relationships/worksheet", b"/relationships/other"))
    for forged in (renamed_ns, retyped):
        assert error_of(forged).kind in ("too_large", "not_xlsx")
    # A prefix on the cell's tag that is not an ASCII word.
    prefixed = rewrite_member(data, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(
        b"<worksheet ", "<worksheet xmlns:é=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" ".encode())
        .replace(b'<c r="XFD1048576"', "<é:c r=\"XFD1048576\"".encode()))
    assert "é:c".encode() in zipfile.ZipFile(io.BytesIO(prefixed)).read("xl/worksheets/sheet1.xml")
    assert error_of(prefixed).kind == "too_large"
    # A sheet in UTF-16, where byte patterns see nothing.
    wide = rewrite_member(data, "xl/worksheets/sheet1.xml", lambda xml: xml.decode().replace(
        "encoding='UTF-8'", "encoding='UTF-16'").replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"))
    assert error_of(wide).kind in ("too_large", "not_xlsx")


def test_rows_and_columns_keep_their_place_when_the_sheet_starts_further_in() -> None:
    data = build_xlsx({"人": [[None, "姓名", "身份证号", "电话"], [], [None, "张三", "110101199003071234"]]})
    sheet_rows = read(data, [PERSON])["人"]
    assert sheet_rows.rows == [(3, {"name": "张三", "id_number": "110101199003071234", "phone": None})]
    assert sheet_rows.column_of == {"name": "B", "id_number": "C", "phone": "D"}
    # Headers belong in row 1.
    lower = build_xlsx({"人": [[], ["姓名", "身份证号", "电话"], ["张三", "110101199003071234"]]})
    assert error_of(lower, [PERSON]).kind == "missing_columns"


# --------------------------------------------------------------------------
# Sheets and headers


def test_missing_sheet() -> None:
    data = build_xlsx({"户": [HEADERS]})
    err = error_of(data, [HOUSEHOLD, PERSON])
    assert err.kind == "missing_sheet"
    assert err.params == {"sheet": "人"}


def test_optional_sheet_absent_from_result() -> None:
    data = build_xlsx({"户": [HEADERS, ["H1", "幸福路1号"]]})
    result = read(data, [HOUSEHOLD, PERSON], optional_sheets={"人"})
    assert set(result) == {"户"}


def test_missing_columns_lists_all_of_them() -> None:
    data = build_xlsx({"户": [["户编号", "户主姓名", "人口数", "其他"]]})
    err = error_of(data)
    assert err.kind == "missing_columns"
    assert err.params == {
        "sheet": "户",
        "columns": ["地址", "身份证号", "面积", "经度", "登记日期", "是否出租"],
    }


def test_headers_checked_on_every_sheet_before_rows() -> None:
    data = build_xlsx({"户": [HEADERS, ["H1", "幸福路1号"]], "人": [["姓名", "电话"]]})
    err = error_of(data, [HOUSEHOLD, PERSON])
    assert err.kind == "missing_columns"
    assert err.params == {"sheet": "人", "columns": ["身份证号"]}


def test_empty_sheet_misses_every_column() -> None:
    data = build_xlsx({"人": []})
    err = error_of(data, [PERSON])
    assert err.params["columns"] == ["姓名", "身份证号", "电话"]


def test_shuffled_headers_with_variants_committed_file() -> None:
    result = read((DATA / "shuffled_headers.xlsx").read_bytes())
    sheet_rows = result["户"]
    assert sheet_rows.problems == []
    assert sheet_rows.column_of == {
        "household_no": "E",
        "address": "J",
        "head_name": "K",
        "id_number": "D",
        "members": "G",
        "area": "H",
        "lng": "I",
        "registered_on": "F",
        "is_rented": "C",
    }
    assert sheet_rows.rows == [
        (
            2,
            {
                "household_no": "H100",
                "address": "和平路9号",
                "head_name": "钱七",
                "id_number": "11010119900307123X",
                "members": 5,
                "area": Decimal("100"),
                "lng": 120.5,
                "registered_on": dt.date(2024, 3, 1),
                "is_rented": False,
            },
        )
    ]


def test_problem_column_letters_follow_the_file_order() -> None:
    data = build_xlsx({"人": [["电话", "备注", "身份证号", "姓名"], ["138", "", "", "张三"]]})
    result = read(data, [PERSON])
    assert result["人"].problems == [CellProblem("人", 2, "C", "身份证号", "required", {})]


def test_sheet_title_matched_after_normalisation() -> None:
    data = build_xlsx({" 人 ": [["姓名", "身份证号", "电话"], ["张三", "1", ""]]})
    assert len(read(data, [PERSON])["人"].rows) == 1


# --------------------------------------------------------------------------
# Rows and coercion


def test_bad_cells_committed_file() -> None:
    sheet_rows = read((DATA / "bad_cells.xlsx").read_bytes())["户"]
    assert problems_by_cell(sheet_rows.problems) == {
        "A3": ("required", {}),
        # openpyxl, like Excel, stores the number as a float (1.101011990030712e+17): digits are gone.
        "D3": ("number_as_text_lost", {"value": "110101199003071200"}),
        "E3": ("not_number", {"value": "三口"}),
        "F3": ("not_number", {"value": "大"}),
        "G3": ("not_number", {"value": "东经"}),
        "H3": ("not_date", {"value": "昨天"}),
        "I3": ("not_bool", {"value": "也许"}),
        "B4": ("required", {}),
        "E4": ("not_integer", {"value": "2.5"}),
        "H4": ("not_date", {"value": "2024-02-30"}),
        "C5": ("too_long", {"length": 600, "limit": 500}),
    }
    assert all(p.sheet == "户" for p in sheet_rows.problems)
    assert {p.header for p in sheet_rows.problems if p.column == "A"} == {"户编号"}
    rows = dict(sheet_rows.rows)
    assert rows[2] == {
        "household_no": "H001",
        "address": "幸福路1号",
        "head_name": "张三",
        "id_number": "110101199003071234",
        "members": 3,
        "area": Decimal("85.50"),
        "lng": 120.15,
        "registered_on": dt.date(2024, 3, 1),
        "is_rented": True,
    }
    # Bad cells come back as None; the good ones in the same row are kept.
    assert rows[3]["head_name"] == "李四" and rows[3]["members"] is None
    assert rows[4]["lng"] == 120.2 and rows[4]["is_rented"] is False
    assert rows[5]["members"] == 4 and rows[5]["area"] == Decimal("70.1")
    assert rows[5]["lng"] == 120.0 and rows[5]["is_rented"] is True
    assert rows[5]["registered_on"] == dt.date(2024, 3, 1)


ALL_KINDS = Sheet(
    "类型",
    (
        Column("t", "文本"),
        Column("i", "整数", "int"),
        Column("d", "小数", "decimal"),
        Column("f", "浮点", "float"),
        Column("day", "日期", "date"),
        Column("b", "布尔", "bool"),
        Column("k", "键"),
    ),
)


def read_one(kind_header: str, value: object) -> tuple[object, list[CellProblem]]:
    """Read one value in the column with the given header; return (value, problems)."""
    headers = [c.header for c in ALL_KINDS.columns]
    # The 键 cell keeps the row from being blank when the value is empty.
    row = [value if h == kind_header else "x" if h == "键" else None for h in headers]
    data = build_xlsx({"类型": [headers, row]})
    sheet_rows = read(data, [ALL_KINDS])["类型"]
    field = next(c.field for c in ALL_KINDS.columns if c.header == kind_header)
    return sheet_rows.rows[0][1][field], sheet_rows.problems


@pytest.mark.parametrize(
    ("header", "value", "expected"),
    [
        ("文本", "  张三 ", "张三"),
        ("文本", 110101199003071, "110101199003071"),
        ("文本", 13800000000.0, "13800000000"),
        ("文本", 12.5, "12.5"),
        ("文本", dt.datetime(2024, 3, 1), "2024-03-01"),
        ("文本", "", None),
        ("整数", "12", 12),
        ("整数", 12, 12),
        ("整数", 12.0, 12),
        ("整数", "１２", 12),
        ("整数", "1,200", 1200),
        ("整数", "12.0", 12),
        ("小数", "85.50", Decimal("85.50")),
        ("小数", 0.1 + 0.2, Decimal("0.3")),
        ("小数", 3, Decimal(3)),
        ("浮点", "120.123", 120.123),
        ("浮点", 120, 120.0),
        ("日期", dt.datetime(2024, 3, 1, 0, 0), dt.date(2024, 3, 1)),
        ("日期", "2024-03-01", dt.date(2024, 3, 1)),
        ("日期", "2024/3/1", dt.date(2024, 3, 1)),
        ("日期", "2024年3月1日", dt.date(2024, 3, 1)),
        ("日期", "20240301", dt.date(2024, 3, 1)),
        ("日期", 20240301, dt.date(2024, 3, 1)),
        ("日期", "２０２４－０３－０１", dt.date(2024, 3, 1)),
        ("日期", "2024-03-01 00:00:00", dt.date(2024, 3, 1)),
    ]
    + [("布尔", word, True) for word in ["是", "Y", "yes", "TRUE", "1", "√", True, 1]]
    + [("布尔", word, False) for word in ["否", "n", "No", "false", "0", "×", False, 0]],
)
def test_coercion_accepts(header: str, value: object, expected: object) -> None:
    got, problems = read_one(header, value)
    assert problems == []
    assert got == expected
    assert type(got) is type(expected)


@pytest.mark.parametrize(
    ("header", "value", "kind", "params"),
    [
        ("文本", "字" * 501, "too_long", {"length": 501, "limit": 500}),
        ("文本", 110101199003071234, "number_as_text_lost", {"value": "110101199003071200"}),
        ("文本", 1.10101199003071e17, "number_as_text_lost", {"value": "110101199003071008"}),
        ("文本", 1234567890123456, "number_as_text_lost", {"value": "1234567890123456"}),
        ("整数", 12.5, "not_integer", {"value": "12.5"}),
        ("整数", "12.5", "not_integer", {"value": "12.5"}),
        ("整数", "abc", "not_number", {"value": "abc"}),
        ("整数", "1e999999999", "out_of_range", {"value": "1e999999999"}),
        ("整数", str(2**63), "out_of_range", {"value": str(2**63)}),
        ("整数", 2.0**63, "out_of_range", {"value": "9.22337203685478e+18"}),
        ("整数", "NaN", "not_number", {"value": "NaN"}),
        ("小数", "八十", "not_number", {"value": "八十"}),
        ("小数", "Infinity", "not_number", {"value": "Infinity"}),
        ("浮点", "东经120度", "not_number", {"value": "东经120度"}),
        ("浮点", "nan", "not_number", {"value": "nan"}),
        ("日期", "2024-13-01", "not_date", {"value": "2024-13-01"}),
        ("日期", "下周一", "not_date", {"value": "下周一"}),
        ("日期", 2024, "not_date", {"value": "2024"}),
        ("日期", dt.time(8, 30), "not_date", {"value": "08:30:00"}),
        ("布尔", "也许", "not_bool", {"value": "也许"}),
        ("布尔", 2, "not_bool", {"value": "2"}),
    ],
)
def test_coercion_problems(header: str, value: object, kind: str, params: dict) -> None:
    got, problems = read_one(header, value)
    assert got is None
    letter = "ABCDEF"[[c.header for c in ALL_KINDS.columns].index(header)]
    assert problems == [CellProblem("类型", 2, letter, header, kind, params)]


def test_id_number_typed_as_number() -> None:
    """An 18-digit ID typed into a General cell: Excel keeps 15 digits."""
    data = build_xlsx(
        {
            "人": [
                ["姓名", "身份证号", "电话"],
                ["张三", 424242, 13800000000],  # patched below into an exact 18-digit integer
                ["李四", 1.10101199003071e17, None],  # what Excel itself stores
                ["王五", "110101199003071234", "13900000000"],  # typed as text: fine
                ["赵六", 110101199003071, None],  # old 15-digit ID as a number: fine
            ]
        }
    )
    # Some tools write the integer exactly; Excel would still lose digits on save.
    data = rewrite_member(
        data, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"<v>424242</v>", b"<v>110101199003071234</v>")
    )
    sheet_rows = read(data, [PERSON])["人"]
    assert [(p.row, p.column, p.kind, p.params) for p in sheet_rows.problems] == [
        # Numbers are read as doubles, as Excel itself holds them: the digits shown are the ones left.
        (2, "B", "number_as_text_lost", {"value": "110101199003071232"}),
        (3, "B", "number_as_text_lost", {"value": "110101199003071008"}),
    ]
    rows = dict(sheet_rows.rows)
    assert rows[2]["phone"] == "13800000000"
    assert rows[4]["id_number"] == "110101199003071234"
    assert rows[5]["id_number"] == "110101199003071"


def test_blank_and_example_rows_skipped_row_numbers_kept() -> None:
    data = build_xlsx(
        {
            "人": [
                ["姓名", "身份证号", "电话"],
                ["示例：张三", "110101199003071234", "138"],
                [None, None, None],
                ["", "  ", None],
                [None, "示例", None],  # first non-empty cell starts with 示例
                ["李四", "110101199003075678", None],
                [],  # row 7
                ["王五", None, None],
            ]
        }
    )
    sheet_rows = read(data, [PERSON])["人"]
    assert [number for number, _ in sheet_rows.rows] == [6, 8]
    assert sheet_rows.problems == [CellProblem("人", 8, "B", "身份证号", "required", {})]


def test_extra_cells_beyond_known_columns_do_not_make_a_row() -> None:
    data = build_xlsx({"人": [["姓名", "身份证号", "电话", "备注"], [None, None, None, "只有备注"]]})
    # A row with only unknown-column content is blank as far as the register goes.
    assert read(data, [PERSON])["人"].rows == []


# --------------------------------------------------------------------------
# Template


def test_template_round_trip_reads_no_rows() -> None:
    data = make_template([HOUSEHOLD, PERSON], title_note="示范区 户籍台账导入模板\n请勿修改表头")
    result = read(data, [HOUSEHOLD, PERSON])
    for name in ("户", "人"):
        assert result[name].rows == []
        assert result[name].problems == []


def test_template_layout() -> None:
    data = make_template([HOUSEHOLD], title_note="示范区 户籍台账导入模板\n第二行")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["说明", "户"]
    info = wb["说明"]
    assert info["A1"].value == "示范区 户籍台账导入模板"
    assert info["A2"].value == "第二行"
    assert any("示例" in str(row[0]) for row in info.iter_rows(values_only=True) if row[0])

    ws = wb["户"]
    headers = [cell.value for cell in ws[1]]
    assert headers == HEADERS
    assert headers[0] == "户编号*" and headers[2] == "户主姓名"
    assert all(cell.font.bold for cell in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width == 14
    assert ws["B1"].comment.text == "门牌地址，写到室"
    assert ws["A1"].comment is None

    example = [cell.value for cell in ws[2]]
    assert example[0] == "示例：H001"
    assert example[3] == "110101199003071234"
    assert all(cell.font.italic for cell in ws[2])
    assert ws["A2"].font.color.rgb.endswith("808080")
    # Text columns are formatted as text so long IDs keep their digits.
    assert ws.column_dimensions["D"].number_format == "@"


def test_filled_template_imports() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(make_template([PERSON])))
    ws = wb["人"]
    ws.append(["张三", "110101199003071234", "13800000000"])
    out = io.BytesIO()
    wb.save(out)
    sheet_rows = read(out.getvalue(), [PERSON])["人"]
    assert sheet_rows.rows == [(3, {"name": "张三", "id_number": "110101199003071234", "phone": "13800000000"})]


# --------------------------------------------------------------------------
# Ledger export

DANGEROUS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", " =1+1", "\t=1+1", "\r=1+1", "＝1+1", "=HYPERLINK(\"http://x\")"]


def test_write_ledger_neutralises_formulas() -> None:
    rows = [[text, 1] for text in DANGEROUS]
    data = write_ledger("台账", [("内容", 30), ("数", 8)], rows)
    ws = openpyxl.load_workbook(io.BytesIO(data))["台账"]
    cells = [row[0] for row in ws.iter_rows(min_row=2, max_col=1)]
    # XML turns a stored "\r" into "\n" on reading; the quote is what matters.
    assert [cell.value for cell in cells] == ["'" + text.replace("\r", "\n") for text in DANGEROUS]
    assert all(cell.data_type == "s" for cell in cells)
    assert cells[0].value == "'=1+1"
    # Nothing was written as a formula anywhere in the sheet XML.
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml


def test_write_ledger_values_and_layout() -> None:
    rows = [
        ["张三", dt.date(2024, 3, 1), 3, Decimal("85.5"), True, None, "a-b", "110101199003071234"],
        ["李四", dt.datetime(2024, 3, 2, 8, 30), 0, 1.5, False, "x\x01y", "示例", "-"],
    ]
    headers = [("姓名", 10), ("日期", 12), ("人口", 6), ("面积", 8), ("出租", 6), ("备注", 20), ("文本", 8), ("号码", 20)]
    data = write_ledger("台账", headers, iter(rows))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["台账"]
    assert [cell.value for cell in ws[1]] == [h for h, _ in headers]
    assert all(cell.font.bold for cell in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["F"].width == 20
    first = [cell.value for cell in ws[2]]
    assert first[:5] == ["张三", dt.datetime(2024, 3, 1), 3, 85.5, True]
    assert ws["B2"].is_date
    assert first[5] is None
    assert first[6:] == ["a-b", "110101199003071234"]
    second = [cell.value for cell in ws[3]]
    assert second[1] == dt.datetime(2024, 3, 2, 8, 30) and ws["B3"].is_date
    assert second[5] == "xy"  # control characters XML cannot carry are dropped
    assert second[7] == "'-"


def test_write_ledger_then_read_workbook() -> None:
    data = write_ledger("人", [("姓名", 10), ("身份证号", 20), ("电话", 14)], [["张三", "110101199003071234", None]])
    sheet_rows = read(data, [PERSON])["人"]
    assert sheet_rows.rows == [(2, {"name": "张三", "id_number": "110101199003071234", "phone": None})]


# --------------------------------------------------------------------------
# Performance


def test_reads_50k_rows_quickly(tmp_path: Path) -> None:
    headers = [c.header for c in HOUSEHOLD.columns] + ["备注"]
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("户")
    ws.append(headers)
    for i in range(50_000):
        ws.append(
            [
                f"H{i:06d}",
                f"幸福路{i}号",
                "张三",
                f"1101011990{i:08d}",
                i % 7,
                "85.5",
                120.123,
                dt.date(2024, 3, 1),
                "是" if i % 2 else "否",
                f"备注{i}",
            ]
        )
    path = tmp_path / "big.xlsx"
    wb.save(path)
    data = path.read_bytes()

    started = time.perf_counter()
    result = read(data, max_bytes=50 * MB)
    elapsed = time.perf_counter() - started
    print(f"\nread 50,000 rows x 10 columns ({len(data) / MB:.1f} MB) in {elapsed:.2f} s")
    sheet_rows = result["户"]
    assert len(sheet_rows.rows) == 50_000
    assert sheet_rows.problems == []
    assert sheet_rows.rows[-1] == (
        50_001,
        {
            "household_no": "H049999",
            "address": "幸福路49999号",
            "head_name": "张三",
            "id_number": "110101199000049999",
            "members": 49_999 % 7,
            "area": Decimal("85.5"),
            "lng": 120.123,
            "registered_on": dt.date(2024, 3, 1),
            "is_rented": True,
        },
    )
    assert elapsed < 20
