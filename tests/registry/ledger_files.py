"""Real .xlsx ledger files for tests, written with openpyxl from the template's own layout."""
import io

from openpyxl import Workbook

from grid.registry.ledger_schema import CHILDREN, ELDERLY, HOUSEHOLDS, RESIDENTS


def ledger(households=(), residents=(), elderly=None, children=None) -> bytes:
    """Rows are dicts keyed by header (e.g. {"户编号": "H1", ...}); missing cells stay empty."""
    book = Workbook()
    book.remove(book.active)
    for sheet, rows in ((HOUSEHOLDS, households), (RESIDENTS, residents), (ELDERLY, elderly), (CHILDREN, children)):
        if rows is None:
            continue
        ws = book.create_sheet(sheet.name)
        headers = [c.header for c in sheet.columns]
        ws.append(headers)
        for row in rows:
            ws.append([row.get(h) for h in headers])
        # ID numbers typed as text, as the template formats them.
        for column in ws.iter_cols(min_row=2):
            for cell in column:
                if isinstance(cell.value, str):
                    cell.number_format = "@"
                    cell.data_type = "s"  # text, even when it starts with "=" (openpyxl would make a formula)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
