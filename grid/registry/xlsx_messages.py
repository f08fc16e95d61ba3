"""Words for spreadsheet problems (xlsx.py reports kinds and values only)."""
from flask_babel import gettext as _

from grid.registry.xlsx import CellProblem, XlsxError


def file_message(error: XlsxError) -> str:
    p = error.params
    messages = {
        "too_large": lambda: (_("The file has more rows than one import takes (%(n)s).", n=p.get("limit"))
                              if "rows" in p else
                              _("Sheet “%(s)s” reaches as far as cell %(c)s; delete what lies far below or to the "
                                "right of the table.", s=p.get("sheet"), c=p.get("cell"))
                              if "cell" in p else
                              _("The file is larger than %(mb)s MB.", mb=round((p.get("limit") or 0) / 2**20))),
        "not_xlsx": lambda: _("This is not an Excel .xlsx file. Save it as “Excel workbook (.xlsx)” and try again."),
        "zip_bomb": lambda: _("The file unpacks to far more data than a ledger holds; it was refused."),
        "encrypted": lambda: _("The file is password-protected or an old .xls file; save it as an unprotected .xlsx."),
        "missing_sheet": lambda: _("The sheet “%(s)s” is missing; start from the template.", s=p.get("sheet")),
        "missing_columns": lambda: _("Sheet “%(s)s” lacks the columns: %(c)s.", s=p.get("sheet"),
                                     c="、".join(p.get("columns") or [])),
    }
    make = messages.get(error.kind)
    return make() if make else error.kind


def cell_message(problem: CellProblem) -> str:
    p = problem.params
    messages = {
        "required": lambda: _("Required."),
        "not_number": lambda: _("“%(v)s” is not a number.", v=p.get("value")),
        "not_integer": lambda: _("“%(v)s” is not a whole number.", v=p.get("value")),
        "out_of_range": lambda: _("“%(v)s” is out of range.", v=p.get("value")),
        "not_date": lambda: _("“%(v)s” is not a date (use 2024-03-01).", v=p.get("value")),
        "not_bool": lambda: _("“%(v)s” is not 是 or 否.", v=p.get("value")),
        "too_long": lambda: _("Too long (%(n)s characters; at most %(m)s).", n=p.get("length"), m=p.get("limit")),
        "number_as_text_lost": lambda: _("Excel stored this ID number as a number and lost its last digits; "
                                         "format the column as text and type it again."),
    }
    make = messages.get(problem.kind)
    return make() if make else problem.kind
