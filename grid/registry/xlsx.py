"""Household registers (台账) in and out of Excel ``.xlsx`` files.

Three entry points:

* `read_workbook` reads an uploaded workbook, matches Chinese headers to
  `Column` definitions and coerces every cell, collecting every cell problem
  rather than stopping at the first.  A file that is unusable as a whole
  raises `XlsxError`.
* `make_template` builds an empty import template for a list of `Sheet`.
* `write_ledger` streams rows out as a one-sheet workbook, neutralising
  anything a spreadsheet could take for a formula.

Uploaded files come from untrusted users, so `read_workbook` checks the size,
the magic bytes and the zip directory (member count, declared uncompressed
sizes, compression ratios) before anything is unpacked, then how far each
worksheet's cells reach (`check_extents`), and only then reads the values
with calamine (python-calamine, in Rust: about fifteen times as fast as
openpyxl, which still writes the templates and exports).  XML entity
expansion ("billion laughs") is stopped by the expat bundled with CPython
(>= 2.4 has amplification limits) in the extent check, and calamine's XML
reader expands no declared entities; declared member sizes are enforced by
`zipfile`, which stops decompressing at ``file_size`` and fails on a CRC
mismatch, so the size checks on the directory bound real decompression.

Pure module: no Flask, no database.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree
from xml.parsers import expat

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineSheet, CalamineWorkbook, SheetTypeEnum

# OLE compound file (CFB): what Excel writes for password-protected workbooks
# (and for legacy .xls).
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
ZIP_MAGIC = b"PK"
REQUIRED_MEMBERS = ("[Content_Types].xml", "xl/workbook.xml")
MAX_MEMBERS = 1000
# The per-member ratio check only applies from this uncompressed size up:
# small members (a 20 KB run of empty styled cells) can compress absurdly well
# without being dangerous, and max_uncompressed already bounds the total.
RATIO_MIN_SIZE = 1 * 2**20
# Cells a sheet may span from A1 to its last cell (calamine holds them all at
# once, ~32 bytes each): 200,000 rows of 30 columns.
MAX_CELLS = 6_000_000
SPREADSHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
ROW_TAG, CELL_TAG = f"{SPREADSHEET_NS} row", f"{SPREADSHEET_NS} c"
CELL_REF_RE = re.compile(r"([A-Z]+)([0-9]+)", re.IGNORECASE)
# Every start tag of a row or cell (any prefix), and those of them whose one
# "r" attribute is a plain position (other attributes skipped whole, quotes
# and all, so that nothing inside a value is taken for a position).
# A prefix is anything up to a colon that a tag name can hold, not only
# ASCII word characters: an XML reader takes "<é:c" for a cell too.
_PREFIX = rb"(?:[^\s<>/:=\"']+:)?"
_ROW_OR_CELL_RE = re.compile(rb"<" + _PREFIX + rb"(?:row|c)[\s/>]")
_OTHER_ATTRIBUTE = rb"""\s+(?!r\s*=)[^\s<>/="']+\s*=\s*(?:"[^"]*"|'[^']*')"""
_POSITIONED_RE = re.compile(rb"<" + _PREFIX + rb"(?:row|c)(?:" + _OTHER_ATTRIBUTE + rb")*"
                            rb"""\s+r\s*=\s*["']([A-Za-z]*)([0-9]+)["'](?:""" + _OTHER_ATTRIBUTE + rb")*\s*/?>")

MAX_TEXT_LENGTH = 500
# Excel keeps 15 significant digits for numbers; more digits have been lost.
EXCEL_DIGITS = 15
# Integers go to PostgreSQL bigint columns.
INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
# Decimals beyond this exponent are nonsense in a register and slow to handle.
MAX_DECIMAL_EXPONENT = 30
# Excel's own limit on the characters in one cell.
EXCEL_CELL_LIMIT = 32767

EXAMPLE_PREFIX = "示例"
INSTRUCTIONS_SHEET = "说明"

KINDS = ("text", "int", "decimal", "float", "date", "bool")

TRUE_WORDS = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "✔"})
FALSE_WORDS = frozenset({"否", "n", "no", "false", "0", "×", "✗", "✘", "x"})

DATE_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    # Dates exported as text by other systems often carry a midnight time.
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
COMPACT_DATE_RE = re.compile(r"(\d{4})(\d{2})(\d{2})")

# What Excel, LibreOffice and Google Sheets may start a formula with (after
# leading blanks); full-width forms are included because some IMEs type them.
FORMULA_STARTS = ("=", "+", "-", "@", "＝", "＋", "－", "＠")


class XlsxError(Exception):
    """The uploaded file as a whole is unusable.

    ``kind`` is machine-readable, ``params`` holds the values a message needs:

    * ``too_large``: ``size``, ``limit`` (bytes); or, when a sheet has too many
      data rows, ``sheet``, ``rows``, ``limit``.
    * ``not_xlsx``: ``detail``.
    * ``zip_bomb``: ``uncompressed`` (declared total), ``ratio`` (largest
      member ratio), ``members``.
    * ``encrypted``: no params.
    * ``missing_sheet``: ``sheet``.
    * ``missing_columns``: ``sheet``, ``columns`` (every missing header).
    """

    def __init__(self, kind: str, **params: object) -> None:
        super().__init__(f"{kind}: {params}" if params else kind)
        self.kind = kind
        self.params = params


@dataclass(frozen=True)
class Column:
    """One column of a register: ``field`` is the internal name, ``header``
    the Chinese header in row 1, ``kind`` one of `KINDS`."""

    field: str
    header: str
    kind: str = "text"
    required: bool = False
    width: int = 14
    example: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass(frozen=True)
class Sheet:
    """One sheet of a register: its title and its columns."""

    name: str
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class CellProblem:
    """A cell that cannot be taken as is.

    ``row`` is the Excel row number, ``column`` the letter in the uploaded
    file, ``header`` the column's canonical header.  Kinds and params:
    ``required`` {}; ``not_number`` {value}; ``not_integer`` {value};
    ``out_of_range`` {value}; ``not_date`` {value}; ``not_bool`` {value};
    ``too_long`` {length, limit}; ``number_as_text_lost`` {value}.
    """

    sheet: str
    row: int
    column: str
    header: str
    kind: str
    params: dict = field(default_factory=dict)


@dataclass
class SheetRows:
    """What `read_workbook` found on one sheet.

    ``rows`` holds (Excel row number, {field: coerced value or None}) for every
    non-blank, non-example row, including rows that have problems (their bad
    cells are None).  ``column_of`` maps field -> column letter in this file.
    """

    sheet: Sheet
    rows: list[tuple[int, dict[str, object]]]
    problems: list[CellProblem]
    column_of: dict[str, str]


class _Bad(Exception):
    """A cell value that cannot be coerced; becomes a CellProblem."""

    def __init__(self, kind: str, **params: object) -> None:
        super().__init__(kind)
        self.kind = kind
        self.params = params


# --------------------------------------------------------------------------
# Reading


def read_workbook(
    data: bytes,
    sheets: list[Sheet],
    *,
    max_bytes: int,
    max_uncompressed: int = 200 * 2**20,
    max_ratio: int = 100,
    max_rows: int = 200_000,
    max_cells: int = MAX_CELLS,
    optional_sheets: set[str] | frozenset[str] = frozenset(),
) -> dict[str, SheetRows]:
    """Read the given sheets of an uploaded workbook, keyed by sheet name.

    Raises `XlsxError` when the file as a whole is unusable (see its kinds);
    every sheet's headers are checked before any data row is read.  Sheets
    named in ``optional_sheets`` may be absent and are then left out of the
    result.  Headers are matched after NFKC normalisation, removal of blanks
    and of a trailing ``*``, in any order; extra columns are ignored.  Blank
    rows and rows whose first non-empty cell starts with "示例" (the
    template's example row) are skipped.  Cell problems are collected, never
    raised.
    """
    check_container(data, max_bytes=max_bytes, max_uncompressed=max_uncompressed, max_ratio=max_ratio)
    check_extents(data, max_cells=max_cells)
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own errors (zip, XML, password) on malformed input
        raise XlsxError("not_xlsx", detail=f"{type(exc).__name__}: {exc}") from exc
    try:
        return _read_sheets(wb, sheets, max_rows=max_rows, optional_sheets=optional_sheets)
    finally:
        wb.close()


def check_container(data: bytes, *, max_bytes: int, max_uncompressed: int, max_ratio: int) -> None:
    """Raise `XlsxError` unless ``data`` is a plausible, safe-to-open xlsx zip.

    Order: size, magic bytes (OLE -> "encrypted"), zip directory (member
    count, declared total size, per-member ratio -> "zip_bomb"; encrypted
    members -> "encrypted"), required members.  Nothing is decompressed.
    """
    if len(data) > max_bytes:
        raise XlsxError("too_large", size=len(data), limit=max_bytes)
    if data.startswith(OLE_MAGIC):
        raise XlsxError("encrypted")
    if not data.startswith(ZIP_MAGIC):
        raise XlsxError("not_xlsx", detail="not a zip file")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise XlsxError("not_xlsx", detail=f"bad zip: {exc}") from exc

    total = sum(info.file_size for info in infos)
    worst = max(
        (info.file_size / max(info.compress_size, 1) for info in infos if info.file_size >= RATIO_MIN_SIZE),
        default=0.0,
    )
    if len(infos) > MAX_MEMBERS or total > max_uncompressed or worst > max_ratio:
        raise XlsxError("zip_bomb", uncompressed=total, ratio=round(worst, 1), members=len(infos))
    if any(info.flag_bits & 0x1 for info in infos):
        raise XlsxError("encrypted")
    names = {info.filename for info in infos}
    missing = [name for name in REQUIRED_MEMBERS if name not in names]
    if missing:
        raise XlsxError("not_xlsx", detail=f"missing {', '.join(missing)}")


def check_extents(data: bytes, *, max_cells: int) -> None:
    """Raise `XlsxError` ("too_large" with ``sheet``, ``cell``, ``limit``) when a
    worksheet reaches further than ``max_cells`` cells from A1.

    calamine holds a sheet as one dense grid from its first to its last cell,
    so a few-kilobyte file with a value in XFD1048576 would ask for hundreds
    of gigabytes.  Each worksheet's row and cell positions are therefore read
    first with expat (in C; nothing else of the sheet is looked at)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name, member in _parts_to_check(archive):
                rows, columns = _extent(archive.read(member))
                if rows * columns > max_cells:
                    raise XlsxError("too_large", sheet=name, cell=f"{get_column_letter(min(columns, 18278))}{rows}",
                                    limit=max_cells)
    except XlsxError:
        raise
    except Exception as exc:  # a missing or malformed part: the file is not a workbook
        raise XlsxError("not_xlsx", detail=f"{type(exc).__name__}: {exc}") from exc


def _parts_to_check(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(name for messages, zip member) of every part a reader might take for a
    worksheet: whatever the workbook's relationships point at, whatever their
    type or namespaces say, and every other XML part. Failing closed: the
    reader finds sheets its own way, and one unchecked sheet is enough."""
    names = {}
    try:
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
        for sheet in book.iter(f"{{{SPREADSHEET_NS}}}sheet"):
            target = targets.pop(sheet.get(f"{{{RELATIONSHIPS_NS}}}id"), None)
            if target is not None:
                names.setdefault(_member_of(target), sheet.get("name", ""))
        for target in targets.values():
            names.setdefault(_member_of(target), _member_of(target))
    except KeyError:
        pass                       # no workbook part: the reader refuses the file itself
    members = set(archive.namelist())
    parts = [member for member in names if member in members]
    parts += [m for m in sorted(members) if m.lower().endswith(".xml") and m not in names]
    return [(names.get(member, member), member) for member in parts]


def _member_of(target: str) -> str:
    """A relationship target of xl/workbook.xml as a zip member name."""
    target = target.lstrip("/") if target.startswith("/") else target
    return target if target.startswith("xl/") else f"xl/{target}"


def _extent(xml: bytes) -> tuple[int, int]:
    """(last row, last column) that a sheet's cells reach, both 1-based."""
    if b"\x00" in xml[:512]:
        # UTF-16 or UTF-32: the byte patterns below would see nothing in it.
        raise XlsxError("not_xlsx", detail="a part is not UTF-8")
    tags = sum(1 for _tag in _ROW_OR_CELL_RE.finditer(xml))
    last_row, columns, positioned = 0, set(), 0
    for match in _POSITIONED_RE.finditer(xml):
        positioned += 1
        last_row = max(last_row, int(match.group(2)))
        if match.group(1):
            columns.add(match.group(1).upper())
    if positioned != tags:
        # Some row or cell has no plain position: follow the elements one by one.
        return _extent_by_elements(xml)
    return last_row, max((column_index_from_string(c.decode()) for c in columns), default=0)


def _extent_by_elements(xml: bytes) -> tuple[int, int]:
    """The same with expat: rows and cells without a position follow the one before, as in readers."""
    row = last_row = column = last_column = 0

    def start(name: str, attributes: dict) -> None:
        nonlocal row, last_row, column, last_column
        if name == ROW_TAG:
            row = int(attributes.get("r") or row + 1)
            column = 0
        elif name == CELL_TAG:
            match = CELL_REF_RE.fullmatch(attributes.get("r") or "")
            if match:
                column = column_index_from_string(match.group(1).upper())
                row = max(row, int(match.group(2)))
            else:
                column += 1
            last_column = max(last_column, column)
        last_row = max(last_row, row)

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.Parse(xml, True)
    return last_row, last_column


def normalize_header(text: object) -> str:
    """Header text as compared: NFKC, no blanks at all, no trailing "*"."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    s = "".join(s.split())
    return s.rstrip("*")


def _normalize_title(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _read_sheets(
    wb: CalamineWorkbook,
    sheets: list[Sheet],
    *,
    max_rows: int,
    optional_sheets: set[str] | frozenset[str],
) -> dict[str, SheetRows]:
    titles = {_normalize_title(meta.name): meta for meta in wb.sheets_metadata}
    found: list[tuple[Sheet, list, dict[str, int]]] = []
    for sheet in sheets:
        meta = titles.get(_normalize_title(sheet.name))
        # A chartsheet (or a macro sheet) has the name but no cells to read.
        if meta is None or meta.typ != SheetTypeEnum.WorkSheet:
            if sheet.name in optional_sheets:
                continue
            raise XlsxError("missing_sheet", sheet=sheet.name)
        try:
            rows = _sheet_rows(wb.get_sheet_by_name(meta.name))
        except Exception as exc:  # malformed sheet XML surfaces when the sheet is read
            raise XlsxError("not_xlsx", detail=f"{type(exc).__name__}: {exc}") from exc
        first = next(rows, None)
        # The headers are row 1; a sheet that starts lower has none.
        header = first[1] if first is not None and first[0] == 1 else ()
        found.append((sheet, rows, _locate_columns(sheet, header)))

    result: dict[str, SheetRows] = {}
    for sheet, rows, positions in found:
        result[sheet.name] = _read_rows(sheet, rows, positions, max_rows=max_rows)
    return result


def _sheet_rows(ws: CalamineSheet):
    """(Excel row number, values from column A) for each row. calamine starts
    at the first used cell: the blank columns before it are put back, so
    that column letters are the file's."""
    if ws.start is None:
        return iter(())
    first_row, first_column = ws.start
    pad = [""] * first_column
    rows = (pad + row for row in ws.iter_rows()) if first_column else ws.iter_rows()
    return zip(itertools.count(first_row + 1), rows)


def _locate_columns(sheet: Sheet, header_row: Sequence[object]) -> dict[str, int]:
    """Map each field to its 1-based column index, or raise missing_columns."""
    index_of: dict[str, int] = {}
    for idx, value in enumerate(header_row, start=1):
        # The first of duplicated headers wins, as a person reading left to right expects.
        index_of.setdefault(normalize_header(value), idx)
    positions: dict[str, int] = {}
    missing: list[str] = []
    for column in sheet.columns:
        idx = index_of.get(normalize_header(column.header))
        if idx is None:
            missing.append(column.header)
        else:
            positions[column.field] = idx
    if missing:
        raise XlsxError("missing_columns", sheet=sheet.name, columns=missing)
    return positions


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_rows(sheet: Sheet, numbered_rows, positions: dict[str, int], *, max_rows: int) -> SheetRows:
    letters = {column.field: get_column_letter(positions[column.field]) for column in sheet.columns}
    plan = [
        (column, positions[column.field] - 1, letters[column.field], _COERCERS[column.kind])
        for column in sheet.columns
    ]
    width = max(positions.values(), default=1)
    rows: list[tuple[int, dict[str, object]]] = []
    problems: list[CellProblem] = []
    count = 0
    for row_number, values in numbered_rows:
        # Cells right of the last known column never make a row.
        first = next((v for v in values[:width] if not _is_blank(v)), None)
        if first is None:
            continue
        if isinstance(first, str) and first.strip().startswith(EXAMPLE_PREFIX):
            continue
        count += 1
        if count > max_rows:
            raise XlsxError("too_large", sheet=sheet.name, rows=count, limit=max_rows)
        record: dict[str, object] = {}
        for column, index, letter, coerce in plan:
            value = values[index] if index < len(values) else None
            if _is_blank(value):
                record[column.field] = None
                if column.required:
                    problems.append(CellProblem(sheet.name, row_number, letter, column.header, "required", {}))
                continue
            try:
                record[column.field] = coerce(value)
            except _Bad as bad:
                record[column.field] = None
                problems.append(CellProblem(sheet.name, row_number, letter, column.header, bad.kind, bad.params))
        rows.append((row_number, record))
    return SheetRows(sheet=sheet, rows=rows, problems=problems, column_of=letters)


# --------------------------------------------------------------------------
# Coercion: each takes a non-blank cell value and returns the coerced value
# or raises _Bad.


def _display(value: object) -> str:
    """A cell value as shown back to the user in a problem."""
    if isinstance(value, float):
        return format(value, ".15g")
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()[:100]


def _clean_number_text(value: str) -> str:
    # Full-width digits and thousands separators are common in typed registers.
    s = unicodedata.normalize("NFKC", value)
    return "".join(s.split()).replace(",", "")


def coerce_text(value: object) -> str:
    """Stripped text.  Numbers become their digit string; a number with more
    than 15 digits has lost digits in Excel (an ID number typed without text
    format) and is reported as number_as_text_lost."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        if len(str(abs(value))) > EXCEL_DIGITS:
            raise _Bad("number_as_text_lost", value=str(value))
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Bad("not_number", value=str(value))
        if value.is_integer():
            digits = str(int(value))
            if len(digits.lstrip("-")) > EXCEL_DIGITS:
                raise _Bad("number_as_text_lost", value=digits)
            return digits
        return format(value, ".15g")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    s = str(value).strip()
    if len(s) > MAX_TEXT_LENGTH:
        raise _Bad("too_long", length=len(s), limit=MAX_TEXT_LENGTH)
    return s


def coerce_int(value: object) -> int:
    """An integer within bigint range from 12, 12.0, "12", "１２", "1,200"."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _Bad("not_number", value=_display(value))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _Bad("not_number", value=_display(value))
        if not value.is_integer():
            raise _Bad("not_integer", value=_display(value))
        number = int(value)
    else:
        d = _parse_decimal(value)
        # Checked before int(): "1e999999999" would otherwise build a huge int.
        if d.adjusted() > 18:
            raise _Bad("out_of_range", value=_display(value))
        if d != d.to_integral_value():
            raise _Bad("not_integer", value=_display(value))
        number = int(d)
    if not INT_MIN <= number <= INT_MAX:
        raise _Bad("out_of_range", value=_display(value))
    return number


def _parse_decimal(value: str) -> Decimal:
    try:
        d = Decimal(_clean_number_text(value))
    except InvalidOperation:
        raise _Bad("not_number", value=_display(value)) from None
    if not d.is_finite():
        raise _Bad("not_number", value=_display(value))
    return d


def coerce_decimal(value: object) -> Decimal:
    """A finite Decimal; floats go through their 15-digit Excel display."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _Bad("not_number", value=_display(value))
    if isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _Bad("not_number", value=_display(value))
        # 15 digits: what Excel shows, so 0.1+0.2 comes back as 0.3.
        d = Decimal(format(value, ".15g"))
    else:
        d = _parse_decimal(value)
    if d and abs(d.adjusted()) > MAX_DECIMAL_EXPONENT:
        raise _Bad("out_of_range", value=_display(value))
    return d


def coerce_float(value: object) -> float:
    """A finite float from a number or numeric text such as "120.123"."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _Bad("not_number", value=_display(value))
    if isinstance(value, str):
        try:
            number = float(_clean_number_text(value))
        except ValueError:
            raise _Bad("not_number", value=_display(value)) from None
    else:
        try:
            number = float(value)
        except OverflowError:
            raise _Bad("out_of_range", value=_display(value)) from None
    if not math.isfinite(number):
        raise _Bad("not_number", value=_display(value))
    return number


def coerce_date(value: object) -> dt.date:
    """A date from a date/datetime cell, an 8-digit number 20240301, or text
    "2024-03-01", "2024/3/1", "2024.3.1", "2024年3月1日", "20240301"."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # Serial numbers are not guessed at: 2024 typed as a year would become
        # 1905-07-16.  Only the common yyyymmdd typed as a number is taken.
        if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
            raise _Bad("not_date", value=_display(value))
        text = str(int(value))
        match = COMPACT_DATE_RE.fullmatch(text)
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        match = DATE_RE.fullmatch(text) or COMPACT_DATE_RE.fullmatch(text)
    else:
        raise _Bad("not_date", value=_display(value))
    if match is None:
        raise _Bad("not_date", value=_display(value))
    year, month, day = (int(part) for part in match.group(1, 2, 3))
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _Bad("not_date", value=_display(value)) from None


def coerce_bool(value: object) -> bool:
    """True/False from a boolean cell, 1/0, or 是/否 Y/N yes/no true/false √/×."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = unicodedata.normalize("NFKC", value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise _Bad("not_bool", value=_display(value))


_COERCERS = {
    "text": coerce_text,
    "int": coerce_int,
    "decimal": coerce_decimal,
    "float": coerce_float,
    "date": coerce_date,
    "bool": coerce_bool,
}

# --------------------------------------------------------------------------
# Writing

_KIND_HINTS = {
    "text": "文本",
    "int": "整数",
    "decimal": "数字",
    "float": "数字",
    "date": "日期，如 2024-03-01",
    "bool": "是 / 否",
}
_TEMPLATE_FORMATS = {"text": "@", "date": "yyyy-mm-dd"}
# Rows that get a 是/否 drop-down in bool columns of the template.
_VALIDATION_ROWS = 10_000


def make_template(sheets: list[Sheet], *, title_note: str | None = None) -> bytes:
    """An import template as .xlsx bytes.

    The first sheet "说明" holds ``title_note`` (one line per row) and general
    instructions.  Then one sheet per `Sheet`: a bold header row (required
    headers end with "*"), column widths, frozen header, header notes as
    cell comments, and in row 2 a grey italic example row from
    ``Column.example`` whose first cell starts with "示例" — importers must
    skip such rows, as `read_workbook` does.  Text columns are formatted as
    text so that ID numbers typed in keep all 18 digits; bool columns get a
    是/否 drop-down.  Reading the template back yields no rows and no problems.
    """
    wb = openpyxl.Workbook()
    info = wb.active
    info.title = INSTRUCTIONS_SHEET
    info.column_dimensions["A"].width = 100
    lines = list(title_note.splitlines()) if title_note else []
    if lines:
        lines.append("")
    lines += [
        "填写说明：",
        "1. 第 1 行为表头，请勿修改；带 * 的列为必填。",
        f"2. 第 2 行为示例（首格以“{EXAMPLE_PREFIX}”开头），导入时会被跳过，可保留或删除。",
        "3. 身份证号等长数字请以文本形式填写，否则 Excel 只保留 15 位有效数字。",
        "4. 日期请写成 2024-03-01 的形式；是否类的列填“是”或“否”。",
    ]
    for sheet in sheets:
        lines.append("")
        lines.append(f"工作表“{sheet.name}”：")
        for column in sheet.columns:
            mark = "（必填）" if column.required else ""
            note = f"；{column.note}" if column.note else ""
            lines.append(f"  {column.header}{mark}：{_KIND_HINTS[column.kind]}{note}")
    for line in lines:
        info.append([_neutralise(line)])
    info["A1"].font = Font(bold=True, size=12) if title_note else Font(bold=True)

    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    example_font = Font(italic=True, color="808080")
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        for idx, column in enumerate(sheet.columns, start=1):
            letter = get_column_letter(idx)
            ws.column_dimensions[letter].width = column.width
            if column.kind in _TEMPLATE_FORMATS:
                ws.column_dimensions[letter].number_format = _TEMPLATE_FORMATS[column.kind]
            cell = ws.cell(row=1, column=idx, value=column.header + ("*" if column.required else ""))
            cell.font = bold
            cell.fill = header_fill
            cell.alignment = Alignment(horizontal="center", vertical="center")
            if column.note:
                comment = Comment(column.note, "grid")
                comment.width, comment.height = 240, 100
                cell.comment = comment
            example = column.example or ""
            if idx == 1:
                example = f"{EXAMPLE_PREFIX}：{example}" if example else EXAMPLE_PREFIX
            example_cell = ws.cell(row=2, column=idx, value=_neutralise(example) if example else None)
            example_cell.font = example_font
            example_cell.number_format = "@"
            if column.kind == "bool":
                validation = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
                validation.add(f"{letter}3:{letter}{_VALIDATION_ROWS + 2}")
                ws.add_data_validation(validation)
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_ledger(sheet_title: str, headers: list[tuple[str, int]], rows: Iterable[Sequence[object]]) -> bytes:
    """A one-sheet ledger as .xlsx bytes, written in streaming mode.

    ``headers`` are (text, column width); the header row is bold and frozen.
    Rows are consumed once.  Dates and datetimes are written as dates (aware
    datetimes lose their tzinfo: convert to local time first), numbers and
    bools as such, None as an empty cell, anything else as text.  Every text
    cell that a spreadsheet could evaluate — starting with = + - @ (also
    full-width, or after leading blanks) or with a tab or carriage return —
    is prefixed with "'" and stored as a plain string cell.  Characters XML
    cannot carry are dropped and text is cut to Excel's 32,767 characters.
    """
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(_sheet_title(sheet_title))
    for idx, (_text, width) in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(idx)].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for text, _width in headers:
        cell = WriteOnlyCell(ws, value=_neutralise(str(text)))
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        ws.append([_ledger_value(value) for value in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    # Excel forbids these in sheet titles and caps them at 31 characters.
    cleaned = re.sub(r"[\\/*?:\[\]]", "_", title).strip("'")[:31]
    return cleaned or "Sheet1"


def _neutralise(text: str) -> str:
    """Text safe to put in a cell: legal XML characters, within Excel's
    limit, and never taken for a formula."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if text.startswith(("\t", "\r")) or text.lstrip(" \t\r\n\u3000").startswith(FORMULA_STARTS):
        text = "'" + text
    return text[:EXCEL_CELL_LIMIT]


def _ledger_value(value: object) -> object:
    if value is None or isinstance(value, (bool, int, float, Decimal)):
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        return value
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, (dt.date, dt.time)):
        if isinstance(value, dt.time) and value.tzinfo:
            return value.replace(tzinfo=None)
        return value
    return _neutralise(str(value))
